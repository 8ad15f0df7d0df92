"""Reading Blogger exports: both formats, and every hostile or broken file refused by line."""

from __future__ import annotations

import zipfile

import pytest

from conftest import REPO, snapshot, write_site
from resnetgen.cli import main
from resnetgen.importer.exports import (CLASSIC, COMMENT, PAGE, POST, TAKEOUT, ExportError,
                                        read_export)

FIXTURES = REPO / "tests" / "fixtures" / "blogger"
CLASSIC_FILE = FIXTURES / "blog-11-20-2026.xml"
TAKEOUT_FILE = FIXTURES / "feed.atom"
SEED_ID = "tag:blogger.com,1999:blog-5467326530148427813.post-7415203388311652047"


def test_classic_backup_is_read_with_kinds_drafts_labels_and_threads():
    export = read_export(CLASSIC_FILE)
    assert export.format == CLASSIC
    assert export.blog_title == "ResNetSLT"
    assert export.other == 3                       # two settings and the template
    by_title = {e.title: e for e in export.entries if e.kind != COMMENT}
    seed = by_title["First #ResNetSLT Tweetchat of 2018"]
    assert (seed.kind, seed.old_path, seed.labels) == (
        POST, "/2018/01/first-resnetslt-tweetchat-of-2018.html", ("tweetchat", "communities of practice"))
    assert seed.published.isoformat() == "2018-01-22T09:14:00+00:00"
    assert by_title["Welcome to ResNetSLT"].published.isoformat() == "2017-10-02T11:30:00+01:00"
    assert by_title["Ideas for next year"].draft and by_title["Ideas for next year"].old_path == ""
    assert by_title["About ResNetSLT"].kind == PAGE
    assert by_title["About ResNetSLT"].old_path == "/p/about.html"
    comments = [e for e in export.entries if e.kind == COMMENT]
    assert [c.parent for c in comments] == [SEED_ID, SEED_ID]
    assert [c.author for c in comments] == ["Jo Clarke", "Anonymous"]


def test_takeout_export_is_read_with_status_filename_parent_and_trash():
    export = read_export(TAKEOUT_FILE)
    assert export.format == TAKEOUT
    by_title = {e.title: e for e in export.entries if e.kind != COMMENT}
    assert by_title["Chat cancelled"].trashed
    assert not by_title["Welcome to ResNetSLT"].trashed        # <blogger:trashed/> is empty
    draft = by_title["Ideas for next year's chats"]            # title was escaped twice
    assert draft.draft and draft.old_path == "/2018/03/ideas-for-next-year.html"
    seed = by_title["First #ResNetSLT Tweetchat of 2018"]
    assert seed.summary == "The first tweetchat of 2018: Thinking together."
    assert seed.updated.isoformat() == "2018-01-25T18:02:11+00:00"
    comments = [e for e in export.entries if e.kind == COMMENT]
    assert all(c.parent == SEED_ID for c in comments)
    assert [c.trashed for c in comments] == [False, False, True]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns='http://www.w3.org/2005/Atom'><title>&lol3;</title></feed>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE feed [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>&secret;</title></entry></feed>
"""


def truncated() -> str:
    text = TAKEOUT_FILE.read_text(encoding="utf-8")
    return text[: text.index("<title>About ResNetSLT</title>")]


def mismatched() -> str:
    lines = CLASSIC_FILE.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("</title>", "</titel>", 1)
    return "\n".join(lines)


# (file text, expected line, words in the message)
REFUSED = {
    "billion laughs": (BILLION_LAUGHS, 2, "DTD or entities"),
    "external entity": (XXE, 2, "DTD or entities"),
    "truncated": (truncated, len(truncated().split("\n")), "not well-formed"),
    "malformed": (mismatched, 4, "not well-formed XML: mismatched tag"),
    "not atom": ("<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>\n", 2, "not an Atom <feed>"),
    "plain feed": ("<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry><title>x</title></entry></feed>",
                   1, "not a Blogger export"),
    "not xml": ("Hello, this is a text file.\n", 1, "not well-formed"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_or_broken_exports_are_refused_by_line_and_nothing_is_written(tmp_path, capsys, name):
    text, line, words = REFUSED[name]
    text = text() if callable(text) else text
    site_dir = write_site(tmp_path / "site", {"content/people.toml": "[a]\nname = \"A\"\n"})
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    before = snapshot(site_dir)
    with pytest.raises(ExportError) as raised:
        read_export(export)
    assert raised.value.line == line and words in raised.value.message
    assert main(["--site", str(site_dir), "import", "blogger", str(export)]) == 1
    err = capsys.readouterr().err
    assert f"{export}:{line}: " in err and words in err and "nothing was written" in err
    assert snapshot(site_dir) == before


def test_a_zip_from_takeout_is_refused_with_what_to_do(tmp_path):
    archive = tmp_path / "takeout.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(TAKEOUT_FILE, "Takeout/Blogger/Blogs/ResNetSLT/feed.atom")
    with pytest.raises(ExportError) as raised:
        read_export(archive)
    assert "zip" in raised.value.message and "feed.atom" in raised.value.hint
