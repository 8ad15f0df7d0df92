"""Review of the title-edit and early link check work: output/ changed by someone else
during a build, long lists of posts in page keys, and the early link check on builds
that are not plain first builds."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from resnetgen.build import BuildOptions, build
from resnetgen.problems import SiteError
from resnetgen.writer import StagedOutput
from conftest import NOW, REPO, SITE_TOML, build_site, forking, snapshot, write_site
from test_incremental import post_text

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (the bench's synthetic site generator)


def clean_build(site_dir: Path, output: Path, **options) -> dict[str, bytes]:
    shutil.rmtree(output, ignore_errors=True)
    build(BuildOptions(site_dir=site_dir, output_dir=output, now=NOW, cache=False, **options))
    return snapshot(output)


def test_a_file_removed_from_output_while_a_build_runs_does_not_fail_its_commit(
        tmp_path, monkeypatch):
    """The build found output/ intact as it started; before it commits, a file it no
    longer produces is removed by someone else (another build, a sync tool): the build
    still succeeds, and output/ is what a clean build makes."""
    forking(monkeypatch)  # output/ checked by another process: found intact
    posts = {f"content/post-{n}.md": post_text(f"Post {n}", n, ["voice"], 19, [], f"Body {n}.")
             for n in range(4)}
    root = write_site(tmp_path / "site", posts)
    build_site(root)
    (root / "content" / "post-3.md").unlink()
    expected = clean_build(root, tmp_path / "clean")
    stale = sorted(set(snapshot(root / "output")) - set(expected))
    assert stale
    real_commit = StagedOutput.commit

    def commit(staged):
        (root / "output" / stale[-1]).unlink()  # meanwhile, by someone else
        real_commit(staged)
    monkeypatch.setattr(StagedOutput, "commit", commit)
    build_site(root)
    assert snapshot(root / "output") == expected


def test_long_lists_of_posts_keyed_by_their_digest_follow_every_edit(tmp_path):
    """More posts than POSTS_DIGESTED share a topic: its lists are keyed by one digest of
    their posts. A title, a date, a draft, a deletion or a rename reaches them."""
    posts = {f"content/p{n:02}.md": post_text(f"Post {n}", n % 50, ["voice"], 19, [], f"B {n}.")
             for n in range(70)}
    root = write_site(tmp_path / "site", posts, SITE_TOML + "posts_per_page = 100\n")
    build_site(root)
    content = root / "content"
    edits = [
        lambda: (content / "p05.md").write_text(post_text("Retitled", 5, ["voice"], 19, [], "B 5.")),
        lambda: (content / "p06.md").write_text(post_text("Post 6", 40, ["voice"], 19, [], "B 6.")),
        lambda: (content / "p07.md").write_text(
            post_text("Post 7", 7, ["voice"], 19, [], "B 7.").replace("---\n\n", "draft: true\n---\n\n", 1)),
        lambda: (content / "p08.md").unlink(),
        lambda: (content / "p09.md").rename(content / "renamed.md"),
        lambda: (content / "p07.md").write_text(post_text("Post 7", 7, ["voice"], 19, [], "B 7.")),
    ]
    for number, edit in enumerate(edits):
        edit()
        build_site(root)
        assert snapshot(root / "output") == clean_build(root, tmp_path / "clean"), number


def generated_site(tmp_path: Path) -> Path:
    generate.generate(140, tmp_path / "gen")  # enough pages for two render workers
    return tmp_path / "gen" / "resnetgen"


def early_checks(monkeypatch) -> list[int]:
    """The pages checked early, at each early check's end (see EarlyCheck.finish)."""
    from resnetgen.early_links import EarlyCheck
    checked: list[int] = []
    real_finish = EarlyCheck.finish
    monkeypatch.setattr(EarlyCheck, "finish", lambda early: checked.append(
        len(early.checker.pages)) or real_finish(early))
    return checked


def problems_of(action) -> list[tuple]:
    with pytest.raises(SiteError) as caught:
        action()
    return [(p.path, p.line, p.message, p.hint) for p in caught.value.problems]


def add_broken_links(folder: Path) -> None:
    bad = "[gone](/no/such/page/) [frag](/archive/#no-such-id) [own](#nowhere) [ok](/archive/#content)"
    for post in sorted(folder.glob("content/*/*.md"))[::30]:
        post.write_text(post.read_text(encoding="utf-8") + "\n" + bad + "\n", encoding="utf-8")


def test_a_rebuild_after_a_build_without_link_check_reports_as_a_clean_build(
        tmp_path, monkeypatch):
    """A build with --no-link-check leaves no link index: the next build (after an edit,
    or with the same posts) checks every page, and reports what a clean build does."""
    folder = generated_site(tmp_path)
    forking(monkeypatch)
    output = tmp_path / "out"
    options = dict(site_dir=folder, output_dir=output, now=NOW, cache_dir=tmp_path / "cache")
    build(BuildOptions(**options, link_check=False))
    before = snapshot(output)
    add_broken_links(folder)
    expected = problems_of(lambda: build(BuildOptions(
        site_dir=folder, output_dir=tmp_path / "clean", now=NOW, cache=False)))
    assert any("no-such-id" in message for _, _, message, _ in expected)
    assert problems_of(lambda: build(BuildOptions(**options))) == expected
    assert snapshot(output) == before  # a failed build leaves output/ as it was
    build(BuildOptions(**options, link_check=False))
    assert problems_of(lambda: build(BuildOptions(**options))) == expected


def test_links_of_drafts_and_static_pages_are_reported_alike_early_or_at_the_end(tmp_path, monkeypatch):
    folder = generated_site(tmp_path)
    add_broken_links(folder)
    drafted = sorted(folder.glob("content/*/*.md"))[1]
    drafted.write_text(drafted.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1)
                       + "\n[draft link](/draft/gone/) [static](/extra/page.html#nothere)\n", encoding="utf-8")
    static = folder / "static" / "extra" / "page.html"  # a copied HTML file is checked too
    static.parent.mkdir(parents=True)
    static.write_text('<!DOCTYPE html><html><body><a href="/no/static/target/">a</a>'
                      '<a href="/archive/#no-such-id">b</a><a href="../../archive/#content">c</a>'
                      '<a href="/extra/page.html#nothere">d</a></body></html>\n', encoding="utf-8")
    reports = []
    checked = early_checks(monkeypatch)
    for jobs in ("1", "2"):
        if jobs == "2":
            forking(monkeypatch)
        else:
            monkeypatch.setenv("RESNETGEN_JOBS", "1")
        reports.append(problems_of(lambda: build_site(folder, drafts=True, output=tmp_path / f"o{jobs}")))
    assert reports[0] == reports[1]
    assert any("draft/gone" in message for _, _, message, _ in reports[0])
    assert any("static/target" in message for _, _, message, _ in reports[0])
    assert any("no id 'nothere' on this page" in message for _, _, message, _ in reports[0])
    assert any("no id 'nothere' on /extra/page.html" in message for _, _, message, _ in reports[0])
    assert len(checked) == 1 and checked[0] > 140  # the build on two processes
