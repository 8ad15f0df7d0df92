"""markdown-it's rules tried only where they can match, on our parser alone.

markdown-it-py tries every block rule, in order, at each block (12 rules, each a Python
call that logs its entry), and every inline rule at each character that is not plain
text. Nearly every rule gives up at once unless the line, or the character, starts
with its own mark: a heading with '#', a list with '-', '*', '+' or a digit, a link with
'['. Here one rule per chain looks at that character and calls, in the library's order,
only the rules that can start with it: the same rules, given the same arguments, so the
same tokens (tests/test_markdown_config.py compares with the stock rules). Anything
unusual (an indented line, a position past the end) goes to every rule as before.

Only our MarkdownIt instance is changed (its rulers are replaced through markdown-it's
public Ruler API); the library's modules and other instances are untouched.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.token import Token

# The characters a rule's line must start with (after its indent) for the rule to match;
# a rule not named here may match any line. "code" matches indented lines only, which
# every rule is tried on.
BLOCK_STARTS = {"fence": "`~", "blockquote": ">", "hr": "*-_", "list": "*-+0123456789",
                "footnote_def": "[", "reference": "[", "html_block": "<", "heading": "#"}
# The chains of rules that may end a paragraph, a reference, a quote or a list item
# (markdown-it's "alt" names: tests check these are all of them).
BLOCK_CHAINS = ("paragraph", "reference", "blockquote", "list")
# The character an inline rule needs at the position; "text" takes any character but
# the parser's terminators. A rule not named here is tried everywhere.
INLINE_STARTS = {"newline": "\n", "escape": "\\", "backticks": "`", "strikethrough": "~",
                 "emphasis": "_*", "link": "[", "image": "!", "footnote_inline": "^",
                 "footnote_ref": "[", "autolink": "<", "html_inline": "<", "entity": "&"}

Rules = list[tuple[str, Callable[..., bool]]]


# The rules run after an inline run's tokens are made: with no delimiters (no '*', '_'
# or '~' met), they leave a run of one text token as it is.
PLAIN_AFTER = {"balance_pairs", "strikethrough", "emphasis", "fragments_join"}


def dispatch_rules(md: MarkdownIt) -> None:
    """Call once the parser is configured (plugins and our own rules in place): rules
    added afterwards would be tried only where nothing else matched."""
    _dispatch_block(md)
    starts = _inline_starts(md)
    _dispatch_inline(md)
    if starts is not None:
        md.core.ruler.at("inline", _inline_or_plain(starts))
        _pairs_where_marked(md)


def _inline_starts(md: MarkdownIt) -> "re.Pattern | None":
    """Where an inline rule but text may start: None unless every rule is known (and
    the rules after them are the stock ones). A run without any of these characters is
    all text: the text rule takes all but terminators, and at a terminator no rule
    starts, so it is taken as text too ('-', ':', '#'...)."""
    names = md.inline.ruler.get_active_rules()
    if not all(name == "text" or name in INLINE_STARTS for name in names) or not set(
            md.inline.ruler2.get_active_rules()) <= PLAIN_AFTER:
        return None
    chars = sorted({char for name in names if name != "text" for char in INLINE_STARTS[name]})
    return re.compile("[" + re.escape("".join(chars)) + "]")


def _inline_or_plain(starts: "re.Pattern"):
    """markdown-it's "inline" core rule, but a heading's or paragraph's text without a
    character any inline rule starts at (a list item of plain words, most headings) is
    its one text token, as the text rule would make it, without an inline parser's
    state, rules and clean-ups (8 us each)."""
    def inline(state: Any) -> None:
        md = state.md
        parse, special = md.inline.parse, starts.search
        for token in state.tokens:
            if token.type == "inline":
                if token.children is None:
                    token.children = []
                content = token.content
                if not token.children and special(content) is None:
                    if content:
                        text = Token("text", "", 0)
                        text.content = content
                        token.children.append(text)
                else:
                    parse(content, md, state.env, token.children)
    return inline


def _pairs_where_marked(md: MarkdownIt) -> None:
    """The rules pairing '*', '_' and '~' (balance_pairs, and emphasis and strikethrough
    turning pairs into tags) run where a run has such a mark: with no delimiters they
    do nothing (three calls and loops for each run of a paragraph with a link or a '-')."""
    ruler = md.inline.ruler2
    rules = _named(ruler)
    every = tuple(rule for _, rule in rules)
    unmarked = tuple(rule for name, rule in rules if name == "fragments_join")

    def after(state: Any) -> None:
        marked = state.delimiters or any(state.tokens_meta) and any(
            meta and meta.get("delimiters") for meta in state.tokens_meta)
        for rule in every if marked else unmarked:
            rule(state)

    ruler.disable([name for name, _ in rules])
    ruler.push("after", after)


def _named(ruler: Ruler, chain: str = "") -> Rules:
    names = dict(zip(ruler.getRules(""), ruler.get_active_rules()))
    return [(names[rule], rule) for rule in ruler.getRules(chain)]


def _dispatch_block(md: MarkdownIt) -> None:
    old = md.block.ruler
    ruler: Ruler = Ruler()
    everything = _named(old)
    ruler.push("dispatch", _block_rule(everything))
    # The stock rules, in order, after it, for the main chain only: never reached (the
    # paragraph rule always matches), but named as before ("code" is looked for by name).
    for name, rule in everything:
        ruler.push(name, rule)
    for chain in BLOCK_CHAINS:  # rules ending a paragraph...: asked with silent=True
        ruler.push(f"dispatch_{chain}", _block_rule(_named(old, chain), ends=True),
                   {"alt": [chain]})
    md.block.ruler = ruler


def _block_rule(rules: Rules, ends: bool = False):
    every = tuple(rule for _, rule in rules)
    chosen: dict[str, tuple] = {}

    def choose(char: str) -> tuple:
        chosen[char] = tuple(rule for name, rule in rules if name != "code" and (
            BLOCK_STARTS.get(name) is None or char in BLOCK_STARTS[name]))
        return chosen[char]

    def dispatch(state: Any, line: int, end: int, silent: bool) -> bool:
        if ends and not silent:
            return False  # a chain's rule, reached in the main chain: never (see above)
        start = state.bMarks[line] + state.tShift[line]
        if state.sCount[line] - state.blkIndent >= 4 or start >= len(state.src):
            tried = every  # indented code, or the end: as the library does
        else:
            char = state.src[start]
            tried = chosen.get(char)
            if tried is None:
                tried = choose(char)
        for rule in tried:
            if rule(state, line, end, silent):
                return True
        return False
    return dispatch


def _dispatch_inline(md: MarkdownIt) -> None:
    ruler = md.inline.ruler
    rules = _named(ruler)
    every = tuple(rule for _, rule in rules)
    chosen: dict[str, tuple] = {}

    def choose(char: str) -> tuple:
        text = md.inline.terminator_re.match(char) is None  # as the text rule decides
        chosen[char] = tuple(rule for name, rule in rules if (
            text if name == "text" else
            INLINE_STARTS.get(name) is None or char in INLINE_STARTS[name]))
        return chosen[char]

    def dispatch(state: Any, silent: bool) -> bool:
        if state.pos >= state.posMax:
            tried = every
        else:
            char = state.src[state.pos]
            tried = chosen.get(char)
            if tried is None:
                tried = choose(char)
        for rule in tried:
            if rule(state, silent):
                return True
        return False

    ruler.disable([name for name, _ in rules])
    ruler.push("dispatch", dispatch)
