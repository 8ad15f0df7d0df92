"""The pieces made in Python (resnetgen/fragments.py) give the bytes the theme's Jinja
macros gave, whatever the post holds (markup characters, hosts, papers, topics)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from conftest import write_site
from resnetgen.config import load_config
from resnetgen.models import CANCELLED, SCHEDULED, Chat, Paper, Person, Post
from resnetgen.problems import Problems
from resnetgen.theme import make_environment
from resnetgen.urls import Urls, slugify

# The theme's macros as they were before they became Python (macros.html at 3a9b823).
REFERENCE = """\
{% macro chat_time(post) %}
<time datetime="{{ post.chat.start | isoformat }}" data-start="{{ post.chat.start | isoformat }}" data-end="{{ post.chat.end | isoformat }}">{{ chat_when(post.chat) }}</time>
{%- endmacro %}

{% macro chat_state(post) %}
{% if post.chat.cancelled %}<span class="badge badge-cancelled">Cancelled</span>
{% elif site.is_upcoming(post) %}<span class="badge badge-upcoming">Upcoming</span>
{% else %}<span class="badge badge-over">This chat is over</span>
{% endif %}
{%- endmacro %}

{% macro host_names(post) %}
{% for host in post.hosts %}<a href="{{ host.url }}">{{ host.name }}</a>{% if host.handle %} ({{ host.handle }}){% endif %}{{ ", " if not loop.last and loop.revindex > 2 else (" and " if not loop.last else "") }}{% endfor %}
{%- endmacro %}

{% macro citation(paper) %}
<p class="citation">
{% if paper.authors %}{{ paper.authors | join(", ") }}{% if paper.year %} ({{ paper.year }}){% endif %}. {% elif paper.year %}({{ paper.year }}). {% endif %}
<cite>{{ paper.title }}</cite>{{ "" if paper.title[-1:] in "?!." else "." }}{% if paper.venue %} {{ paper.venue }}.{% endif %}
{% if paper.doi %} <a href="https://doi.org/{{ paper.doi }}">https://doi.org/{{ paper.doi }}</a>{% elif paper.url %} <a href="{{ paper.url }}">{{ paper.url }}</a>{% endif %}
</p>
{%- endmacro %}

{% macro post_summary(post, heading="h2") %}
<article class="summary{{ ' summary-briefing' if post.is_briefing else '' }}">
  <{{ heading }}><a href="{{ post.url }}">{{ post.title }}</a>{% if post.draft %} <span class="badge badge-draft">Draft</span>{% endif %}</{{ heading }}>
  <p class="meta">
  {% if post.is_briefing %}
    Tweetchat: {{ chat_time(post) }} {{ chat_state(post) }}
  {% else %}
    <time datetime="{{ post.date | isoformat }}">{{ post.date | long_date }}</time>
  {% endif %}
  </p>
  {% if post.summary %}<p>{{ post.summary }}</p>{% endif %}
</article>
{%- endmacro %}

