"""HTML validity: the Nu Html Checker (vnu.jar) over every page of two whole sites:
no errors, and no warnings either (its "info" notes are allowed)."""

from __future__ import annotations

import pytest

from proof.conftest import require_vnu
from proof.vnu import checked_files, run_vnu


@pytest.mark.parametrize("which", ["rich_site", "real_site"])
def test_every_page_is_valid_html(which, request):
    command = require_vnu()
    site = request.getfixturevalue(which)
    messages = run_vnu(command, site.output)
    errors = [m for m in messages if m.kind in ("error", "non-document-error", "warning")]
    assert not errors, "\n".join(map(str, errors))
    assert len([p for p in checked_files(site.output) if p.suffix == ".html"]) >= site.pages


def test_vnu_reports_invalid_html(tmp_path):
    command = require_vnu()
    (tmp_path / "good.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good</title></head>'
        "<body><p>Fine.</p></body></html>")
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
        '<body><p id="x">One<div id="x">two</span></div></body></html>')
    (tmp_path / "bad.css").write_text("p { colour: red; }")
    errors = [m for m in run_vnu(command, tmp_path) if m.kind == "error"]
    assert {m.file for m in errors} == {"bad.html", "bad.css"}
    texts = " ".join(m.text for m in errors)
    assert "title" in texts           # missing <title>
    assert "Duplicate ID" in texts    # id="x" twice
    assert "colour" in texts          # unknown CSS property
