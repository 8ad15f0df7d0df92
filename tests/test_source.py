"""Front matter reading: the quick YAML construction gives PyYAML's own values."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from resnetgen.problems import Problems
from resnetgen import source
from resnetgen.source import _DateStringLoader, read_source


class StockLoader(_DateStringLoader):
    """The same loader (libyaml, dates left as text) with PyYAML's own construction."""

    def construct_document(self, node):
        return yaml.constructor.BaseConstructor.construct_document(self, node)


def check(text: str) -> bool:
    """Whether the events' reading (source._from_events) took `text` itself."""
    quick = source._from_events(text)
    try:
        expected = yaml.load(text, Loader=StockLoader)
    except yaml.YAMLError as error:
        with pytest.raises(type(error)):
            yaml.load(text, Loader=_DateStringLoader)
        assert quick is source._UNSURE  # PyYAML's own error, as PyYAML raises it
        return False
    # repr: types (1, 1.0, True), order, NaN and recursive lists all show in it.
    assert repr(yaml.load(text, Loader=_DateStringLoader)) == repr(expected), text
    assert repr(source._YAML().load(text)) == repr(expected), text
    if quick is not source._UNSURE:
        assert repr(quick) == repr(expected), text
    return quick is not source._UNSURE


scalars = (st.text(max_size=12) | st.integers() | st.floats() | st.booleans() | st.none()
           | st.sampled_from(["yes", "No", "on", "~", "null", "0x1F", "0o17", "1_000", "1:30",
                              "2018-01-31", "2018-01-31 19:30", ".inf", "-.Inf", ".nan", "1e3",
                              "+12", "", "<<", "=", "!x", "'q'", "a: b", "- c", "#h"]))
trees = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(scalars.filter(lambda k: not isinstance(k, float)
                                                      or not math.isnan(k)), children, max_size=4),
                     max_leaves=20)


@settings(max_examples=600, deadline=None)
@given(trees, st.booleans())
def test_quick_construction_gives_pyyamls_values(tree, flow):
    check(yaml.safe_dump(tree, default_flow_style=flow, allow_unicode=True))


@pytest.mark.parametrize("text", [
    "title: A\ndate: 2018-01-31\ntags: [a, b]\nchat:\n  start: 2018-01-31 19:30\n  duration: 60\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",            # merge keys
    "a: &l [1, 2]\nb: *l\n",                                  # aliases share one list
    "a: &r [1, *r]\n",                                        # a recursive alias
    "? [1, 2]\n: list key\n",                                 # an unhashable key
    "a: !!binary aGVsbG8=\nb: !!timestamp 2018-01-31\n",      # explicit tags
    "a: !!set {x, y}\nb: !!omap [{k: 1}]\nc: !!str 12\nd: !!int '7'\n",
    "a: !custom x\n", "= : value\n", "a: 1\na: 2\n", "1: a\n1.0: b\ntrue: c\n", "",
    "- [a, {b: [c, {d: e}]}]\n", "a: yes\nb: NO\nc: ~\nd: 0b101\ne: 1:20\n",
])
def test_front_matter_shapes(text):
    check(text)


def test_the_events_reading_takes_the_usual_front_matter_and_leaves_the_rest():
    assert check("title: A\ndate: 2018-01-31\ntags: [a, 'b', \"c\"]\nchat:\n  start: 2018-01-31 19:30\n"
                 "  n: 60\n  ok: yes\n  none: ~\nlist:\n- [1, 2.5, {x: y}]\n- ''\n")
    assert check("") and check("---\n") and check("- a\n- b\n") and check("plain")
    for text in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "? [1]\n: b\n", "<<: {a: 1}\n",
                 "= : v\n", "a: 1\n---\nb: 2\n", "a: [1\n", "a: b: c\n"):
        assert not check(text), text


def test_read_source_keeps_dates_as_text(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(
        "---\ntitle: T\ndate: 2018-01-31\nchat: {start: 2018-01-31 19:30}\n---\nBody\n")
    source = read_source(tmp_path, "content/a.md", Problems())
    assert source.meta == {"title": "T", "date": "2018-01-31",
                           "chat": {"start": "2018-01-31 19:30"}}
    assert source.body == "\nBody\n" and source.body_line == 5  # the body starts on the closing ---


@pytest.mark.parametrize("value", ["!!int abc", "!!float xyz"])
def test_a_value_yaml_cannot_read_is_an_error_not_a_crash(tmp_path, value):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(f"---\ntitle: {value}\ndate: 2018-01-31\n---\nBody\n")
    problems = Problems()
    assert read_source(tmp_path, "content/a.md", problems) is None
    assert [p.message for p in problems.items] == [
        f"front matter has a value YAML cannot read: {err}" for err in
        [ValueError("invalid literal for int() with base 10: 'abc'") if "int" in value
         else ValueError("could not convert string to float: 'xyz'")]]


def test_discoverable_agrees_with_discover(tmp_path):
    from resnetgen.source import discover, discoverable
    names = ["content/a.md", "content/x/b.md", "content/x/pic.png", "content/.hidden.md",
             "content/_drafts/c.md", "content/x/.git/d.md", "content/people.toml",
             "content/x/Thumbs.db", "content/x/_e.png", "templates/f.md", "g.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    markdown, assets = discover(tmp_path)
    assert sorted(markdown + assets) == ["content/a.md", "content/x/b.md", "content/x/pic.png"]
    assert [n for n in names if discoverable(tmp_path, n)] == sorted(markdown + assets)
    assert not discoverable(tmp_path, "content/x") and not discoverable(tmp_path, "content/no.md")


def test_plain_scalars_read_again_are_typed_the_same():
    """_build keeps short plain scalars' values for the next documents (see _PLAIN)."""
    text = "a: 1\nb: yes\nc: ~\nd: 1.5\ne: 0x1F\nf: .nan\ng: text\nh: 1:20\n"
    for _ in range(2):
        assert check(text)
    assert "0x1F" in source._PLAIN and source._from_events(text)["e"] == 31