{% macro tag_list(post) %}
{% if post.tags %}
<p class="tags">Topics:
{% for tag in post.tags %}<a href="{{ site.tag_url(tag) }}" rel="tag">{{ tag }}</a>{{ ", " if not loop.last }}{% endfor %}
</p>
{% endif %}
{%- endmacro %}
"""

NOW = datetime(2020, 6, 1, 12, tzinfo=ZoneInfo("UTC"))
ZONES = ["Europe/London", "Australia/Sydney", "America/New_York"]


class FakeSite:
    """The two things the pieces ask of `site`."""

    def __init__(self, urls: Urls):
        self.urls = urls

    def is_upcoming(self, post: Post) -> bool:
        return post.chat is not None and post.chat.end > NOW

    def tag_url(self, name: str) -> str:
        return self.urls.url(f"tags/{slugify(name)}/")


words = st.text(alphabet=st.sampled_from("ab Zé<>&\"'.?!-#@/"), max_size=12)
people = st.builds(Person, key=st.just("k"), name=words, handle=words, url=words)
papers = st.builds(Paper, title=words, authors=st.lists(words, max_size=3).map(tuple),
                   year=st.one_of(st.none(), st.integers(1990, 2030)), venue=words,
                   doi=words, url=words)


@st.composite
def posts(draw) -> Post:
    zone = draw(st.sampled_from(ZONES))
    start = datetime(2020, 1, 1, 0, 0, tzinfo=ZoneInfo(zone)) + timedelta(
        minutes=15 * draw(st.integers(0, 35000)))
    chat = draw(st.one_of(st.none(), st.builds(
        Chat, start=st.just(start), end=st.just(start + timedelta(minutes=draw(st.sampled_from([60, 90, 900])))),
        timezone=st.just(zone), hashtag=words, status=st.sampled_from([SCHEDULED, CANCELLED]))))
    return Post(source_path="content/x.md", kind="post", title=draw(words), date=start,
                updated=None, slug="x", url=draw(words), output_path="x/index.html",
                permalink="https://example.org/x/", summary=draw(words), body_html="",
                tags=tuple(draw(st.lists(words, max_size=4))), draft=draw(st.booleans()),
                chat=chat, hosts=tuple(draw(st.lists(people, max_size=4))),
                paper=draw(st.one_of(st.none(), papers)))


def environment(tmp_path):
    folder = write_site(tmp_path / "site", {})
    config = load_config(folder, Problems())
    return make_environment(folder, config), FakeSite(Urls(config))


def test_every_piece_is_what_the_macros_made(tmp_path):
    env, site = environment(tmp_path)
    reference = env.from_string(REFERENCE).make_module({"site": site})
    theme = env.get_template("partials/macros.html").make_module({"site": site})

    @settings(max_examples=300, deadline=None)
    @given(posts())
    def check(post):
        calls = [("tag_list", post), ("post_summary", post), ("post_summary", post, "h3")]
        if post.chat:
            calls += [("chat_time", post), ("chat_state", post), ("host_names", post)]
        if post.paper:
            calls.append(("citation", post.paper))
        for name, *args in calls:
            old = getattr(reference, name)(*args)
            assert getattr(theme, name)(*args) == old, name
            if name != "post_summary":  # the filter itself, as the theme's pages use it
                direct = env.from_string("{{ x | " + name + " }}").render(x=args[0], site=site)
                assert direct == old, name

    check()


def test_the_pieces_escape_what_they_print(tmp_path):
    env, site = environment(tmp_path)
    start = datetime(2020, 7, 1, 19, 30, tzinfo=ZoneInfo("Europe/London"))
    post = Post(source_path="content/x.md", kind="post", title="t", date=start, updated=None,
                slug="x", url="/x/", output_path="x/index.html", permalink="", summary="",
                body_html="", tags=("<b>bold</b>",),
                chat=Chat(start, start + timedelta(hours=1), "Europe/London", "#x"),
                hosts=(Person("a", "A & B", "@a", url="/people/a/"), Person("c", "<C>", url="/c")),
                paper=Paper("<i>T</i>", ("X <Y>",), 2019, doi='10.1/"q"'))
    html = env.from_string("{{ post | host_names }} {{ post.paper | citation }} {{ post | tag_list }}"
                           ).render(post=post, site=site)
    soup = BeautifulSoup(html, "html.parser")
    assert [a.get_text() for a in soup.find_all("a")] == [
        "A & B", "<C>", 'https://doi.org/10.1/"q"', "<b>bold</b>"]
    assert soup.find("cite").get_text() == "<i>T</i>" and not soup.find("i")
    assert soup.find("a", rel="tag")["href"] == "/tags/b-bold-b/"
    assert "X <Y> (2019)." in soup.find("p", class_="citation").get_text()


def test_site_wide_links_are_made_once_per_topic(tmp_path):
    from resnetgen.calendar_links import SiteLinks, feed_links, subscribe_links
    from resnetgen.models import Tag
    config = load_config(write_site(tmp_path / "site", {}), Problems())
    links = SiteLinks(config)
    voice, autism = Tag("Voice", "voice", "/tags/voice/", ()), Tag("Autism", "autism", "/tags/autism/", ())
    assert links.feed_links(tag=voice) is links.feed_links(tag=Tag("Voice", "voice", "", ()))
    assert links.feed_links(tag=voice) == feed_links(config, voice)
    assert links.feed_links(tag=autism).rss == "https://example.org/tags/autism/feed.xml"
    assert links.feed_links() == feed_links(config) != links.feed_links(briefings=True)
    assert links.subscribe_links() is links.subscribe_links() == subscribe_links(config)


@settings(max_examples=300, deadline=None)
@given(posts(), words, st.text(max_size=30))
def test_calendar_links_are_what_urlencode_makes(post, venue, title):
    """chat_links quotes by table (calendar_links._quote); urllib's urlencode is the reference."""
    from dataclasses import replace
    from urllib.parse import quote, urlencode

    from resnetgen.calendar_links import (GOOGLE_TEMPLATE, OUTLOOK_COMPOSE, chat_links,
                                          google_time, iso_utc)
    from resnetgen.chat_text import when
    from resnetgen.config import CalendarSettings, SiteConfig
    if post.chat is None:
        return
    post = replace(post, title=title, url="/x/", permalink="https://example.org/x/?a=1&b=é")
    config = SiteConfig("T", "", "https://example.org/", calendar=CalendarSettings(venue=venue))
    chat = post.chat
    details = f"{when(post, config)}\n{chat.hashtag} on {config.network}\n{post.permalink}"
    location = f"{venue}, {chat.hashtag}"
    links = chat_links(post, config)
    assert links.google == GOOGLE_TEMPLATE + "?" + urlencode({
        "action": "TEMPLATE", "text": title,
        "dates": f"{google_time(chat.start)}/{google_time(chat.end)}",
        "details": details, "location": location}, safe="/", quote_via=quote)
    assert links.outlook == OUTLOOK_COMPOSE + "?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": iso_utc(chat.start), "enddt": iso_utc(chat.end),
        "body": details, "location": location}, safe="/", quote_via=quote)
