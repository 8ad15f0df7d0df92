"""The preview's change detection and debounce, without a server."""

from __future__ import annotations

import os

from bs4 import BeautifulSoup

from resnetgen.error_page import error_page
from resnetgen.problems import Problem, WARNING
from resnetgen.watch import Debouncer, FileSnapshot, is_editor_litter


def test_a_burst_of_changes_is_one_batch_once_quiet():
    debouncer = Debouncer(quiet=0.3, longest=3.0)
    for step in range(20):  # twenty saves, one every 50 ms, seen by successive polls
        debouncer.notice({f"post-{step}.md"}, now=step * 0.05)
        assert debouncer.due(now=step * 0.05) is None
    last = 19 * 0.05
    assert debouncer.due(now=last + 0.29) is None
    batch = debouncer.due(now=last + 0.31)
    assert batch == {f"post-{step}.md" for step in range(20)}
    assert debouncer.due(now=last + 10) is None  # handed over once


def test_changes_that_never_stop_are_built_after_the_longest_wait():
    debouncer = Debouncer(quiet=0.3, longest=3.0)
    batches = []
    for tick in range(100):  # a file rewritten every 0.1 s for 10 s
        now = tick * 0.1
        debouncer.notice({"log.md"}, now)
        if batch := debouncer.due(now):
            batches.append(now)
    assert len(batches) == 3 and batches[0] >= 3.0


def test_snapshot_sees_added_modified_removed_and_ignores_editor_litter(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    post = content / "post.md"
    post.write_text("one")
    settings = tmp_path / "site.toml"
    settings.write_text("title = 'x'")
    snapshot = FileSnapshot([settings, content, tmp_path / "templates"])  # templates/ absent
    assert snapshot.changes() == set()

    (content / "new.md").write_text("new")
    (content / ".post.md.swp").write_text("vim")
    (content / "post.md~").write_text("backup")
    (content / "4913").write_text("")
    assert snapshot.changes() == {str(content / "new.md")}

    settings.write_text("title = 'y'")
    (content / "new.md").unlink()
    assert snapshot.changes() == {str(settings), str(content / "new.md")}
    assert snapshot.changes() == set()


def test_a_rewrite_with_the_same_size_and_timestamp_is_still_seen(tmp_path):
    post = tmp_path / "post.md"
    post.write_text("aaaa")
    stamp = post.stat().st_mtime_ns
    snapshot = FileSnapshot([tmp_path])
    post.write_text("bbbb")
    os.utime(post, ns=(stamp, stamp))  # as when two saves fall in one timestamp tick
    assert snapshot.changes() == {str(post)}


def test_editor_litter_names():
    assert all(map(is_editor_litter, [".#post.md", "#post.md#", "post.md~", ".post.md.swp"]))
    assert not any(map(is_editor_litter, ["post.md", "people.toml", "photo.png"]))


def test_error_page_lists_every_problem_escaped_as_the_command_line_prints_it():
    problems = [
        Problem("content/b.md", 9, "unknown person '<script>'", "did you mean 'sally'?"),
        Problem("content/a.md", 3, "front matter is not closed", "add a line '---'"),
        Problem("content/a.md", 7, "image without alt text", "", WARNING),
    ]
    soup = BeautifulSoup(error_page(problems), "html.parser")
    assert [li.get_text() for li in soup.select("ol.problems li")] == sorted(map(str, problems))
    assert soup.find("script") is None  # the message's <script> is text, not markup
    assert soup.h1.get_text() == "The site has 3 problems to fix"
    assert soup.head is not None and "</head>" in error_page(problems)  # where the reload script goes
