"""Tests that need a tool outside Python skip without it, but fail on CI (CI=true).

.ci/run installs every such tool on a fresh machine, so a missing one there is a bug.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def need_tool(name: str, how_to_install: str) -> str:
    """The path of the command `name` (the virtualenv's bin first, then PATH)."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed ({how_to_install})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; on CI, .ci/run must install it", pytrace=False)
    pytest.skip(message)
