"""Tests that need a tool outside Python skip without it, but fail on CI (CI=true).

.ci/run installs every such tool on a fresh machine, so a missing one there is a bug.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# Debian's chromium; elsewhere (GitHub's runners) whichever Chromium is installed.
# Playwright never downloads a browser here: it launches this one.
CHROMIUM = Path(os.environ.get("RESNETGEN_CHROMIUM") or shutil.which("chromium")
                or shutil.which("chromium-browser") or shutil.which("google-chrome")
                or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require(present: bool, what: str, how: str) -> None:
    """Skip a test whose tool is missing, saying how to install it; under CI=true, fail."""
    if present:
        return
    message = f"{what} is missing: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: a missing tool is a failure, not a skip; "
                    ".ci/run must install it)", pytrace=False)
    pytest.skip(message)


def need_tool(name: str, how_to_install: str) -> str:
    """The path of the command `name` (the virtualenv's bin first, then PATH)."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which(name)
    require(found is not None, name, how_to_install)
    return found


def need_chromium() -> str:
    require(CHROMIUM.is_file(), "Chromium", "apt-get install chromium")
    return str(CHROMIUM)
