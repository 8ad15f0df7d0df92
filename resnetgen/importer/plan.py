"""Decide, for each imported file, whether to create, update or skip it, then write.

Nothing is written until every decision is made; each file is written whole (a
temporary file renamed into place), so an interrupted import leaves no half file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from resnetgen.importer.documents import Document
from resnetgen.importer.manifest import MANIFEST, Manifest, sha256
from resnetgen.problems import Problems
from resnetgen.source import discover, read_source

CREATE, UPDATE, UNCHANGED, SKIP = "created", "updated", "unchanged", "skipped"


@dataclass(frozen=True)
class Action:
    verb: str
    source_path: str
    title: str
    reason: str = ""
    text: str | None = None       # what to write, for CREATE and UPDATE
    entry_id: str = ""


@dataclass
class HandMade:
    """What files the importer did not make already hold, to avoid importing twice."""
    aliases: dict[str, str] = field(default_factory=dict)              # old address -> file
    chats: dict[tuple[str, str], str] = field(default_factory=dict)    # (start, zone) -> file


def hand_made(site_dir: Path, manifest: Manifest, default_zone: str) -> HandMade:
    found = HandMade()
    markdown, _ = discover(site_dir)
    for source_path in markdown:
        if source_path in manifest.files:
            continue
        source = read_source(site_dir, source_path, Problems())
        if source is None:
            continue
        aliases = source.meta.get("aliases")
        for alias in aliases if isinstance(aliases, list) else []:
            found.aliases["/" + str(alias).strip().lstrip("/")] = source_path
        chat = source.meta.get("chat")
        start = wall_clock(chat.get("start")) if isinstance(chat, dict) else ""
        if start:
            found.chats[(start, str(chat.get("timezone") or default_zone))] = source_path
    return found


def wall_clock(value) -> str:
    try:
        return datetime.fromisoformat(str(value).strip().replace(" ", "T")).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


def decide(document: Document, site_dir: Path, manifest: Manifest, force: bool,
           existing: HandMade) -> Action:
    path, text, entry = document.source_path, document.text, document.entry
    title = entry.title or path
    keep_address = (f"; add {entry.old_path} to its aliases so the old address keeps working"
                    if entry.old_path else "")
    if document.comments:
        keep_address += (f" (its {document.comments} old comment"
                         f"{'s are' if document.comments > 1 else ' is'} not imported)")
    owner = existing.aliases.get(entry.old_path)
    if owner and owner != path:
        return Action(SKIP, path, title, f"already on the site as {owner}, which has the old "
                      "address among its aliases", entry_id=entry.id)
    chat = document.briefing.chat if document.briefing else None
    twin = existing.chats.get((chat["start"], chat["timezone"])) if chat else None
    if twin and twin != path:
        return Action(SKIP, path, title, f"the same chat ({chat['start']}) is already on the "
                      f"site as {twin}{keep_address}", entry_id=entry.id)
    target = site_dir / path
    record = manifest.files.get(path)
    if not target.exists():
        if record and not force:
            return Action(SKIP, path, title, "deleted since the last import; "
                          "use --force to bring it back", entry_id=entry.id)
        return Action(CREATE, path, title, text=text, entry_id=entry.id)
    current = target.read_text(encoding="utf-8", errors="replace")
    if current == text:
        return Action(UNCHANGED, path, title, entry_id=entry.id)
    if record is None and not force:
        return Action(SKIP, path, title, "a file the importer did not make is there; "
                      f"use --force to replace it{keep_address}", entry_id=entry.id)
    if record is not None and sha256(current) != record.get("sha256") and not force:
        return Action(SKIP, path, title, "changed by hand since the last import; "
                      "use --force to replace it", entry_id=entry.id)
    return Action(UPDATE, path, title, text=text, entry_id=entry.id)


def next_manifest(manifest: Manifest, actions: list[Action]) -> Manifest:
    files = {path: dict(record) for path, record in manifest.files.items()}
    for action in actions:
        if action.verb in (CREATE, UPDATE):
            files[action.source_path] = {"entry": action.entry_id, "sha256": sha256(action.text)}
    return Manifest(files)


def apply(site_dir: Path, actions: list[Action], manifest: Manifest,
          extra_files: dict[str, str]) -> None:
    """Write the files to create or update, then the extra files (people, manifest, report)."""
    for action in actions:
        if action.verb in (CREATE, UPDATE):
            write_text(site_dir / action.source_path, action.text)
    for relative, text in {**extra_files, MANIFEST: manifest.text()}.items():
        path = site_dir / relative
        if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
            write_text(path, text)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".import-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)      # mkstemp's 0600 would hide the file from the web server
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
