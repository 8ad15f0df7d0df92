"""`resnetgen serve` run as a real process on a free loopback port, for tests.

Every wait is bounded; the process is always stopped and reaped.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from conftest import NOW, REPO

REBUILD_LINE = re.compile(r"^Rebuil(?:t in|d failed)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PreviewProcess:
    def __init__(self, site_dir: Path, *extra: str, now: str = NOW.isoformat()):
        self.port = free_port()
        self.lines: list[str] = []
        # Its temporary preview folder goes here, to check that it is removed on exit.
        self.temp_dir = site_dir.parent / "preview-tmp"
        self.temp_dir.mkdir(exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(self.temp_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "resnetgen", "--site", str(site_dir), "serve",
             "--port", str(self.port), "--now", now, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, cwd=REPO, env=env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30) -> None:
        self.wait_for(lambda: any(l.startswith("Preview: http") for l in self.lines),
                      timeout, "the preview to start")

    def wait_for(self, condition: Callable[[], object], timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                raise AssertionError(f"serve exited ({self.process.returncode}) waiting for "
                                     f"{what}:\n" + "\n".join(self.lines))
            result = condition()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; serve said:\n" + "\n".join(self.lines))

    def fetch(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.origin + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode("utf-8")

    def rebuilds(self) -> list[str]:
        return [l for l in self.lines if REBUILD_LINE.match(l)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self.process.stdout.close()
