"""Incremental rebuilds: only what a change affects is rendered again, and the result
is always byte for byte what a clean build writes.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import NOW, REPO, SITE_TOML, build_site, snapshot
from resnetgen.build import BuildOptions, build
from resnetgen.frontmatter_schema import DEFAULT_CHAT_MINUTES

PEOPLE = {"ann": "Ann Lee", "bob": "Bob Roy", "cat": "Cat Poe"}
TAGS = ["aphasia", "voice", "literacy", "autism"]
LONDON = ZoneInfo("Europe/London")  # the site's zone (config.py's default)
THEME = REPO / "themes" / "default" / "templates"


def post_text(title: str, day: int, tags: list[str], hour: int, hosts: list[str], body: str,
              link: str = "", second: str = "A second paragraph.", draft: bool = False,
              chat: str = "") -> str:
    """`chat`: more lines under chat: (its zone, a cancellation, a UID), each ending "; "."""
    published = datetime(2026, 10, 1) + timedelta(days=day)
    start = published + timedelta(days=7, hours=hour)
    more = "".join(f"\n          {line}" for line in chat.split("; ") if line)
    return textwrap.dedent(f"""\
        ---
        title: "{title}"
        date: {published:%Y-%m-%d}
        tags: [{", ".join(tags)}]
        chat:
          start: {start:%Y-%m-%d %H:%M}{more}
        hosts: [{", ".join(hosts)}]{chr(10) + "        draft: true" if draft else ""}
        ---

        {body}

        {second}{f" See [the anchor]({link})." if link else ""}
        """)


def people_toml(names: dict[str, str]) -> str:
    return "".join(f'[{key}]\nname = "{name}"\n\n' for key, name in names.items())


class Model:
    """A small site as data; each edit changes the data, then the files are written."""

    def __init__(self, root: Path):
        self.root = root
        self.posts = {f"content/post-{n}.md": dict(title=f"Post {n}", day=n * 5,
                                                   tags=[TAGS[n % 4], TAGS[(n + 1) % 4]],
                                                   hour=19, hosts=[list(PEOPLE)[n % 3]],
                                                   body=f"Body of post {n}.")
                      for n in range(6)}
        self.people = dict(PEOPLE)
        self.site_toml = SITE_TOML + "posts_per_page = 2\n"
        self.template_note = ""
        self.listing_bodies = False   # an override that shows each post's body in listings
        self.now = NOW
        self.drafts = False  # the build's --drafts
        self.counter = 100
        self.write_all()

    def write_all(self) -> None:
        if (self.root / "content").exists():
            shutil.rmtree(self.root / "content")
        for path, post in self.posts.items():
            self.write_post(path, post)
        (self.root / "content" / "anchor.md").write_text(post_text(
            "Anchor", 3, ["voice"], 19, ["ann"], "The anchor."))
        (self.root / "content" / "linker.md").write_text(post_text(
            "Linker", 4, ["voice"], 19, ["bob"], "Links to the anchor.", link="anchor.md"))
        self.write_settings()

    def write_post(self, path: str, post: dict) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(post_text(**post))

    def write_settings(self) -> None:
        (self.root / "site.toml").write_text(self.site_toml)
        (self.root / "content" / "people.toml").write_text(people_toml(self.people))
        override = self.root / "templates" / "base.html"
        if self.template_note:
            override.parent.mkdir(parents=True, exist_ok=True)
            override.write_text((THEME / "base.html").read_text().replace(
                "</footer>", f"<p>{self.template_note}</p></footer>"))
        elif override.exists():
            override.unlink()
        macros = self.root / "templates" / "partials" / "macros.html"
        if self.listing_bodies:  # read through an imported macro: the analysis must follow it
            macros.parent.mkdir(parents=True, exist_ok=True)
            macros.write_text((THEME / "partials" / "macros.html").read_text().replace(
                "</article>", '<div class="listed">{{ post.body_html | safe }}</div></article>'))
        elif macros.exists():
            macros.unlink()

    def apply(self, kind: str, index: int, value: int) -> None:
        paths = sorted(self.posts)
        path = paths[index % len(paths)] if paths else None
        post = self.posts.get(path) if path else None
        if kind == "body" and post:
            post["body"] = f"Edited body {value}."
        elif kind == "paragraph" and post:   # not the first: the summary stays
            post["second"] = f"An edited second paragraph {value}."
        elif kind == "listing bodies":
            self.listing_bodies = not self.listing_bodies
        elif kind == "draft" and post:  # a draft is left out, then back in
            post["draft"] = not post.get("draft", False)
        elif kind == "title" and post:
            post["title"] = f"Title {value}"
        elif kind == "date" and post:
            post["day"] = value % 60
        elif kind == "tags" and post:
            post["tags"] = sorted({TAGS[value % 4], TAGS[(value // 4) % 4]})
        elif kind == "chat time" and post:
            post["hour"] = 8 + value % 12
        elif kind == "hosts" and post:
            post["hosts"] = sorted({list(self.people)[value % len(self.people)],
                                    list(self.people)[index % len(self.people)]})
        elif kind == "new post":
            self.counter += 1
            path = f"content/new/post-{self.counter}.md"
            post = self.posts[path] = dict(
                title=f"New {self.counter}", day=value % 60, tags=[TAGS[value % 4]], hour=19,
                hosts=["cat"], body="A new post.")
        elif kind == "delete" and post and len(self.posts) > 1:
            del self.posts[path]
            (self.root / path).unlink()
            return
        elif kind == "rename" and post:
            self.counter += 1
            del self.posts[path]
            (self.root / path).unlink()
            path = f"content/renamed-{self.counter}.md"
            self.posts[path] = post
        elif kind == "template":
            self.template_note = f"note {value}"
        elif kind == "site.toml":
            self.site_toml = SITE_TOML.replace("Test Network", f"Network {value % 3}") \
                + f"posts_per_page = {1 + value % 3}\n"
        elif kind == "people.toml":
            key = list(self.people)[value % len(self.people)]
            self.people[key] = f"Person {value}"
            if value % 2:
                self.people[f"extra{value % 5}"] = "An extra host"
        elif kind == "anchor date":
            anchor = self.root / "content" / "anchor.md"
            anchor.write_text(post_text("Anchor", value % 60, ["voice"], 19, ["ann"], "The anchor."))
            return
        elif kind == "clock":
            self.now = NOW + timedelta(days=value % 40 - 20)
            return
        elif kind in ("chat zone", "cancelled", "uid") and post:  # what events.ics shows
            lines = dict(line.split(": ", 1) for line in post.get("chat", "").split("; ") if line)
            if kind == "chat zone":
                lines["timezone"] = ["Europe/London", "Asia/Tokyo", "America/New_York"][value % 3]
            elif kind == "cancelled" and "status" in lines:
                del lines["status"]
            elif kind == "cancelled":
                lines.update(status="cancelled", sequence=str(1 + value % 3))
            else:  # unique: the post's own
                lines["uid"] = f"{path.rsplit('/', 1)[-1][:-3]}-{value}@example.org"
            post["chat"] = "".join(f"{key}: {line}; " for key, line in lines.items())
        elif kind == "drafts option":
            self.drafts = not self.drafts
            return
        elif kind == "events.ics by hand":  # never trusted: made again, as a clean build would
            events = self.root / "output" / "events.ics"
            data = events.read_bytes()
            if value % 4 == 0:
                events.unlink()
            elif value % 4 == 1:
                events.write_bytes(data[: len(data) // 2])
            elif value % 4 == 2:
                events.write_bytes(data + b"X-EXTRA:1\r\n")
            else:  # in place, the same size
                with open(events, "r+b") as handle:
                    handle.seek(data.index(b"SUMMARY:") + len(b"SUMMARY:"))
                    handle.write(b"#")
            return
        elif kind == "clock at a chat's end" and post:  # a second before, at, after; --now
            start = (datetime(2026, 10, 1) + timedelta(days=post["day"] + 7, hours=post["hour"])
                     ).replace(tzinfo=LONDON)  # given with an offset, not the site's zone
            end = (start + timedelta(minutes=DEFAULT_CHAT_MINUTES)).astimezone(timezone.utc)
            self.now = (end + timedelta(seconds=value % 3 - 1)).astimezone(
                timezone(timedelta(hours=5, minutes=30)))
            return
        if post is not None and kind not in ("delete",):
            self.write_post(path, post)
        self.write_settings()


KINDS = ["body", "paragraph", "listing bodies", "draft", "title", "date", "tags", "chat time", "hosts", "new post", "delete", "rename",
         "template", "site.toml", "people.toml", "anchor date", "clock", "chat zone", "cancelled",
         "uid", "drafts option", "events.ics by hand",
         "clock at a chat's end"]
EDITS = st.tuples(st.sampled_from(KINDS), st.integers(0, 20), st.integers(0, 1000))


@settings(max_examples=20, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a failure prints its edits; no slow shrinking
          suppress_health_check=[HealthCheck.too_slow])
@example(edits=[(kind, n, 37 * n + 5) for n, kind in enumerate(KINDS)])  # every kind, in turn
@given(st.lists(EDITS, min_size=1, max_size=6))
def test_incremental_build_equals_clean_build_after_any_edits(edits):
    edits_build_as_clean(edits)


def edits_build_as_clean(edits, after_each=lambda root: None) -> Model:
    """Applies `edits` to a fresh model site, one build after each: output/ equals a
    clean build's byte for byte, and `after_each(site folder)` holds, after every one."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        root.mkdir()
        model = Model(root)
        build_site(root, now=model.now)
        for kind, index, value in edits:
            model.apply(kind, index, value)
            build_site(root, now=model.now, drafts=model.drafts)
            clean = Path(folder) / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            build(BuildOptions(site_dir=root, output_dir=clean, now=model.now, cache=False,
                               drafts=model.drafts))
            assert snapshot(root / "output") == snapshot(clean), f"after {kind} {index} {value}"
            after_each(root)
        assert build_site(root, now=model.now, drafts=model.drafts).unchanged
        return model


