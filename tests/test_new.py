"""`resnetgen new`: a new briefing or post, complete, a draft, and building cleanly."""

from __future__ import annotations

import shutil

import frontmatter
import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site
from resnetgen.cli import main

RICH = REPO / "tests" / "sites" / "rich"
CLOCK = ["--now", NOW.isoformat()]   # 29 November 2026


@pytest.fixture
def site_dir(tmp_path):
    folder = tmp_path / "site"
    shutil.copytree(RICH, folder)
    return folder


def new(site_dir, *args):
    return main(["--site", str(site_dir), "new", *args, *CLOCK])


def test_a_new_briefing_has_every_field_and_builds(site_dir, capsys, tmp_path):
    status = new(site_dir, "briefing", "Tweetchat: Thinking, together!", "--date", "2027-01-27",
                 "--time", "19:30", "--hosts", "salpratten,@lucybenjaminSLT")
    out = capsys.readouterr().out
    assert status == 0
    path = site_dir / "content/2026/tweetchat-thinking-together.md"
    assert "Created content/2026/tweetchat-thinking-together.md" in out
    assert "The chat: Wednesday 27 January 2027, 7.30–8.30 pm UK time" in out

    text = path.read_text()
    post = frontmatter.loads(text)
    assert post["title"] == "Tweetchat: Thinking, together!"
    assert post["draft"] is True
    assert post["hosts"] == ["salpratten", "lucy"]
    assert post["chat"]["duration"] == 60 and post["chat"]["timezone"] == "Europe/London"
    assert post["chat"]["hashtag"] == "#TestChat"
    # Every field of the contract is there, filled in or as a comment to fill in.
    for field in ("updated", "summary", "tags", "slug", "aliases", "author", "image", "extra",
                  "paper", "questions", "title:", "year:", "doi:", "sequence", "uid"):
        assert field in text, field

    report = build_site(site_dir, drafts=True, output=tmp_path / "out")
    # It builds cleanly; `check` reminds the editor that questions are still to write.
    mine = [(w.line, w.message) for w in report.warnings
            if w.path == "content/2026/tweetchat-thinking-together.md"]
    questions_line = text.splitlines().index(next(l for l in text.splitlines()
                                                  if l.startswith("questions:"))) + 1
    assert mine == [(questions_line, "this chat is still to come and has no questions")]
    page = BeautifulSoup((tmp_path / "out/2026/11/tweetchat-thinking-together/index.html")
                         .read_text(), "html.parser")
    assert page.h1.get_text(" ", strip=True) == "Tweetchat: Thinking, together! Draft"
    assert [a.get_text() for a in page.select("ul.hosts li > a:first-child")] == \
        ["Sally Pratten", "Lucy Benjamin"]

    # Published once the editor says so.
    path.write_text(text.replace("draft: true", "draft: false"))
    build_site(site_dir, output=tmp_path / "published")
    assert (tmp_path / "published/2026/11/tweetchat-thinking-together/index.html").is_file()


def test_a_new_post_builds(site_dir, tmp_path):
    assert new(site_dir, "post", "News from the network") == 0
    post = frontmatter.load(site_dir / "content/2026/news-from-the-network.md")
    assert post["title"] == "News from the network" and post["draft"] is True
    assert "chat" not in post.metadata
    build_site(site_dir, drafts=True, output=tmp_path / "out")
    assert (tmp_path / "out/2026/11/news-from-the-network/index.html").is_file()


def test_an_existing_file_is_never_overwritten(site_dir, capsys):
    assert new(site_dir, "post", "News") == 0
    path = site_dir / "content/2026/news.md"
    path.write_text("my work")
    capsys.readouterr()
    assert new(site_dir, "post", "News!") == 2
    assert "content/2026/news.md already exists; nothing was changed" in capsys.readouterr().err
    assert path.read_text() == "my work"


@pytest.mark.parametrize("args, message", [
    (["--date", "27/01/2027"], "--date '27/01/2027' is not a date: write it as YYYY-MM-DD"),
    (["--date", "2027-02-30"], "--date '2027-02-30' does not exist"),
    (["--date", "2027-01-27", "--time", "7.30pm"], "--time '7.30pm' is not a time"),
    (["--date", "2027-03-28", "--time", "01:30"], "does not exist in Europe/London"),
    (["--date", "2027-01-27", "--hosts", "salprattan"],
     "--hosts: unknown person 'salprattan' (did you mean 'salpratten'?"),
])
def test_bad_input_is_a_plain_message_and_writes_nothing(site_dir, capsys, args, message):
    before = sorted(p for p in (site_dir / "content").rglob("*"))
    assert new(site_dir, "briefing", "A chat", *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert sorted(p for p in (site_dir / "content").rglob("*")) == before


def test_a_title_without_letters_is_refused(site_dir, capsys):
    assert new(site_dir, "post", "!!!") == 2
    assert "needs letters or digits" in capsys.readouterr().err


def test_a_chat_date_in_the_past_is_created_with_a_note(site_dir, capsys):
    assert new(site_dir, "briefing", "Looking back", "--date", "2025-11-26") == 0
    assert "Note: 2025-11-26 is in the past; check the year of --date" in capsys.readouterr().out
    assert (site_dir / "content/2026/looking-back.md").is_file()
