"""Bad input: every problem reported as path:line: message (hint); output/ untouched."""

from __future__ import annotations

import pytest

from conftest import SITE_TOML, build_site, snapshot, write_site
from resnetgen.cli import main
from resnetgen.problems import SiteError

GOOD_POST = """\
---
title: Good
date: 2018-01-01
---
Fine.
"""


def briefing(chat: str, extra: str = "") -> str:
    return f"---\ntitle: A chat\ndate: 2018-01-01\n{extra}chat:\n{chat}---\nBody.\n"


# (files, expected path, expected line, words in the message)
CASES = {
    "no front matter": ({"content/a.md": "Just text.\n"}, "content/a.md", 1, "no front matter"),
    "front matter not closed": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\nBody\n"},
                                "content/a.md", 1, "not closed"),
    "yaml error": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\ntags: [a, b\n---\nB\n"},
                   "content/a.md", 5, "not valid YAML"),
    "missing title": ({"content/a.md": "---\ndate: 2018-01-01\n---\nB\n"},
                      "content/a.md", 1, "'title' is missing"),
    "missing date": ({"content/a.md": "---\ntitle: x\n---\nB\n"}, "content/a.md", 1,
                     "'date' is missing"),
    "impossible date": ({"content/a.md": "---\ntitle: x\ndate: 2018-02-30\n---\nB\n"},
                        "content/a.md", 3, "not a valid date"),
    "end before start": ({"content/a.md": briefing("  start: 2018-01-31 19:30\n  end: 2018-01-31 18:30\n")},
                         "content/a.md", 6, "before it starts"),
    "unknown timezone": ({"content/a.md": briefing("  start: 2018-01-31 19:30\n  timezone: Europe/Londn\n")},
                         "content/a.md", 6, "unknown timezone 'Europe/Londn'"),
    "unknown person": ({"content/a.md": briefing("  start: 2018-01-31 19:30\n", "hosts: [salprattan]\n"),
                        "content/people.toml": '[salpratten]\nname = "Sally"\n'},
                       "content/a.md", 4, "unknown person 'salprattan'"),
    "malformed doi": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\npaper:\n  title: P\n  doi: 11.2/x\n---\nB\n"},
                      "content/a.md", 6, "is not a DOI"),
    "not utf-8": ({"content/a.md": b"---\ntitle: caf\xe9\ndate: 2018-01-01\n---\n"},
                  "content/a.md", 2, "not UTF-8"),
    "same url": ({"content/a.md": GOOD_POST, "content/sub/a.md": GOOD_POST},
                 "content/sub/a.md", 1, "also produced by content/a.md"),
    "slug leaves output": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\nslug: ../../etc\n---\nB\n"},
                           "content/a.md", 4, "would leave"),
    "alias leaves output": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\naliases: [/../../x.html]\n---\nB\n"},
                            "content/a.md", 4, "would leave the output folder"),
    "template syntax error": ({"templates/post.html": "{% extends 'base.html' %}\n{% block content %}\n{{ post.title }\n{% endblock %}\n",
                               "content/a.md": GOOD_POST},
                              "templates/post.html", 3, "template error"),
    "template undefined variable": ({"templates/post.html": "{% extends 'base.html' %}\n{% block content %}\n\n{{ post.titel }}\n{% endblock %}\n",
                                     "content/a.md": GOOD_POST},
                                    "templates/post.html", 4, "titel"),
    "missing image": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\n---\n\nSee ![a chart](chart.png)\n"},
                      "content/a.md", 6, "content/chart.png, which does not exist"),
    "unknown field": ({"content/a.md": "---\ntitle: x\ndate: 2018-01-01\ntgas: [a]\n---\nB\n"},
                      "content/a.md", 4, "unknown field 'tgas'"),
    "skipped hour": ({"content/a.md": briefing("  start: 2019-03-31 01:30\n")},
                     "content/a.md", 5, "does not exist in Europe/London"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_is_reported_with_line_and_output_is_untouched(tmp_path, name):
    files, path, line, words = CASES[name]
    site_dir = write_site(tmp_path / "site", {"content/ok.md": GOOD_POST})
    build_site(site_dir)
    before = snapshot(site_dir / "output")
    write_site(site_dir, files)

    with pytest.raises(SiteError) as raised:
        build_site(site_dir)

    matching = [p for p in raised.value.problems if p.path == path and words in p.message]
    assert matching, [str(p) for p in raised.value.problems]
    assert matching[0].line == line, str(matching[0])
    assert snapshot(site_dir / "output") == before
    assert not (site_dir / ".output.staging").exists()


def test_hints_suggest_the_right_spelling(site):
    site_dir = site({"content/a.md": briefing("  start: 2018-01-31 19:30\n", "hosts: [salprattan]\n"),
                     "content/people.toml": '[salpratten]\nname = "Sally"\n'})
    with pytest.raises(SiteError) as raised:
        build_site(site_dir)
    assert "did you mean 'salpratten'?" in str(raised.value)


def test_every_problem_of_the_site_is_reported_at_once_and_sorted(site):
    site_dir = site({
        "content/b.md": "---\ntitle: x\n---\nB\n",
        "content/a.md": "Just text\n",
        "content/c.md": "---\ntitle: x\ndate: 2018-13-01\n---\n",
    })
    with pytest.raises(SiteError) as raised:
        build_site(site_dir)
    paths = [p.path for p in raised.value.problems]
    assert paths == ["content/a.md", "content/b.md", "content/c.md"]


def test_cli_prints_problems_without_traceback_and_exits_1(site, capsys):
    site_dir = site({"content/a.md": "---\ntitle: x\ndate: 2018-02-30\n---\n",
                     "content/b.md": "no front matter\n"})
    code = main(["--site", str(site_dir), "build", "--now", "2026-01-01T00:00Z"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0].startswith("content/a.md:3: 'date' is not a valid date")
    assert lines[0].endswith("(write it as YYYY-MM-DD or YYYY-MM-DD HH:MM)")
    assert lines[1].startswith("content/b.md:1: no front matter found")
    assert "2 errors" in lines[-1]
    assert not (site_dir / "output").exists()


CONFIG_CASES = {
    "missing required key": ('title = "T"\nbase_url = "https://e.org/"\n', 1, "'description' is missing"),
    "wrong type": (SITE_TOML + "posts_per_page = \"ten\"\n", 4, "must be a whole number"),
    "unknown timezone": (SITE_TOML + 'timezone = "Europe/Lundon"\n', 4, "unknown timezone"),
    "unknown key": (SITE_TOML + 'hashtg = "#X"\n', 4, "did you mean 'hashtag'?"),
    "bad toml": (SITE_TOML + "title = \n", 4, "not valid TOML"),
    "menu entry": (SITE_TOML + '[[menu]]\ntitle = "A"\nulr = "/a/"\n', 6, "unknown setting 'menu.ulr'"),
    "base url": ('title = "T"\ndescription = "D"\nbase_url = "example.org"\n', 3, "not an absolute"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_config_errors(site, name):
    toml, line, words = CONFIG_CASES[name]
    site_dir = site({"content/a.md": GOOD_POST}, site_toml=toml)
    with pytest.raises(SiteError) as raised:
        build_site(site_dir)
    matching = [p for p in raised.value.problems if words in str(p)]
    assert matching, [str(p) for p in raised.value.problems]
    assert matching[0].path == "site.toml"
    assert matching[0].line == line, str(matching[0])