# ----- what is rendered again -------------------------------------------------------

def built_model(tmp_path) -> tuple[Model, int]:
    model = Model(tmp_path / "site")
    report = build_site(model.root)
    return model, report.rendered


def page_of(paths: list[str], slug: str) -> str:
    return next(p for p in paths if p.endswith(f"/{slug}/index.html"))


def test_a_body_edit_renders_only_that_post_and_pages_listing_it(tmp_path):
    model, total = built_model(tmp_path)
    model.apply("body", 2, 7)   # post-2: tags literacy, autism; host cat
    report = build_site(model.root)
    rendered = set(report.rendered_paths)
    assert page_of(report.rendered_paths, "post-2")
    assert not any(p.endswith(("/post-1/index.html", "/post-3/index.html")) for p in rendered)
    assert "tags/voice/index.html" not in rendered and "people/ann/index.html" not in rendered
    assert rendered <= {page_of(report.rendered_paths, "post-2"), "index.html",
                        "page/2/index.html", "page/3/index.html", "page/4/index.html",
                        "tags/literacy/index.html", "tags/autism/index.html",
                        "people/cat/index.html", "archive/index.html",
                        "tags/index.html", "people/index.html",  # these hold Tag/host records
                        "events/index.html"}  # every chat
    assert report.reused == total - report.rendered
    body = BeautifulSoup((model.root / "output" / page_of(report.rendered_paths, "post-2"))
                         .read_text(), "html.parser").select_one("div.body").get_text()
    assert "Edited body 7." in body


