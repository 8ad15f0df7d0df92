"""What the import did, for the editor: a summary on screen and a report file.

The report lists every file with what happened to it and, first, what the importer
could not read with confidence, so an editor can finish those by hand. It has no
clock in it: the same export gives the same report.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from resnetgen.importer.exports import COMMENT, PAGE, POST
from resnetgen.importer.plan import CREATE, SKIP, UNCHANGED, UPDATE

if TYPE_CHECKING:
    from resnetgen.importer.blogger import ImportResult

REPORT_FILE = "blogger-import-report.md"   # beside site.toml: for the editor, not published


def needs_a_look(result: ImportResult) -> list[tuple[str, str, str]]:
    """(file, title, note) for every note of every imported file."""
    return [(d.source_path, d.entry.title or "(no title)", note)
            for d in result.documents for note in d.notes]


def counts(result: ImportResult) -> str:
    kinds = Counter(e.kind for e in result.export.entries)
    return (f"{plural(kinds[POST], 'post')}, {plural(kinds[PAGE], 'page')}, "
            f"{plural(kinds[COMMENT], 'comment')}")


def summary_lines(result: ImportResult) -> list[str]:
    verbs = Counter(a.verb for a in result.actions)
    would = "Would have " if result.dry_run else ""
    lines = [f"Read {result.export_name}: {result.export.format}, {counts(result)}.",
             f"{would}{'c' if would else 'C'}reated {verbs[CREATE]}, updated {verbs[UPDATE]}, "
             f"unchanged {verbs[UNCHANGED]}, skipped {verbs[SKIP]}."]
    for action in result.actions:
        if action.verb == SKIP:
            lines.append(f"  skipped {action.source_path or repr(action.title)}: {action.reason}")
    groups = result.comments
    kept = sum(len(c) for c in groups.by_post.values())
    lines.append(f"Comments: {kept} archived with their posts"
                 + (f", {groups.dropped} left out (--comments drop)" if groups.dropped else "")
                 + (f", {groups.binned} trashed or unpublished skipped" if groups.binned else "")
                 + (f", {groups.orphans} whose post was not imported skipped" if groups.orphans else "")
                 + ".")
    if result.people_added:
        lines.append(f"{would}{'a' if would else 'A'}dded to content/people.toml: "
                     + ", ".join(result.people_added) + ".")
    look = needs_a_look(result)
    if look:
        lines.append(f"{plural(len(look), 'thing')} to check by hand"
                     + ("" if result.dry_run else f": see {REPORT_FILE}") + ":")
        lines.extend(f"  {path}: {note}" for path, _, note in look)
    return lines


def report_text(result: ImportResult) -> str:
    out = [f"# Import report: {result.export.blog_title or 'the old blog'}", "",
           f"From `{result.export_name}` ({result.export.format}): {counts(result)}.", ""]
    look = needs_a_look(result)
    out += ["## To check by hand", ""]
    if look:
        out += [f"- `{path}` ({title}): {note}" for path, title, note in look]
    else:
        out.append("Nothing: every chat announcement was read in full.")
    briefings = [d for d in result.documents if d.briefing]
    if briefings:
        out += ["", "## Chats recognised", ""]
        for d in briefings:
            b = d.briefing
            hosts = ", ".join(f"{n} ({h})" for n, h in b.hosts) or "no hosts"
            out.append(f"- `{d.source_path}`: {b.chat['start']} to {b.chat['end'][-5:]} "
                       f"{b.chat['timezone']} ({b.start_utc:%H:%M} UTC); {hosts}; "
                       f"paper: {b.paper['title'] if b.paper else 'none'}; "
                       f"{plural(len(b.questions), 'question')}")
    out += ["", "## Files", ""]
    # "imported" whether created now or before, so that importing again changes nothing.
    for action in result.actions:
        where = f"`{action.source_path}`" if action.source_path else action.title
        out.append(f"- {'skipped' if action.verb == SKIP else 'imported'}: {where}"
                   + (f" ({action.reason})" if action.reason else ""))
    return "\n".join(out) + "\n"


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
