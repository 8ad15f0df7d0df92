"""The README's template contract holds with theme.py's Environment exactly as with stock
Jinja2: the same templates (site templates/ over the theme's, imports with and without
context, macros, caller, loop, filters, autoescape, undefined values, attribute-then-item
lookup) render to the same text, and fail with the same error at the same template line."""

from __future__ import annotations

import traceback

import jinja2
import pytest
from markupsafe import Markup

from conftest import write_site
from resnetgen.config import load_config
from resnetgen.problems import Problems
from resnetgen.theme import make_environment, render_error

TEMPLATES = {
    "templates/lib.html": """\
        {% macro card(item, tag='p') -%}
        <{{ tag }} class="{{ item.kind }}">{{ item.name }}{% if caller is defined %}[{{ caller(item.name) }}]{% endif %}</{{ tag }}>
        {%- endmacro %}
        {% macro with_globals() %}{{ url('a/') }}|{{ 'b/' | url }}{% endmacro %}
        {% macro reads_page() %}{{ who.name }}{% endmacro %}
        {% set exported = 'x' ~ 1 %}
        """,
    "templates/partials/inc.html": "{{ who.name }}|{{ d['items'] }}|{{ d.items is callable }}",
    "templates/page.html": """\
        {% import 'lib.html' as lib %}
        {% from 'lib.html' import card, with_globals %}
        {% import 'lib.html' as libc with context %}
        {{ lib.card(who) }}
        {% call(name) card(who, tag='li') %}<{{ name }}>{% endcall %}
        {{ with_globals() }} {{ lib.exported }} {{ libc.reads_page() }}
        {% include 'partials/inc.html' %}
        {% for x in [who, d, who] if x.name is defined %}{{ loop.index }}/{{ loop.length }}:{{ x.name }}{{ loop.cycle(',', ';') }}{% endfor %}
        {{ d.key }} {{ d.nokey is defined }} {{ d.get('key') }} {{ who['name'] }} {{ who.missing is defined }}
        {{ safe }} {{ safe | e }} {{ '<b>' | safe }} {{ raw }} {{ raw | e }} {{ 3 }} {{ true }} {{ none }} {{ -2 }} {{ 2 ** 70 }}
        {{ who.name | upper | replace('<', '[') }} {{ items | map(attribute='n') | join(', ') }} {{ items | map(attribute='name') | join }}
        {% set ns = namespace(n=0) %}{% for i in items %}{% set ns.n = ns.n + i.n %}{% endfor %}{{ ns.n }}
        {{ '%s-%s' | format(who.name, d.key) }} {{ (who.name ~ d.key) | length }}
        """,
    "templates/base.html": "<{% block title %}base{% endblock %}>{% block body %}{% endblock %}",
    "templates/child.html": """\
        {% extends 'base.html' %}{% block title %}{{ super() }}+{{ self.body() | trim }}{% endblock %}
        {% block body %} {{ who.name }} {% endblock %}""",
}


class Item:
    def __init__(self, name, n):
        self.name, self.n = name, n


class Thing:
    name = "a <thing> & co"
    kind = "k\"ind"

    @property
    def half(self):
        raise AttributeError("half")

    def __getitem__(self, key):
        if key == "half":
            return "item half"
        raise KeyError(key)


def values():
    return dict(who=Thing(), d={"key": "v&", "items": "the items key", "name": "dn"},
                safe=Markup("<i>kept</i>"), raw="<i>escaped</i>",
                items=[Item("a", 1), Item("<b>", 2)])


