"""Write the built site into a staging folder, then swap it in as output/ at once.

A failed build never touches output/. A file whose bytes did not change is
hard-linked from the previous output, so its modification time stays the same and
deploys and rsync see no change.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path


class OutputClash(Exception):
    def __init__(self, output_path: str):
        super().__init__(output_path)
        self.output_path = output_path


class StagedOutput:
    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.staging = output_dir.parent / f".{output_dir.name}.staging"
        self.previous = output_dir if output_dir.is_dir() else None
        self.paths: set[str] = set()
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)

    def _claim(self, output_path: str) -> Path:
        if output_path in self.paths:
            raise OutputClash(output_path)
        self.paths.add(output_path)
        target = self.staging / output_path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, output_path: str, data: bytes) -> None:
        target = self._claim(output_path)
        old = self.previous / output_path if self.previous else None
        if old is not None and _same_bytes(old, data):
            os.link(old, target)
        else:
            target.write_bytes(data)

    def copy(self, output_path: str, source: Path) -> None:
        target = self._claim(output_path)
        old = self.previous / output_path if self.previous else None
        if old is not None and old.is_file() and filecmp.cmp(old, source, shallow=False):
            os.link(old, target)
        else:
            shutil.copyfile(source, target)

    def commit(self) -> None:
        """Replace output/ with the staged site in two renames."""
        retired = self.output_dir.parent / f".{self.output_dir.name}.old"
        if retired.exists():
            shutil.rmtree(retired)
        if self.output_dir.exists():
            os.replace(self.output_dir, retired)
        os.replace(self.staging, self.output_dir)
        if retired.exists():
            shutil.rmtree(retired)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False
