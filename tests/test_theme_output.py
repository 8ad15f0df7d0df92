"""The theme's templates print values as Jinja's own code does: the code generator
(theme._CodeGenerator) only makes the printing quicker, never different."""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import Markup, escape

from resnetgen.config import load_config
from resnetgen.problems import Problems, SiteError
from resnetgen.theme import html_piece, make_environment

from conftest import build_site, write_site


class Html:
    """An object printing itself as HTML (what `__html__` is for)."""

    def __html__(self) -> str:
        return "<b>bold</b>"


class Plain:
    def __str__(self) -> str:
        return "a < b & 'c'"


@given(st.text())
def test_a_piece_is_escape_for_any_text(text):
    assert html_piece(text) == str(escape(text))
    assert type(html_piece(text)) in (str, Markup)


@pytest.mark.parametrize("value", [
    0, 3, -1.5, None, True, Markup("<i>x</i>"), Html(), Plain(), ["<a>"], Markup(""), ""])
def test_a_piece_is_escape_for_other_values(value):
    assert str(html_piece(value)) == str(escape(value))


def _envs(folder) -> tuple[jinja2.Environment, jinja2.Environment]:
    """The theme's environment, and Jinja's own with the same settings and filters,
    both reading TEMPLATE as page.html (autoescaped) and page.txt (not)."""
    site = write_site(folder / "site", {})
    problems = Problems()
    ours = make_environment(site, load_config(site, problems))
    assert not problems.items
    jinjas = jinja2.Environment(
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    jinjas.filters.update(ours.filters)
    loader = jinja2.DictLoader({"page.html": TEMPLATE, "page.txt": TEMPLATE})
    ours.loader = jinjas.loader = loader
    return ours, jinjas


TEMPLATE = """\
<p title="{{ text }}">{{ text }} {{ number }} {{ html }} {{ markup }} {{ text | safe }}</p>
{% autoescape false %}<raw>{{ text }}</raw>{% endautoescape %}
{% set block %}<q>{{ text }}</q>{% endset %}{{ block }}
{% macro m(x) %}<m>{{ x }}</m>{% endmacro %}{{ m(text) }}{{ m(markup) }}
{% filter upper %}{{ text }}{% endfilter %}
{{ "<const & text>" }} {{ 1 + 2 }} {{ text ~ markup }} {{ none }} {{ [text] }}
{% for item in items %}<li>{{ item }}</li>{% endfor %}
"""


@pytest.fixture(scope="module")
def envs(tmp_path_factory):
    return _envs(tmp_path_factory.mktemp("envs"))


@given(text=st.text(), number=st.integers())
@settings(max_examples=80, deadline=None)
def test_templates_print_what_jinja_prints(envs, text, number):
    ours, jinjas = envs
    values = {"text": text, "number": number, "html": Html(), "markup": Markup("<em>&amp;</em>"),
              "items": [text, number, Markup("<br>"), Plain(), None]}
    for name in ("page.html", "page.txt"):
        made = ours.get_template(name).render(values)
        assert made == jinjas.get_template(name).render(values)
    assert ours.from_string(TEMPLATE).render(values) == jinjas.from_string(TEMPLATE).render(values)


def test_the_generated_code_uses_the_quick_printing(envs):
    ours, jinjas = envs
    assert "html_piece(" in ours.compile("{{ x }}", raw=True)
    assert "html_piece(" not in jinjas.compile("{{ x }}", raw=True)
    # Without autoescape, Jinja's str() as before
    assert "html_piece(" not in ours.compile("{% autoescape false %}{{ x }}{% endautoescape %}",
                                             raw=True)


def test_an_undefined_value_still_fails(envs):
    ours, _ = envs
    with pytest.raises(jinja2.UndefinedError):
        ours.from_string("<p>{{ missing }}</p>").render()


def test_a_fault_in_a_run_of_values_is_reported_on_its_line(tmp_path):
    # One run of text and values (printed at once) across lines: the fault's own line.
    template = ("{% extends 'base.html' %}\n{% block content %}\n<p>{{ post.title }}\n"
                "{{ post.summary }} and {{ post.date }}\n{{ post.titel }} {{ post.url }}</p>\n"
                "{% endblock %}\n")
    site_dir = write_site(tmp_path / "site", {
        "templates/post.html": template,
        "content/a.md": "---\ntitle: Good\ndate: 2018-01-01\n---\nFine.\n"})
    with pytest.raises(SiteError) as raised:
        build_site(site_dir)
    [problem] = [p for p in raised.value.problems if "titel" in p.message]
    assert (problem.path, problem.line) == ("templates/post.html", 5)


def test_each_template_is_parsed_once_for_compiling_and_reading(tmp_path, monkeypatch):
    from resnetgen.fingerprint import body_readers, reaches_whole_site
    from resnetgen.theme import check_templates
    site = write_site(tmp_path / "site", {
        "templates/extra.html": "{% extends 'base.html' %}{% block content %}"
                                "{{ 'x/' | url }}{% include 'partials/' ~ 'old_comments.html' %}"
                                "{% endblock %}"})
    problems = Problems()
    config = load_config(site, problems)
    fresh = make_environment(site, config)
    expected = (reaches_whole_site(fresh), body_readers(fresh))
    parsed: list[str] = []
    real = jinja2.Environment._parse

    def counting(self, source, name, filename):
        parsed.append(source)
        return real(self, source, name, filename)
    monkeypatch.setattr(jinja2.Environment, "_parse", counting)
    env = make_environment(site, config)
    check_templates(env, site, problems)
    assert not problems.items
    # the trees compiled (their constants folded by Jinja) read as fresh ones
    assert (reaches_whole_site(env), body_readers(env)) == expected
    assert len(parsed) == len(set(parsed)) == len(env.list_templates())


SOURCE = "{{ ((['<a>', '<b>' | safe] | join) | length) + n }}"


def test_a_template_compiled_without_a_name_prints_what_jinja_prints(tmp_path):
    # (found in review) Environment.parse shared a named template's syntax tree with a compile of the same
    # text without a name (from_string); Jinja's compiler folds constants into that
    # tree in place, under the first template's autoescape (off for .txt). Jinja: 12.
    site = write_site(tmp_path / "site", {})
    ours = make_environment(site, load_config(site, Problems()))
    jinjas = jinja2.Environment(
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    ours.loader = jinjas.loader = jinja2.DictLoader({"a.txt": SOURCE})
    for env in (ours, jinjas):
        assert env.get_template("a.txt").render(n=0) == "6"
    assert ours.from_string(SOURCE).render(n=0) == jinjas.from_string(SOURCE).render(n=0) == "12"


def test_a_volatile_autoescape_prints_what_jinja_prints(tmp_path):
    # (a guard from review) `{% autoescape v %}` with v known only at
    # render time (frame.eval_ctx.volatile); dropping that check in
    # _CodeGenerator._output_child_pre passed every other test.
    site = write_site(tmp_path / "site", {})
    ours = make_environment(site, load_config(site, Problems()))
    template = "{% autoescape v %}<p>{{ a }} {{ a }}</p>{% endautoescape %}{{ a }}"
    for v, expected in ((False, "<p><x> <x></p>&lt;x&gt;"),
                        (True, "<p>&lt;x&gt; &lt;x&gt;</p>&lt;x&gt;")):
        assert ours.from_string(template).render(v=v, a="<x>") == expected
