"""Review of the start-up work (s10-startup): the help width found once, and the settings
a build with nothing to do reads only when asked (serve)."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import NOW
from resnetgen import cli
from resnetgen.serve import Preview


@pytest.mark.parametrize("columns, size, expected", [
    (None, (0, 0), 80),        # a terminal that says 0 columns (an unsized pty): 80
    (None, (120, 40), 120),
    ("100", (0, 0), 100),
    ("0", (90, 30), 90),
    ("wide", None, 80),        # no terminal at all
])
def test_help_width_is_the_one_argparse_would_find(monkeypatch, columns, size, expected):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setenv("LINES", "24")

    def terminal_size(fd=None):
        if size is None:
            raise OSError("not a terminal")
        return os.terminal_size(size)
    monkeypatch.setattr(os, "get_terminal_size", terminal_size)
    assert shutil.get_terminal_size().columns == expected  # (what argparse asks)
    assert cli.help_width() == expected - 2


def test_preview_says_a_site_toml_broken_just_after_a_build_with_nothing_to_do(site, monkeypatch):
    """A build with nothing to do leaves the settings to be read when asked for: the
    preview asks at once, but site.toml may have been saved (with a mistake) in between.
    The preview then shows the mistake, as for any failed build: no traceback."""
    import resnetgen.build as build_module
    site_dir = site({})
    lines: list[str] = []
    preview = Preview(site_dir=site_dir, output_dir=site_dir.parent / "preview", drafts=True,
                      clock=lambda: NOW, log=lines.append)
    assert preview.build()
    real_build = build_module.build

    def build_then_save_a_mistake(options):
        report = real_build(options)
        assert report.unchanged
        (site_dir / "site.toml").write_text("title = \n", encoding="utf-8")
        return report
    monkeypatch.setattr(build_module, "build", build_then_save_a_mistake)
    assert not preview.rebuild({str(site_dir / "site.toml")})
    assert [str(p).split(":")[:2] for p in preview.problems] == [["site.toml", "1"]]
    assert lines[-2].startswith("Rebuild failed (1 changed: site.toml): 1 problem")
