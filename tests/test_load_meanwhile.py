"""The templates are compiled while other processes read the content: the loader calls
`meanwhile` once its workers are reading (once, whatever there is to read), and a build
still reports the templates' and the content's problems together."""

from __future__ import annotations

import time

import pytest

from conftest import build_site, forking, write_site
from resnetgen.config import load_config
from resnetgen.loader import load_content
from resnetgen.problems import Problems, SiteError


def post(number: int) -> str:
    return f"---\ntitle: Post {number}\ndate: 2018-01-{number % 28 + 1:02d}\n---\nText {number}.\n"


def load(site_dir, meanwhile):
    problems = Problems()
    return load_content(site_dir, load_config(site_dir, problems), problems, meanwhile=meanwhile)


def test_meanwhile_runs_while_the_workers_read(tmp_path, monkeypatch):
    """The later files' readers wait (up to 10 s) for `meanwhile` to have run: they see
    it done only if it ran while they were still reading."""
    forking(monkeypatch)
    site_dir = write_site(tmp_path / "site",
                          {f"content/2018/p{n:03d}.md": post(n) for n in range(300)})
    flag, gave_up, seen = tmp_path / "meanwhile-ran", tmp_path / "gave-up", tmp_path / "seen"
    seen.mkdir()
    from resnetgen import loader
    original = loader.Reading._read_and_render

    def reading(self, item):
        path = item[0]
        if path >= "content/2018/p200.md":
            waited = 0.0
            while not flag.exists() and not gave_up.exists():
                time.sleep(0.01)
                waited += 0.01
                if waited > 10:
                    gave_up.touch()
            if flag.exists():
                (seen / path.replace("/", "_")).touch()
        return original(self, item)
    monkeypatch.setattr(loader.Reading, "_read_and_render", reading)
    calls = []
    content = load(site_dir, lambda: (calls.append(1), flag.touch()))
    assert calls == [1]
    assert len(content.posts) == 300
    assert len(list(seen.iterdir())) == 100


@pytest.mark.parametrize("files", [{}, {"content/2018/p001.md": post(1)}])
def test_meanwhile_runs_once_with_little_or_nothing_to_read(tmp_path, files):
    site_dir = write_site(tmp_path / "site", files)
    calls = []
    load(site_dir, lambda: calls.append(1))
    assert calls == [1] if files else calls == []  # nothing read: the build calls it after


def test_template_and_content_problems_are_reported_together(tmp_path, monkeypatch):
    forking(monkeypatch)
    files = {f"content/2018/p{n:03d}.md": post(n) for n in range(200)}
    files["content/2018/p007.md"] = "---\ntitle: x\n---\nNo date.\n"
    files["templates/post.html"] = "{% extends 'base.html' %}\n{% block content %}\n{{ page.title }\n{% endblock %}\n"
    site_dir = write_site(tmp_path / "site", files)
    with pytest.raises(SiteError) as error:
        build_site(site_dir)
    paths = {(p.path, p.line) for p in error.value.problems}
    assert ("content/2018/p007.md", 1) in paths
    assert any(path == "templates/post.html" for path, _ in paths)
    assert not (site_dir / "output").exists()
