"""Run the Nu Html Checker once over a folder: one JVM for every file of a site."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Message:
    kind: str       # 'error', 'warning', 'info', 'non-document-error'
    file: str       # relative to the checked folder
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.text}"


def run_vnu(command: list[str], folders: list[Path]) -> dict[Path, list[Message]]:
    """Every message vnu gives for the HTML, CSS and SVG files under each folder, from
    one run (one JVM start, the slow part), keyed by folder; file names are relative."""
    folders = [f.resolve() for f in folders]
    result = subprocess.run(
        [*command, "--format", "json", "--stdout", "--skip-non-html",
         "--also-check-css", "--also-check-svg", *map(str, folders)],
        capture_output=True, text=True, timeout=300)
    if not result.stdout.strip():
        raise RuntimeError(f"vnu gave no report (exit {result.returncode}): {result.stderr}")
    found: dict[Path, list[Message]] = {folder: [] for folder in folders}
    for item in json.loads(result.stdout)["messages"]:
        kind = item["type"]
        if kind == "info" and item.get("subType") == "warning":
            kind = "warning"
        path = Path(_path(item.get("url", "")))
        folder = next((f for f in folders if path.is_relative_to(f)), folders[0])
        name = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)
        found[folder].append(Message(kind, name, item.get("lastLine", 0),
                                     item.get("message", "")))
    return found


def checked_files(folder: Path) -> list[Path]:
    """The files vnu reads with the options above."""
    return sorted(p for p in folder.rglob("*")
                  if p.suffix in (".html", ".htm", ".css", ".svg") and p.is_file())


def _path(url: str) -> str:
    """vnu names files 'file:/tmp/x.html'; give the plain path."""
    return unquote(urlsplit(url).path) if url.startswith("file:") else url
