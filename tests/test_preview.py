"""The preview's build step, in-process: drafts, failures kept for the error page, warnings once."""

from __future__ import annotations

from conftest import NOW
from resnetgen.serve import Preview, watched_paths

DRAFT = "---\ntitle: Soon\ndate: 2026-11-01\ndraft: true\n---\n\n![](x.png)\n"


def make_preview(site_dir, drafts=True):
    lines = []
    preview = Preview(site_dir=site_dir, output_dir=site_dir.parent / "preview", drafts=drafts,
                      clock=lambda: NOW, log=lines.append)
    return preview, lines


def test_drafts_are_built_unless_asked_not_to(site):
    site_dir = site({"content/2026/soon.md": DRAFT, "content/2026/x.png": b"png"})
    preview, _ = make_preview(site_dir)
    assert preview.build() and (preview.output_dir / "2026/11/soon/index.html").is_file()
    hidden, _ = make_preview(site_dir, drafts=False)
    assert hidden.build() and not (hidden.output_dir / "2026/11/soon/index.html").exists()


def test_a_failed_rebuild_keeps_the_last_good_site_and_its_problems(site):
    site_dir = site({"content/2026/soon.md": DRAFT, "content/2026/x.png": b"png"})
    preview, lines = make_preview(site_dir)
    assert preview.build()
    page = preview.output_dir / "2026/11/soon/index.html"
    before = page.read_bytes()
    (site_dir / "content/2026/soon.md").write_text(DRAFT.replace("2026-11-01", "2026-11-31"))
    assert not preview.rebuild({str(site_dir / "content/2026/soon.md")})
    assert [str(p) for p in preview.problems] == [
        "content/2026/soon.md:3: 'date' is not a valid date: '2026-11-31' "
        "(write it as YYYY-MM-DD or YYYY-MM-DD HH:MM)"]
    assert page.read_bytes() == before
    assert lines[-2] == "Rebuild failed (1 changed: content/2026/soon.md): 1 problem, shown in the browser"

    (site_dir / "content/2026/soon.md").write_text(DRAFT)
    assert preview.rebuild({str(site_dir / "content/2026/soon.md")})
    assert preview.problems == [] and lines[-1].startswith("Rebuilt in ")
    # The picture's missing description was said once, at the first build only.
    assert sum("alt text" in line for line in lines) == 1


def test_everything_a_build_reads_is_watched(site):
    site_dir = site({})
    names = {p.relative_to(site_dir).as_posix() for p in watched_paths(site_dir)
             if p.is_relative_to(site_dir)}
    assert names == {"site.toml", "content", "templates", "static", "themes"}


def test_each_build_lets_go_of_the_last_ones_site(site):
    """`serve` builds again and again in one process: what a build held (its site, its
    cache, reference cycles among them) is freed when it ends, built or failed; the cycle
    collector, all but stopped during builds, would come to it only many saves later."""
    import gc
    from resnetgen.incremental import Incremental
    site_dir = site({"content/2026/soon.md": DRAFT, "content/2026/x.png": b"png"})
    preview, _ = make_preview(site_dir)
    post = site_dir / "content/2026/soon.md"
    for attempt in range(4):
        post.write_text(DRAFT.replace("Soon", f"Soon {attempt}"))
        assert preview.build()
        post.write_text(DRAFT.replace("2026-11-01", "2026-11-31"))
        assert not preview.build()
    assert [o for o in gc.get_objects() if type(o) is Incremental] == []


def test_no_page_of_the_last_build_is_held_after_it(site):
    """A first build in one process makes its posts' pages from KeptPages (pages.py),
    keeping the last one made, and with it the whole site: let go of once rendered."""
    import resnetgen.pages as pages
    site_dir = site({"content/2026/soon.md": DRAFT, "content/2026/x.png": b"png"})
    preview, _ = make_preview(site_dir)
    assert preview.build()
    assert pages._last_made == (None, None)
