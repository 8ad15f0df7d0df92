"""Tests that need a program of the system: skip locally with how to install it,
fail on CI (CI=true), where .ci/run must have installed it."""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(program: str, install: str) -> str:
    """The program's path; otherwise skip (locally) or fail (CI=true), saying `install`."""
    found = shutil.which(program)
    if found:
        return found
    message = f"{program} is not installed; install it with: {install}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (.ci/run must install it)")
    pytest.skip(message)
