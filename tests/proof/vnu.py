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


def run_vnu(command: list[str], folder: Path) -> list[Message]:
    """Every message vnu gives for the HTML, CSS and SVG files under `folder`."""
    result = subprocess.run(
        [*command, "--format", "json", "--stdout", "--skip-non-html",
         "--also-check-css", "--also-check-svg", str(folder)],
        capture_output=True, text=True, timeout=300)
    if not result.stdout.strip():
        raise RuntimeError(f"vnu gave no report (exit {result.returncode}): {result.stderr}")
    prefix = str(folder.resolve()) + "/"
    messages = []
    for item in json.loads(result.stdout)["messages"]:
        kind = item["type"]
        if kind == "info" and item.get("subType") == "warning":
            kind = "warning"
        messages.append(Message(kind, _path(item.get("url", "")).removeprefix(prefix),
                                item.get("lastLine", 0), item.get("message", "")))
    return messages


def checked_files(folder: Path) -> list[Path]:
    """The files vnu reads with the options above."""
    return sorted(p for p in folder.rglob("*")
                  if p.suffix in (".html", ".htm", ".css", ".svg") and p.is_file())


def _path(url: str) -> str:
    """vnu names files 'file:/tmp/x.html'; give the plain path."""
    return unquote(urlsplit(url).path) if url.startswith("file:") else url
