"""An imported old blog, built: old addresses redirect, the briefing is whole, comments are
archived and safe, re-runs are safe, and the site's own content is never trampled."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, build_site, snapshot, write_site
from resnetgen.cli import main
from resnetgen.config import load_config
from resnetgen.importer.blogger import import_blogger
from resnetgen.importer.report import REPORT_FILE
from resnetgen.importer.manifest import MANIFEST
from resnetgen.problems import Problems, SiteError

FIXTURES = REPO / "tests" / "fixtures" / "blogger"
EXPORTS = {"classic": FIXTURES / "blog-11-20-2026.xml", "takeout": FIXTURES / "feed.atom"}
SEED = "content/2018/first-resnetslt-tweetchat-of-2018.md"
PEOPLE = """\
# Hosts of our chats. Keep this comment.
[sarahjones]
name = "Sarah Jones"
handle = "@sarahjonesSLT"

[sally]
name = "Sally Pratten"
handle = "@SalPratten"
"""


def run_import(site_dir: Path, export: Path, **options):
    config = load_config(site_dir, Problems())
    return import_blogger(site_dir, config, export, "content", **options)


def page(out: Path, route: str) -> BeautifulSoup:
    return BeautifulSoup((out / route).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(params=sorted(EXPORTS))
def imported(request, tmp_path):
    """A site with its own people.toml, the export imported, then built."""
    site_dir = write_site(tmp_path / "site", {"content/people.toml": PEOPLE})
    result = run_import(site_dir, EXPORTS[request.param])
    build_site(site_dir, now=NOW)
    return request.param, site_dir, result


def test_every_old_address_redirects_to_its_new_page(imported):
    kind, site_dir, _ = imported
    out = site_dir / "output"
    old = {"2018/01/first-resnetslt-tweetchat-of-2018.html": "/2018/01/first-resnetslt-tweetchat-of-2018/",
           "2017/10/welcome-to-resnetslt.html": "/2017/10/welcome-to-resnetslt/",
           "p/about.html": "/about/"}
    for route, target in old.items():
        soup = page(out, route)
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == f"0; url={target}", route
        assert soup.find("link", rel="canonical")["href"] == "https://example.org" + target
        assert (out / target.strip("/") / "index.html").is_file()


def test_the_announcement_became_a_briefing_with_the_right_utc_time(imported):
    _, site_dir, result = imported
    soup = page(site_dir / "output", "2018/01/first-resnetslt-tweetchat-of-2018/index.html")
    assert "briefing" in soup.find("article")["class"]
    when = soup.select_one("section.chat-facts time")
    start = datetime.fromisoformat(when["data-start"]).astimezone(timezone.utc)
    end = datetime.fromisoformat(when["data-end"]).astimezone(timezone.utc)
    assert (start, end) == (datetime(2018, 1, 31, 19, 30, tzinfo=timezone.utc),
                            datetime(2018, 1, 31, 20, 30, tzinfo=timezone.utc))
    hosts = [" ".join(li.get_text(" ").split()) for li in soup.select("ul.hosts li")]
    assert hosts == ["Sally Pratten ( @SalPratten )", "Lucy Benjamin ( @lucybenjaminSLT )"]
    assert soup.select_one("section.paper cite").get_text() == \
        "Thinking together: What makes Communities of Practice work?"
    assert len(soup.select("section.questions li")) == 4
    body = soup.select_one("div.body")
    assert "will take place" not in body.get_text() and "hosted by" not in body.get_text()
    assert [h.get_text() for h in body.find_all("h2")] == ["Communities of Practice", "'Thinking together'"]
    assert len(body.find_all("li")) == 9
    assert [t.get_text() for t in soup.select("p.tags a[rel~=tag]")] == ["tweetchat",
                                                                         "communities of practice"]
    assert result.documents[0].briefing.start_utc == start


def test_comments_are_archived_read_only_and_sanitised(imported):
    _, site_dir, _ = imported
    html = (site_dir / "output/2018/01/first-resnetslt-tweetchat-of-2018/index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    section = soup.find("section", class_="old-comments")
    assert section.find("h2").get_text() == "Comments from the old blog"
    comments = section.select("li.comment")
    assert [c.select_one(".comment-author").get_text() for c in comments] == ["Jo Clarke", "Anonymous"]
    assert comments[0].find("time")["datetime"] == "2018-02-01T10:23:31+00:00"
    assert comments[0].find("a")["href"] == "https://doi.org/10.1177/0018726716684802"
    assert "nofollow" in comments[0].find("a")["rel"]
    assert section.find(["form", "textarea", "input", "script", "img"]) is None
    assert all("evil.example" not in s.get_text() for s in soup.find_all("script"))
    for bad in ("evil.example", "onerror", "javascript:", "document.cookie"):
        assert bad not in html
    assert comments[1].select_one(".comment-body").decode_contents() == "Nice postclick"
    assert "Buy cheap watches" not in html                # a trashed comment


def test_drafts_trash_labels_and_people(imported):
    kind, site_dir, result = imported
    out = site_dir / "output"
    draft = next(d for d in result.documents if d.entry.draft)
    assert "draft: true" in draft.text and not list(out.glob("2018/03/ideas*"))
    assert not list((site_dir / "content").rglob("chat-cancelled*"))       # trashed
    assert (out / "tags/tweetchat/index.html").is_file() and (out / "tags/news/index.html").is_file()
    people = (site_dir / "content/people.toml").read_text()
    assert people.startswith(PEOPLE)                                       # only appended to
    assert "[lucybenjaminslt]" in people and "[salpratten]" not in people  # same handle reused
    assert (out / "people/lucybenjaminslt/index.html").is_file()
    welcome = page(out, "2017/10/welcome-to-resnetslt/index.html")
    assert "Lucy Benjamin" in welcome.select_one("p.meta").get_text()
    published = welcome.select_one("p.meta time")["datetime"]
    assert published == ("2017-10-02T11:30:00+01:00" if kind == "classic" else "2017-10-02T10:30:00+00:00")


def test_a_second_import_changes_nothing(imported, tmp_path):
    _, site_dir, result = imported
    before = snapshot(site_dir)
    again = run_import(site_dir, EXPORTS[imported[0]])
    assert {a.verb for a in again.actions if a.source_path} <= {"unchanged"}
    assert snapshot(site_dir) == before


def test_an_edited_file_is_kept_unless_forced(tmp_path, capsys):
    site_dir = write_site(tmp_path / "site", {})
    export = str(EXPORTS["takeout"])
    assert main(["--site", str(site_dir), "import", "blogger", export]) == 0
    edited = (site_dir / SEED).read_text().replace("title: 'First", "title: 'Our first")
    (site_dir / SEED).write_text(edited)
    capsys.readouterr()
    assert main(["--site", str(site_dir), "import", "blogger", export]) == 0
    out = capsys.readouterr().out
    assert f"skipped {SEED}: changed by hand since the last import" in out
    assert (site_dir / SEED).read_text() == edited
    assert "changed by hand" in (site_dir / REPORT_FILE).read_text()
    assert main(["--site", str(site_dir), "import", "blogger", export, "--force"]) == 0
    assert "Created 0, updated 1" in capsys.readouterr().out
    assert "title: 'First" in (site_dir / SEED).read_text()


def test_existing_content_is_never_replaced_and_the_same_chat_is_not_imported_twice(tmp_path):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "site.toml").write_text((REPO / "site.toml").read_text())
    shutil.copytree(REPO / "content", site_dir / "content")
    before = snapshot(site_dir / "content")
    result = run_import(site_dir, EXPORTS["classic"])
    reasons = {a.source_path: a.reason for a in result.actions if a.verb == "skipped"}
    assert "content/2018/thinking-together.md" in reasons[SEED]
    assert "/2018/01/first-resnetslt-tweetchat-of-2018.html to its aliases" in reasons[SEED]
    assert "did not make" in reasons["content/pages/about.md"]
    after = snapshot(site_dir / "content")
    assert {k: v for k, v in after.items() if k in before} == before
    report = build_site(site_dir, now=NOW)
    assert report.briefings == 1


def test_comments_can_be_left_out(tmp_path):
    site_dir = write_site(tmp_path / "site", {})
    result = run_import(site_dir, EXPORTS["classic"], keep_comments=False)
    assert "comments:" not in (site_dir / SEED).read_text() and result.comments.dropped == 2


def test_the_report_lists_what_could_not_be_read(tmp_path, capsys):
    site_dir = write_site(tmp_path / "site", {})
    assert main(["--site", str(site_dir), "import", "blogger", str(EXPORTS["classic"])]) == 0
    out = capsys.readouterr().out
    assert "Read blog-11-20-2026.xml: classic Blogger backup (Atom)" in out
    report = (site_dir / REPORT_FILE).read_text()
    vague = next(line for line in report.splitlines() if "februarys-tweetchat.md" in line)
    assert "looks like a chat announcement" in vague and "Wednesday, 28th February at 7.30" in vague
    assert "februarys-tweetchat.md" in out
    assert "chat:" not in (site_dir / "content/2018/februarys-tweetchat.md").read_text()
    assert (site_dir / MANIFEST).is_file()


def test_dry_run_writes_nothing(tmp_path, capsys):
    site_dir = write_site(tmp_path / "site", {})
    before = snapshot(site_dir)
    assert main(["import", "blogger", str(EXPORTS["takeout"]), "--dry-run", "--site", str(site_dir)]) == 0
    assert "Would have created 4" in capsys.readouterr().out
    assert snapshot(site_dir) == before


COMMENTED = """\
---
title: Old post
date: 2018-01-01T10:00:00+00:00
comments:
  - author: Mallory
    date: 2018-01-02T10:00:00+00:00
    html: 'Hi<script>alert(1)</script><b onmouseover="x()">there</b>'
