"""Editor warnings, and how `resnetgen check` reports them."""

from __future__ import annotations

import pytest

from conftest import NOW, build_site
from resnetgen.build import BuildOptions, build
from resnetgen.cli import main
from resnetgen.problems import WARNING, SiteError

PEOPLE = """\
[sally]
name = "Sally Pratten"
"""


def briefing(start: str, end: str, extra: str = "", date: str = "2026-11-01") -> str:
    return f"""\
---
title: Chat at {start}
date: {date}
chat:
  start: {start}
  end: {end}
{extra}---

Text.
"""


def warnings_of(site_dir):
    report = build_site(site_dir, output=site_dir.parent / "out")
    assert all(w.severity == WARNING for w in report.warnings)
    return [(w.path, w.line, w.message) for w in report.warnings]


def test_a_chat_to_come_without_questions_or_hosts(site):
    site_dir = site({
        "content/people.toml": PEOPLE,
        "content/2026/bare.md": briefing("2026-12-09 19:30", "2026-12-09 20:30"),
        "content/2026/empty-lists.md": briefing("2026-12-16 19:30", "2026-12-16 20:30",
                                                "hosts: []\nquestions: []\n"),
        "content/2026/complete.md": briefing("2026-12-23 19:30", "2026-12-23 20:30",
                                             "hosts: [sally]\nquestions: [Why?]\n"),
        "content/2026/cancelled.md": briefing("2026-12-30 19:30", "2026-12-30 20:30",
                                              "  status: cancelled\n  sequence: 1\n"),
        "content/2018/past.md": briefing("2018-01-31 19:30", "2018-01-31 20:30", date="2018-01-01"),
    })
    assert warnings_of(site_dir) == [
        ("content/2026/bare.md", 4, "this chat is still to come and has no hosts"),
        ("content/2026/bare.md", 4, "this chat is still to come and has no questions"),
        ("content/2026/empty-lists.md", 7, "this chat is still to come and has no hosts"),
        ("content/2026/empty-lists.md", 8, "this chat is still to come and has no questions"),
    ]


def test_a_picture_without_alt_text(site):
    site_dir = site({
        "content/2026/post.md": """\
            ---
            title: Pictures
            date: 2026-11-01
            ---

            ![A chart of replies](chart.png)

            Some text, then ![](chart.png) in a paragraph.
            """,
        "content/2026/chart.png": b"\x89PNG\r\n\x1a\n",
    })
    assert warnings_of(site_dir) == [
        ("content/2026/post.md", 8, "picture without a description (alt text)")]


def test_a_link_to_a_page_the_site_does_not_have(site):
    site_dir = site({
        "content/pages/about.md": "---\ntitle: About\n---\n\nUs.\n",
        "content/2026/post.md": """\
            ---
            title: Links
            date: 2026-11-01
            ---

            [About](/about/), [about again](/about#team), [topics](/tags/),
            [the icon](/favicon.svg) and [the archive](/archive).

            [Gone](/2019/01/old-post/) and [a typo](/abuot/).
            """,
    })
    # Editors see these warnings when the link check is off (`--no-link-check`)...
    report = build(BuildOptions(site_dir=site_dir, output_dir=site_dir.parent / "out", now=NOW,
                                link_check=False))
    assert [(w.path, w.line, w.message) for w in report.warnings] == [
        ("content/2026/post.md", 9, "link to /2019/01/old-post/, a page the site does not have"),
        ("content/2026/post.md", 9, "link to /abuot/, a page the site does not have"),
    ]
    # ...and by default the link check stops the build on the same links (and on the
    # missing #team section, which needs the built page to see).
    with pytest.raises(SiteError) as caught:
        build_site(site_dir, output=site_dir.parent / "out")
    assert sorted((p.path, p.line, p.message.split("'")[1]) for p in caught.value.problems) == [
        ("content/2026/post.md", 6, "/about#team"),
        ("content/2026/post.md", 9, "/2019/01/old-post/"),
        ("content/2026/post.md", 9, "/abuot/"),
    ]


def test_chats_whose_hours_overlap(site):
    extra = "hosts: [sally]\nquestions: [Why?]\n"
    site_dir = site({
        "content/people.toml": PEOPLE,
        "content/2026/a.md": briefing("2026-12-09 19:30", "2026-12-09 20:30", extra),
        "content/2026/b.md": briefing("2026-12-09 20:00", "2026-12-09 21:00", extra),
        "content/2026/after.md": briefing("2026-12-09 21:00", "2026-12-09 22:00", extra),
        "content/2026/called-off.md": briefing("2026-12-09 19:00", "2026-12-09 20:00",
                                               "  status: cancelled\n  sequence: 1\n" + extra),
    })
    assert warnings_of(site_dir) == [
        ("content/2026/a.md", 5,
         "this chat overlaps the chat of content/2026/b.md (2026-12-09 20:00–21:00)"),
        ("content/2026/b.md", 5,
         "this chat overlaps the chat of content/2026/a.md (2026-12-09 19:30–20:30)"),
    ]


@pytest.fixture
def warned_site(site):
    return site({"content/2026/post.md": "---\ntitle: P\ndate: 2026-11-01\n---\n\n![](x.png)\n",
                 "content/2026/x.png": b"png"})


def test_check_prints_warnings_and_exits_0(warned_site, capsys):
    assert main(["--site", str(warned_site), "check", "--now", NOW.isoformat()]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].startswith(
        "content/2026/post.md:6: warning: picture without a description (alt text) (say what")
    assert "no errors, 1 warnings" in captured.out
    assert not (warned_site / "output").exists()


def test_check_strict_fails_on_warnings(warned_site, capsys):
    assert main(["--site", str(warned_site), "check", "--strict", "--now", NOW.isoformat()]) == 1
    assert "1 warnings (--strict)" in capsys.readouterr().err


def test_check_fails_on_errors(site, capsys):
    site_dir = site({"content/2026/post.md": "---\ntitle: P\ndate: 2026-13-01\n---\n"})
    assert main(["--site", str(site_dir), "check", "--now", NOW.isoformat()]) == 1
    assert "content/2026/post.md:3: 'date' is not a valid date" in capsys.readouterr().err
