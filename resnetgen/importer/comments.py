"""Comments from the old blog, each tied to its post; the rest counted for the summary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from resnetgen.importer.exports import COMMENT, Entry


@dataclass
class CommentGroups:
    by_post: dict[str, list[Entry]] = field(default_factory=dict)   # post id -> oldest first
    dropped: int = 0        # --comments drop
    binned: int = 0         # trashed or never published on the old blog
    orphans: int = 0        # their post is not in the export, or is not imported


def group_comments(entries: tuple[Entry, ...], keep: bool, post_ids: set[str]) -> CommentGroups:
    groups = CommentGroups()
    by_post: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.kind != COMMENT:
            continue
        if not keep:
            groups.dropped += 1
        elif entry.trashed or entry.draft:
            groups.binned += 1
        elif entry.parent not in post_ids or entry.published is None:
            groups.orphans += 1
        else:
            by_post[entry.parent].append(entry)
    groups.by_post = {post: sorted(items, key=lambda c: (c.published, c.id))
                      for post, items in by_post.items()}
    return groups
