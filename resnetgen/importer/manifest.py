"""What the importer wrote, so a re-run never overwrites an editor's changes.

content/.import-blogger.json (hidden: the loader ignores names starting with '.')
maps each written file to the export entry it came from and the hash of its text
as written. A file whose hash differs on disk has been edited since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "content/.import-blogger.json"
VERSION = 1


@dataclass
class Manifest:
    files: dict[str, dict[str, str]] = field(default_factory=dict)   # path -> entry, sha256

    @classmethod
    def load(cls, site_dir: Path) -> "Manifest":
        path = site_dir / MANIFEST
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            files = raw["files"]
            if not isinstance(files, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise ManifestError(f"{MANIFEST} is damaged; move it away to import again "
                                "(files edited since the last import are then treated as "
                                "not made by the importer, so they are kept)") from None
        return cls({str(k): dict(v) for k, v in files.items()})

    def text(self) -> str:
        return json.dumps({"version": VERSION, "files": self.files}, indent=2,
                          sort_keys=True, ensure_ascii=False) + "\n"


class ManifestError(Exception):
    pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
