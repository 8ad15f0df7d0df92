"""The import, stage by stage: read -> documents -> decisions -> write -> report.

Every stage before `apply` only reads, so a refused export, a damaged people.toml or
a damaged manifest stops the import with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from resnetgen.config import SiteConfig
from resnetgen.importer.comments import CommentGroups, group_comments
from resnetgen.importer.documents import Context, Document, make_document, wanted_path
from resnetgen.importer.exports import PAGE, POST, Export, read_export
from resnetgen.importer.manifest import Manifest
from resnetgen.importer.people_file import PeopleFile
from resnetgen.importer.plan import SKIP, Action, apply, decide, hand_made, next_manifest
from resnetgen.importer.report import REPORT_FILE, report_text
from resnetgen.source import PEOPLE_FILE


@dataclass
class ImportResult:
    export: Export
    export_name: str
    actions: list[Action] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    people_added: dict[str, tuple[str, str]] = field(default_factory=dict)
    comments: CommentGroups = field(default_factory=CommentGroups)
    dry_run: bool = False


def import_blogger(site_dir: Path, config: SiteConfig, export_path: Path, into: str,
                   keep_comments: bool = True, force: bool = False,
                   dry_run: bool = False) -> ImportResult:
    export = read_export(export_path)
    manifest = Manifest.load(site_dir)
    people_path = site_dir / PEOPLE_FILE
    people = PeopleFile.parse(people_path.read_text(encoding="utf-8") if people_path.is_file() else "")
    result = ImportResult(export, export_path.name, dry_run=dry_run)

    live = [e for e in export.entries if e.kind in (POST, PAGE)]
    for entry in live:
        if entry.trashed:
            result.actions.append(Action(SKIP, "", entry.title or entry.id,
                                         "in the old blog's bin (trashed)", entry_id=entry.id))
        elif entry.published is None:
            result.actions.append(Action(SKIP, "", entry.title or entry.id,
                                         "has no publication date in the export", entry_id=entry.id))
    kept = [e for e in live if not e.trashed and e.published is not None]
    result.comments = group_comments(export.entries, keep_comments, {e.id for e in kept})

    context = Context(config.timezone, config.hashtag, people.key_for,
                      frozenset(e.old_path for e in kept if e.old_path),
                      frozenset({export.blog_host} - {""}))
    used: set[str] = set()
    for entry in kept:
        path = unique(wanted_path(entry, into), used)
        result.documents.append(make_document(
            entry, path, result.comments.by_post.get(entry.id, []), context))

    existing = hand_made(site_dir, manifest, config.timezone)
    result.actions.extend(decide(d, site_dir, manifest, force, existing)
                          for d in result.documents)
    result.people_added = dict(people.added)
    if not dry_run:
        extra = {REPORT_FILE: report_text(result)}
        if people.added:
            extra[PEOPLE_FILE] = people.new_text()
        apply(site_dir, result.actions, next_manifest(manifest, result.actions), extra)
    return result


def unique(path: str, used: set[str]) -> str:
    """Two old posts with one slug in one year: the second gets '-2'."""
    stem, number, candidate = path[:-3], 2, path
    while candidate in used:
        candidate, number = f"{stem}-{number}.md", number + 1
    used.add(candidate)
    return candidate
