"""theme.py's shorter ways through Jinja give Jinja's answers: attributes read with
Python's getattr first, plain functions called without asking for the context, templates
kept by name, contexts made without their set of global names until asked for it.
Each template here renders the same in Jinja's own environment and in ours."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.runtime import Context

from conftest import write_site
from resnetgen import fragments
from resnetgen.config import load_config
from resnetgen.problems import Problems
from resnetgen.theme import make_environment


@pytest.fixture
def env(tmp_path):
    folder = write_site(tmp_path / "site", {
        "templates/partials/hello.html": "{% set said = 'hi' %}{{ said }} {{ who.name }}",
        "templates/page.html": "[{% include 'partials/hello.html' %}] {{ said is defined }}",
    })
    return make_environment(folder, load_config(folder, Problems()))


def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


class Thing:
    name = "a <thing>"

    @property
    def broken(self):
        raise AttributeError("no")

    def __getitem__(self, key):
        return f"item {key}"


def plain(*args, **kwargs):
    return f"plain {args} {sorted(kwargs)}"  # (Jinja's _loop_vars and _block_vars not given)


@jinja2.pass_context
def with_context(context, suffix):
    return context["who"].name + suffix


class Callable_:
    def __call__(self, value):
        return value * 2


def stops():
    raise StopIteration


SOURCES = [
    "{{ who.name }} {{ d.key }} {{ d.items is defined }} {{ who.broken }}",
    "{{ nested.inner.name }} {{ (who).name | upper }} {{ [who][0].name }}",
    "{% for x in [who, who] %}{{ x.name }}{% endfor %}{% set y = who.name %}{{ y }}",
    "{% macro m(p) %}{{ p.name }}{% endmacro %}{{ m(who) }} {{ m(p=who) }}",
    "{{ plain() }} {{ with_context('!') }} {{ twice(3) }} {{ who.name.upper() }}",
    "{% for i in [1] %}{{ plain(i, k=who.name) }}{% endfor %}{% block b %}{{ plain(2) }}{% endblock %}",
    "{{ stops() is undefined }}",
    # the other places Jinja writes expressions: call and filter blocks, block sets,
    # loop filters, with, recursive loops, conditional expressions
    "{% macro box() %}<{{ caller() }}>{% endmacro %}{% call box() %}{{ who.name }}{% endcall %}",
    "{% filter upper %}{{ who.name }}{% endfilter %}{% set s %}{{ who.name }}{% endset %}{{ s }}",
    "{% for x in [who, d] if x.name is defined %}{{ x.name }}{% endfor %}",
    "{% with n = who.name %}{{ n }}{% endwith %}{{ who.name if d.key else d.key }}",
    "{% for x in tree recursive %}{{ x.name }}({{ loop(x.kids) }}){% endfor %}",
]


@pytest.mark.parametrize("source", SOURCES)
def test_templates_render_as_in_jinja(env, source):
    values = dict(who=Thing(), d={"key": "v", "items": 1}, nested={"inner": Thing()},
                  tree=[{"name": "a", "kids": [{"name": "b", "kids": []}]}],
                  plain=plain, with_context=with_context, twice=Callable_(), stops=stops)
    expected = jinja_env().from_string(source).render(values)
    assert env.from_string(source).render(values) == expected


def test_a_missing_attribute_is_undefined_as_in_jinja(env):
    for environment in (jinja_env(), env):
        with pytest.raises(jinja2.UndefinedError, match="has no attribute 'nothing'"):
            environment.from_string("{{ who.nothing }}").render(who=object())


def test_templates_are_kept_by_name_and_a_missing_one_is_still_missing(env):
    assert env.get_template("page.html") is env.get_template("page.html", "base.html")
    assert env.get_template("page.html") is env.cache[next(
        key for key in env.cache if key[1] == "page.html")]
    for _ in range(2):
        with pytest.raises(jinja2.TemplateNotFound):
            env.get_template("partials/nothing.html")
    # an include's own variables stay its own
    assert env.get_template("page.html").render(who=Thing()) == "[hi a &lt;thing&gt;] False"


def test_a_context_has_what_jinjas_has(env):
    template = env.get_template("page.html")
    ours = template.new_context({"who": Thing()})
    theirs = Context(env, dict(ours.parent), template.name, template.blocks,
                     globals=template.globals)
    assert set(vars(theirs)) == set(vars(ours)) - {"_globals"} | {"globals_keys"}
    assert ours.globals_keys == theirs.globals_keys
    assert ours.blocks.keys() == theirs.blocks.keys()
    assert ours.eval_ctx.autoescape == theirs.eval_ctx.autoescape
    # an import without context sees the globals (what globals_keys is for)
    module = env.from_string("{% macro m() %}{{ url('x/') }}{% endmacro %}")
    assert env.from_string("{% import t as n %}{{ n.m() }}").render(t=module) == "/x/"


def test_a_topic_link_kept_is_the_one_made():
    class Post_:
        tags = ("Voice", "A & B", "Voice")
    made: dict[str, str] = {}
    first = fragments.tag_list(Post_(), lambda tag: f"/tags/{tag.lower()}/", made)
    assert set(made) == {"Voice", "A & B"}
    again = fragments.tag_list(Post_(), lambda tag: "never asked", made)
    assert first == again == fragments.tag_list(Post_(), lambda tag: f"/tags/{tag.lower()}/")
    assert 'href="/tags/a &amp; b/"' in first
