"""HTML validity: the Nu Html Checker (vnu.jar) over every page of two whole sites:
no errors, and no warnings either (its "info" notes are allowed). One vnu run checks
both sites and a folder of deliberately broken files, which must be reported."""

from __future__ import annotations

import pytest

from proof.conftest import require_vnu
from proof.vnu import checked_files, run_vnu

BROKEN = {
    "good.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good</title>'
                 "</head><body><p>Fine.</p></body></html>",
    "bad.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
                '<body><p id="x">One<div id="x">two</span></div></body></html>',
    "bad.css": "p { colour: red; }",
}


@pytest.fixture(scope="module")
def vnu_messages(rich_site, real_site, tmp_path_factory):
    command = require_vnu()
    broken = tmp_path_factory.mktemp("broken-html")
    for name, text in BROKEN.items():
        (broken / name).write_text(text, encoding="utf-8")
    found = run_vnu(command, [rich_site.output, real_site.output, broken])
    return {"rich_site": found[rich_site.output.resolve()],
            "real_site": found[real_site.output.resolve()], "broken": found[broken.resolve()]}


@pytest.mark.parametrize("which", ["rich_site", "real_site"])
def test_every_page_is_valid_html(which, request, vnu_messages):
    site = request.getfixturevalue(which)
    faults = [m for m in vnu_messages[which]
              if m.kind in ("error", "non-document-error", "warning")]
    assert not faults, "\n".join(map(str, faults))
    assert len([p for p in checked_files(site.output) if p.suffix == ".html"]) >= site.pages


def test_vnu_reports_invalid_html(vnu_messages):
    errors = [m for m in vnu_messages["broken"] if m.kind == "error"]
    assert {m.file for m in errors} == {"bad.html", "bad.css"}
    texts = " ".join(m.text for m in errors)
    assert "title" in texts           # missing <title>
    assert "Duplicate ID" in texts    # id="x" twice
    assert "colour" in texts          # unknown CSS property