@pytest.fixture
def envs(tmp_path):
    folder = write_site(tmp_path / "site", TEMPLATES)
    ours = make_environment(folder, load_config(folder, Problems()))
    stock = jinja2.Environment(
        loader=ours.loader, autoescape=jinja2.select_autoescape(["html", "xml"],
                                                                default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    stock.filters.update(ours.filters)
    stock.globals.update(ours.globals)
    return folder, ours, stock


@pytest.mark.parametrize("name", ["page.html", "child.html", "partials/inc.html"])
def test_contract_templates_render_as_with_stock_jinja(envs, name):
    _, ours, stock = envs
    expected = stock.get_template(name).render(values())
    assert "&lt;thing&gt;" in expected  # (autoescaped, once)
    assert ours.get_template(name).render(values()) == expected


def test_a_property_raising_attribute_error_falls_back_to_the_item(envs):
    _, ours, stock = envs
    for env in (stock, ours):
        assert env.from_string("{{ who.half }}").render(values()) == "item half"


def test_a_property_is_read_once_even_when_it_raises_attribute_error(envs):
    """Jinja reads `x.y` once (getattr, then the item): a property with a side effect
    (a counter, a lazy load) runs as often in our environment as in Jinja's."""
    _, ours, stock = envs
    counts = []

    class Lazy:
        @property
        def value(self):
            counts.append(1)
            raise AttributeError("value")

        def __getitem__(self, key):
            return "item"

    for env in (stock, ours):
        counts.clear()
        assert env.from_string("{{ x.value }}").render(x=Lazy()) == "item"
        assert len(counts) == 1, env


BROKEN = {
    "templates/partials/bad.html": """\
        line one
        {{ who.name }}
        {{ who.kind
             | upper }}
        {{ who.explodes.further }}
        """,
    "templates/bad_page.html": "a\n{% include 'partials/bad.html' %}\n",
    "templates/macro_lib.html": "{% macro m(x) %}\n{{ x.explodes }}\n{% endmacro %}\n",
    "templates/bad_macro.html": "{% import 'macro_lib.html' as l %}\n\n{{ l.m(who) }}\n",
    "templates/missing_attr.html": "{{ who.name }}\n{{ who.nothing_here }}\n",
}


class Exploding(Thing):
    @property
    def explodes(self):
        raise ValueError("boom")


@pytest.mark.parametrize("name, line", [("bad_page.html", 5), ("bad_macro.html", 2),
                                        ("missing_attr.html", 2)])
def test_errors_are_reported_at_the_templates_line_as_with_stock_jinja(tmp_path, name, line):
    folder = write_site(tmp_path / "site", BROKEN)
    ours = make_environment(folder, load_config(folder, Problems()))
    stock = jinja2.Environment(loader=ours.loader, undefined=jinja2.StrictUndefined,
                               autoescape=True, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
    found = []
    for env in (stock, ours):
        with pytest.raises(Exception) as caught:
            env.get_template(name).render(who=Exploding())
        found.append((type(caught.value), str(caught.value),
                      render_error(caught.value, env, folder, name)))
        assert "".join(traceback.format_exception(caught.value))  # (printable)
    assert found[0] == found[1]
    assert found[1][2][1] == line, found[1]


def test_a_site_template_overrides_the_themes(tmp_path):
    folder = write_site(tmp_path / "site", {"templates/404.html": "mine {{ 1 + 1 }}"})
    env = make_environment(folder, load_config(folder, Problems()))
    assert env.get_template("404.html").render() == "mine 2"
    assert env.get_template("404.html") is env.get_template("404.html")


# `x.y` in every place Jinja writes an expression: each compiles and renders as in Jinja.
GETATTR_PLACES = [
    "{% for k, v in x.d.items() %}{{ k }}={{ v.n }};{% endfor %}",
    "{% macro m(a=x.d.a.n, b=x.name) %}{{ a }}{{ b }}{% endmacro %}{{ m() }}{{ m(x.d.b.n) }}",
    "{% macro m(p) %}{{ caller(p.n) }}{% endmacro %}{% call(u) m(x.d.a) %}{{ u }}{{ x.name }}{% endcall %}",
    "{% autoescape false %}{{ x.name }}{% endautoescape %}{{ x.name }}",
    "{% include x.inc %}{% import x.lib as i %}{{ i.card(x.d.a) }}{% from x.lib import card with context %}",
    "{{ {x.name: x.d.a.n}[x.name] }} {{ x.name[x.d.a.n:x.d.b.n] }} {{ x.d.a.n is divisibleby x.d.b.n }}",
    "{{ x.nope | default(x.name) }} {{ x.d.a.n in [x.d.a.n] }} {{ not x.d.a.n }} {{ x.name ~ x.d.a.n }}",
    "{% for i in x.kids if i.n recursive %}{{ i.n }}{{ loop.previtem.n if loop.previtem is defined }}"
    "({{ loop(i.kids) }}){% endfor %}",
    "{% set a, b = x.name, x.d.a.n %}{{ a }}{{ b }}{% set ns = namespace() %}{% set ns.v = x.name %}{{ ns.v }}",
    "{{ f(*x.args, **x.kw) }} {{ x.name.upper() }} {{ (x.d).a.n }} {{ x['d'].a['n'] }}",
    "{% if x.d.a.n %}{{ x.d.a.n + x.d.b.n }}{% elif x.name %}no{% else %}{{ x.name }}{% endif %}",
]


class Node:
    def __init__(self, n, kids=()):
        self.n, self.kids = n, list(kids)
        self.name, self.kind = f"n<{n}>", "node"


class X:
    name = "<x>"
    inc = "partials/inc.html"
    lib = "lib.html"
    d = {"a": Node(1), "b": Node(3)}
    kids = [Node(1, [Node(2), Node(0, [Node(5)])]), Node(4)]
    args = (1, 2)
    kw = {"k": "v"}


def test_getattr_in_every_place_renders_as_with_stock_jinja(envs):
    _, ours, stock = envs
    for source in GETATTR_PLACES:
        given = dict(values(), x=X(), f=lambda *a, **k: f"{a}{k}")
        try:
            expected = stock.from_string(source).render(given)
        except jinja2.TemplateError as exc:
            expected = f"{type(exc).__name__}: {exc}"
        try:
            got = ours.from_string(source).render(given)
        except jinja2.TemplateError as exc:
            got = f"{type(exc).__name__}: {exc}"
        assert got == expected, source


class StockEnvironment(jinja2.Environment):
    """Jinja's own environment, with no shorter way (code generator, context, template
    store): what the theme's pages must be, byte for byte."""

    def forget_parsed(self) -> None:
        pass


def test_the_rich_site_renders_as_with_stock_jinja(rich, tmp_path, monkeypatch):
    from conftest import NOW, snapshot
    from resnetgen import theme
    from resnetgen.build import BuildOptions, build

    def built(name):
        output = tmp_path / name
        build(BuildOptions(site_dir=rich, output_dir=output, now=NOW, cache=False,
                           cache_dir=tmp_path / f"{name}-cache"))
        return snapshot(output)

    ours = built("ours")
    monkeypatch.setattr(theme, "Environment", StockEnvironment)
    stock = built("stock")
    assert len(ours) > 20 and ours.keys() == stock.keys()
    assert [path for path in ours if ours[path] != stock[path]] == []