def test_a_later_paragraph_edit_renders_only_that_post(tmp_path):
    """Listings show a post's title, dates and summary, not its body: they are kept."""
    model, _ = built_model(tmp_path)
    model.apply("paragraph", 2, 7)
    report = build_site(model.root)
    assert report.rendered_paths == [page_of(report.rendered_paths, "post-2")]
    soup = BeautifulSoup((model.root / "output" / report.rendered_paths[0]).read_text(),
                         "html.parser")
    assert "An edited second paragraph 7." in soup.select_one("div.body").get_text()


def test_listings_that_show_bodies_follow_body_edits(tmp_path):
    """A theme whose listing macro prints each post's body: its listings depend on it."""
    model, _ = built_model(tmp_path)
    model.apply("listing bodies", 0, 0)
    build_site(model.root)
    model.apply("paragraph", 2, 7)
    report = build_site(model.root)
    assert {"tags/literacy/index.html", "people/cat/index.html"} <= set(report.rendered_paths)
    soup = BeautifulSoup((model.root / "output" / "tags" / "literacy" / "index.html").read_text(),
                         "html.parser")
    assert any("An edited second paragraph 7." in div.get_text()
               for div in soup.select("div.listed"))


def test_a_title_edit_reaches_every_listing_of_the_post(tmp_path):
    model, _ = built_model(tmp_path)
    model.apply("title", 2, 5)
    report = build_site(model.root)
    for listing in ("archive/index.html", "tags/literacy/index.html", "people/cat/index.html"):
        assert listing in report.rendered_paths
        soup = BeautifulSoup((model.root / "output" / listing).read_text(), "html.parser")
        assert "Title 5" in [a.get_text() for a in soup.select("main a")]
    assert "tags/voice/index.html" not in report.rendered_paths


def test_a_template_change_renders_every_page(tmp_path):
    model, total = built_model(tmp_path)
    model.apply("template", 0, 1)
    report = build_site(model.root)
    assert report.reused == 0 and report.rendered == total


def test_a_site_toml_change_renders_every_page(tmp_path):
    model, total = built_model(tmp_path)
    (model.root / "site.toml").write_text(model.site_toml.replace("Test Network", "Renamed"))
    report = build_site(model.root)
    assert report.reused == 0 and report.rendered == total
    soup = BeautifulSoup((model.root / "output" / "tags" / "voice" / "index.html").read_text(),
                         "html.parser")
    assert soup.select_one(".site-title").get_text(strip=True) == "Renamed"


def test_a_people_change_renders_every_page(tmp_path):
    model, total = built_model(tmp_path)
    model.apply("people.toml", 0, 2)   # ann's name changes
    report = build_site(model.root)
    assert report.reused == 0 and report.rendered == total


def test_a_moved_post_updates_links_to_it(tmp_path):
    model, _ = built_model(tmp_path)
    model.apply("anchor date", 0, 40)
    report = build_site(model.root)
    linker = (model.root / "output" / page_of(report.rendered_paths, "linker")).read_text()
    anchor_url = "/" + page_of(report.rendered_paths, "anchor").removesuffix("index.html")
    hrefs = [a["href"] for a in BeautifulSoup(linker, "html.parser").select("div.body a")]
    assert anchor_url in hrefs


def test_nothing_changed_renders_nothing(tmp_path):
    model = Model(tmp_path / "site")
    early = datetime(2026, 10, 1, tzinfo=timezone.utc)  # every chat still to come
    build_site(model.root, now=early)
    report = build_site(model.root, now=early + timedelta(hours=1))
    assert report.unchanged and report.rendered == 0
    later = build_site(model.root, now=NOW)
    assert not later.unchanged and later.rendered > 0   # upcoming chats are now past
