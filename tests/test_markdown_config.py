"""The Markdown parser's own speed-ups give what markdown-it-py's stock rules give."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from resnetgen import markdown, markdown_dispatch
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
          "^[n]", "```", "    ", "\\", "<http://e.org>",
          # each block rule's marks, and what makes it fail late (see markdown_dispatch)
          "+ ", "* ", "***", "___", "===", "2) ", "10. ", "1234567890. ", "~~~", "<div>", "</div>",
          "<pre>", "[a]: /u", "[a]", ":", "|:-|", "-|-", "\n    ", "\n  ", "\n> ", "\n- ", "\n#",
          "\n<", "\n[", "\n1. ", "\n```", "\n---", "\n===", "#", "-", "!", "^", "&", "<", "~"]


STOCK = stock_parser()


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_parser_renders_as_the_stock_rules_do(text):
    ours, stock = markdown.markdown_parser(), STOCK
    assert ours.render(text) == stock.render(text)
    # the same tokens, lines and all (lines of links, the first paragraph...)
    assert ([t.as_dict() for t in ours.parse(text)] == [t.as_dict() for t in stock.parse(text)])


def test_dispatch_knows_every_chain_of_rules():
    """markdown_dispatch rebuilds the block rules' chains by name: they are all there."""
    stock = stock_parser()
    chains = {alt for rule in stock.block.ruler.__rules__ for alt in rule.alt}
    assert chains == set(markdown_dispatch.BLOCK_CHAINS)
    ours = markdown.markdown_parser().block.ruler
    assert "code" in ours.get_active_rules()  # markdown-it's StateBlock looks for it
    for chain in chains:
        assert len(ours.getRules(chain)) == 1


def test_dispatch_leaves_other_parsers_alone():
    markdown.markdown_parser()
    other = MarkdownIt("commonmark")
    assert "dispatch" not in other.block.ruler.get_active_rules()
    assert len(other.block.ruler.getRules("paragraph")) > 1
    assert "dispatch" not in other.inline.ruler.get_active_rules()
    assert "text" in other.inline.ruler.get_active_rules()
    assert other.render("# a *b*") == "<h1>a <em>b</em></h1>\n"


@given(st.text(alphabet="ab\r\n\0 ", max_size=30))
def test_normalize_gives_the_stock_rules_text(text):
    from markdown_it.rules_core.normalize import normalize
    from markdown_it.rules_core.state_core import StateCore
    ours, stock = StateCore(text, None, {}), StateCore(text, None, {})  # type: ignore[arg-type]
    markdown._normalize(ours)
    normalize(stock)
    assert ours.src == stock.src


LINK_PIECES = ["/", "@", "%", "%41", "%4", ":", ":80", "é", "[", "]", "'", ".", "..", "a", "Z",
               "0", "-", "_", "?", "#", " ", "~", "\\", "(", ")", "*", ";", ",", "=", "&", "$", "+",
               "!", "\x7f", "\t"]
LINKS = st.tuples(
    st.sampled_from(["", "", "https://", "http://", "HTTP://", "mailto:", "//", "x:"]),
    st.lists(st.sampled_from(["a", "Z9", "-", "é", "x" * 64, "@", ":", ":8", "%"]), max_size=3)
    .map(".".join),
    st.lists(st.sampled_from(LINK_PIECES), max_size=8).map("".join)).map("".join)


@settings(max_examples=2000, deadline=None)
@given(LINKS)
@example("https://a.org/%")
@example("a%4")
@example("https://a@b.org/")
@example("https://é.org/")
@example("HTTP://A.ORG")
@example("https://a.org:/x")
@example("//a.org/x")
@example("x:y")
def test_links_are_normalised_as_the_library_does(url):
    from markdown_it.common.normalize_url import normalizeLink
    assert markdown.markdown_parser().normalizeLink(url) == normalizeLink(url)


def test_a_long_host_name_is_left_to_the_library():
    from markdown_it.common.normalize_url import normalizeLink
    for url in ("https://" + ".".join(["a" * 63] * 5) + "/x", "https://" + "a" * 64 + ".org/"):
        assert markdown.markdown_parser().normalizeLink(url) == normalizeLink(url)


@given(st.text(alphabet="aZ09+.-:/#?% \t\né", max_size=12))
@example("https://x.org")
@example("1a:b")
@example("a b:c")
@example("a\tb:c")
def test_a_scheme_is_what_urlsplit_finds(target):
    """_rewrite leaves a link with a scheme as it is, without urlsplit: the same links."""
    from urllib.parse import urlsplit
    if markdown._SCHEME.match(target):
        assert urlsplit(target).scheme


def zed_parser(dispatched: bool) -> MarkdownIt:
    """A parser with a plugin's inline rule markdown_dispatch does not know ('z' -> 'Z')."""
    def zed(state, silent):
        if state.src[state.pos] != "z":
            return False
        if not silent:
            state.push("text", "", 0).content = "Z"
        state.pos += 1
        return True
    md = MarkdownIt("commonmark")
    md.inline.add_terminator_char("z")
    md.inline.ruler.push("zed", zed)
    if dispatched:
        markdown_dispatch.dispatch_rules(md)
    return md


def test_a_rule_dispatch_does_not_know_is_tried_everywhere():
    for text in ("jazz", "# buzz\n\n- fizz *z*\n", "plain"):
        assert zed_parser(True).render(text) == zed_parser(False).render(text)
    assert "jaZZ" in zed_parser(True).render("jazz")
    assert markdown_dispatch._inline_starts(zed_parser(False)) is None
    starts = markdown_dispatch._inline_starts(stock_parser())
    assert starts.search("a-b: c # d") is None and starts.search("a*b")


# One input per dispatched rule and start character, and per way a chain ends a block:
# the generated inputs above rarely put 3-4 pieces in the order a rule needs, and missed
# an image rule never tried ('![a](b)' -> '!<a>'), emphasis inside a link's text left
# unpaired (its delimiters live in tokens_meta, not state.delimiters), and lists starting
# with '0' or '9'.
EVERY_RULE = [
    "![a](b.png)", "![a *b*][r]\n\n[r]: /u", "[*a*](x)", "[a ~~b~~](x)", "**[*a*](x)**",
    "[a](x) *b*", "x^[note *n*]", "x[^1]\n\n[^1]: *n*", "`c` \\* &amp; <b> <http://a.b> ~~s~~",
    "a  \nb", "a\\\nb", *(f"{d}. a\n{d}) b\n\ntext\n{d}. c" for d in "0123456789"),
    "- a\n+ b\n* c", "a\n- b", "a\n1. b", "a\n2. b", "a\n> b", "a\n# b", "a\n```\nb\n```",
    "a\n~~~\nb\n~~~", "a\n***", "a\n___", "a\n---", "a\n<div>\nb", "a\n[^1]: b", "[a]: /u\n# h",
    "[a]: /u\n> q", "> a\n- b", "> a\n***", "- a\n> b", "- a\n```\nb", "| a |\n| - |\n| b |\n> c",
    "| a |\n| - |\n# b", "a\n| b |\n| - |", "[^1]: a\n\n    b\n# c", "    code\n- a", "\t- a",
]


@pytest.mark.parametrize("text", EVERY_RULE)
def test_every_rule_is_tried_where_it_can_start(text):
    ours, stock = markdown.markdown_parser(), STOCK
    assert ours.render(text) == stock.render(text)
    assert [t.as_dict() for t in ours.parse(text)] == [t.as_dict() for t in stock.parse(text)]