---
Text.
"""


def test_comment_html_in_front_matter_is_sanitised_at_build_time(site):
    site_dir = site({"content/2018/old.md": COMMENTED})
    build_site(site_dir)
    html = (site_dir / "output/2018/01/old/index.html").read_text()
    body = BeautifulSoup(html, "html.parser").select_one(".comment-body")
    assert body.decode_contents() == "Hi<b>there</b>"
    assert "alert(1)" not in html and "onmouseover" not in html


def test_a_wrong_comment_field_is_reported_with_its_line(site):
    site_dir = site({"content/2018/old.md": COMMENTED.replace("    html:", "    htm:")})
    with pytest.raises(SiteError) as raised:
        build_site(site_dir)
    messages = [str(p) for p in raised.value.problems]
    assert "content/2018/old.md:7: unknown field 'comments.htm' (did you mean 'html'?)" in messages


def test_posts_can_go_into_a_folder_inside_content_only(tmp_path, capsys):
    site_dir = write_site(tmp_path / "site", {})
    export = str(EXPORTS["classic"])
    assert main(["--site", str(site_dir), "import", "blogger", export, "--into", "content/old-blog"]) == 0
    assert (site_dir / "content/old-blog/2018/first-resnetslt-tweetchat-of-2018.md").is_file()
    assert (site_dir / "content/pages/about.md").is_file()
    build_site(site_dir)
    assert (site_dir / "output/2018/01/first-resnetslt-tweetchat-of-2018.html").is_file()
    assert main(["--site", str(site_dir), "import", "blogger", export, "--into", "../elsewhere"]) == 2
    assert "must be the site's content folder" in capsys.readouterr().err


def test_links_between_old_posts_lead_to_the_new_pages(imported):
    _, site_dir, _ = imported
    out = site_dir / "output"
    about = page(out, "about/index.html")
    hrefs = [a["href"] for a in about.select("div.body a")]
    assert hrefs == ["/2018/01/first-resnetslt-tweetchat-of-2018.html#more", "/tags/tweetchat/",
                     "https://twitter.com/ResNetSLT"]
    redirect = page(out, "2018/01/first-resnetslt-tweetchat-of-2018.html")
    assert redirect.find("link", rel="canonical")["href"].endswith("/2018/01/first-resnetslt-tweetchat-of-2018/")
    assert (out / "tags/tweetchat/index.html").is_file()


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_the_same_export_gives_the_same_bytes(tmp_path, kind):
    first = write_site(tmp_path / "one", {"content/people.toml": PEOPLE})
    second = write_site(tmp_path / "two", {"content/people.toml": PEOPLE})
    run_import(first, EXPORTS[kind])
    run_import(second, EXPORTS[kind])
    assert snapshot(first) == snapshot(second)


def test_an_import_that_would_break_the_build_says_so_at_once(tmp_path, capsys):
    clash = "---\ntitle: Welcome\ndate: 2017-10-05\nslug: welcome-to-resnetslt\n---\nHello.\n"
    site_dir = write_site(tmp_path / "site", {"content/2017/hello.md": clash})
    assert main(["--site", str(site_dir), "import", "blogger", str(EXPORTS["classic"])]) == 1
    captured = capsys.readouterr()
    assert "'2017/10/welcome-to-resnetslt/index.html' is also produced by" in captured.err
    assert "The site does not build yet" in captured.out
