"""The Markdown parser's own speed-ups give what markdown-it-py's stock rules give."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from resnetgen import markdown
from resnetgen.urls import slugify


def stock_parser() -> MarkdownIt:
    """markdown_parser() as the library makes it: its normalize rule, no link resolving."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify)
    md.add_render_rule("footnote_block_open", markdown._footnotes_open)
    md.add_render_rule("footnote_anchor", markdown._footnote_back_link)
    return md


PIECES = ["\n", "\r\n", "\r", "\0", "\n\n", "  \n", "\t", " ", "word", "é", "*", "_", "**",
          "`", "~~", "[", "]", "(x.md)", "(#a)", "![", "<b>", "</b>", "<!-- c -->", "&amp;",
          "&#0;", "# ", "## H", "- ", "1. ", "> ", "---", "|a|b|", "|-|-|", "[^1]", "[^1]: ",
          "^[n]", "```", "    ", "\\", "<http://e.org>"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_parser_renders_as_the_stock_rules_do(text):
    assert markdown.markdown_parser().render(text) == stock_parser().render(text)


@given(st.text(alphabet="ab\r\n\0 ", max_size=30))
def test_normalize_gives_the_stock_rules_text(text):
    from markdown_it.rules_core.normalize import normalize
    from markdown_it.rules_core.state_core import StateCore
    ours, stock = StateCore(text, None, {}), StateCore(text, None, {})  # type: ignore[arg-type]
    markdown._normalize(ours)
    normalize(stock)
    assert ours.src == stock.src
