"""A missing checker skips locally, saying how to install it, and fails on CI."""

from __future__ import annotations

import pytest

from needs import require


def test_a_missing_tool_skips_with_how_to_install_it(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require(False, "Chromium", "apt-get install chromium")


def test_on_ci_a_missing_tool_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require(False, "Chromium", "apt-get install chromium")
    require(True, "Chromium", "apt-get install chromium")  # present: nothing happens
