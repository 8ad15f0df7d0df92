"""locate.key_lines: the lines key_line finds one path at a time, the text split once."""

from hypothesis import given, settings, strategies as st

from resnetgen.locate import _key_pattern, key_line, key_lines

FRONT_MATTER = """title: "A chat"
chat:
  start: 2018-01-01 19:00
  end: 2018-01-01 20:00
hosts: [sal]
questions:
  - "start: here?"
"""


def one_path(text: str, path: tuple[str, ...], first_line: int) -> int:
    """The search as key_line did it before key_lines: the text split for each path."""
    lines = text.splitlines()
    found = position = 0
    for key in path:
        for index in range(position, len(lines)):
            if _key_pattern(key).match(lines[index]):
                found, position = index, index + 1
                break
        else:
            break
    return first_line + found


def test_key_line_finds_a_nested_key_after_its_parent():
    assert key_line(FRONT_MATTER, ("chat", "start")) == 3
    assert key_line(FRONT_MATTER, ("chat", "end"), 2) == 5
    assert key_line(FRONT_MATTER, ("questions",)) == 6
    assert key_line(FRONT_MATTER, ("hosts", "missing")) == 5  # the deepest key found
    assert key_line(FRONT_MATTER, ("missing", "start")) == 1


def test_key_lines_answers_each_path_as_key_line():
    paths = [("chat",), ("chat", "start"), ("hosts",), ("questions",), ("nope", "start"),
             ("chat", "nope", "end"), ("chat", "nope")]
    assert key_lines(FRONT_MATTER, paths, 2) == [key_line(FRONT_MATTER, p, 2) for p in paths]
    assert key_lines(FRONT_MATTER, []) == []


KEYS = st.sampled_from(["chat", "start", "end", "hosts", "questions", "title"])
LINES = st.tuples(st.sampled_from(["", "  ", "- ", "  - ", "[", "[[x."]), KEYS,
                  st.sampled_from([": 1", " = 2", "]", " x", ":"])).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=12), st.lists(st.lists(KEYS, min_size=1, max_size=3)
                                               .map(tuple), max_size=6),
       st.integers(1, 3))
def test_key_lines_equals_the_search_path_by_path(lines, paths, first_line):
    text = "\n".join(lines)
    assert key_lines(text, paths, first_line) == [one_path(text, p, first_line) for p in paths]


def test_key_lines_of_equal_paths_of_other_types():
    text = "1: a\nTrue: b\n"
    assert key_lines(text, [(1,), (True,)]) == [key_line(text, (1,)), key_line(text, (True,))]
