"""Find the site's content files and split each Markdown file into front matter and body.

Only this module and `writer` touch the disk for content.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from resnetgen.layout import CONTENT_DIR, PAGES_DIR, PEOPLE_FILE  # noqa: F401
from resnetgen.problems import Problems

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "people.toml"}


@dataclass(frozen=True)
class SourceFile:
    source_path: str        # relative to the site folder: 'content/2018/x.md'
    body: str               # Markdown after the front matter
    body_line: int          # line in the file where `body` begins
    meta: dict[str, Any]    # parsed front matter
    front_matter: str       # its text, to find lines for error messages
    front_matter_line: int  # line of the front matter's first line


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_SCALARS = {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null")}


class _Unsure(Exception):
    """The document has something the quick construction leaves to PyYAML's own."""


class _DateStringLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader that leaves dates as text, so we parse and report them.

    libyaml parses in C; PyYAML then builds the Python values in Python, through
    generators meant for recursive documents. Front matter is a small tree of maps,
    lists and plain scalars: `construct_document` builds that directly (each scalar by
    PyYAML's own constructor for its tag), about twice as fast, and leaves anything
    else (merge keys, aliases, explicit tags) to PyYAML. tests/test_source.py checks
    both give the same values."""

    def construct_document(self, node):
        try:
            return self._quick(node, set())
        except _Unsure:
            return super().construct_document(node)

    def _quick(self, node, open_nodes: set[int]) -> Any:
        tag = node.tag
        if tag in _SCALARS and type(node) is yaml.ScalarNode:
            if tag == _STR:
                return node.value  # what construct_yaml_str returns, without three calls
            return self.yaml_constructors[tag](self, node)
        if id(node) in open_nodes:
            raise _Unsure  # an alias: PyYAML shares the object, or reports a loop
        open_nodes.add(id(node))
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            mapping = {}
            for key_node, value_node in node.value:
                if key_node.tag not in _SCALARS:
                    raise _Unsure  # merge ('<<') and value ('=') keys, keys that are lists...
                mapping[self._quick(key_node, open_nodes)] = self._quick(value_node, open_nodes)
            return mapping
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [self._quick(item, open_nodes) for item in node.value]
        raise _Unsure


_DateStringLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _YAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        value = _from_events(fm)
        return yaml.load(fm, Loader=_DateStringLoader) if value is _UNSURE else value


_UNSURE = object()
_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent,
           yaml.SequenceStartEvent, yaml.SequenceEndEvent)


class _Map(list):
    """A mapping being built from events: [its dict, the key waiting for its value]."""


def _from_events(text: str) -> Any:
    """`yaml.load(text, Loader=_DateStringLoader)` for front matter of maps, lists and
    scalars, built from libyaml's events as they come: PyYAML composes a tree of nodes
    first (with marks and resolver calls for each), a third of reading front matter.
    Each scalar is typed as the loader types it (its resolver, its constructors), keys
    and values go in as `_quick` puts them. _UNSURE for anything else (anchors, aliases,
    explicit tags, keys that are not scalars, merge keys, a second document) and for
    text PyYAML refuses: the caller then loads it PyYAML's way, errors and all.
    tests/test_source.py checks the values are PyYAML's own."""
    loader = _DateStringLoader(text)
    try:
        return _build(loader)
    except Exception:  # _Unsure, or a YAML error: reported as PyYAML reports it
        return _UNSURE
    finally:
        loader.dispose()


# A plain scalar's text -> its value, as typed below: the same for every document (the
# loader has no path resolvers), and immutable (text, numbers, true/false, null). Keys
# and short values repeat from file to file (half a document's scalars at 1,000 posts).
_PLAIN: dict[str, Any] = {}
assert not _DateStringLoader.yaml_path_resolvers


def _build(loader: Any) -> Any:
    get, resolve, constructors = loader.get_event, loader.resolve, loader.yaml_constructors
    plain = _PLAIN
    scalar, mapping_end, sequence_end = yaml.ScalarEvent, yaml.MappingEndEvent, yaml.SequenceEndEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    if type(get()) is not yaml.StreamStartEvent:
        raise _Unsure
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None
    if type(event) is not yaml.DocumentStartEvent:
        raise _Unsure
    top: list = []              # the list or _Map being filled
    stack: list = []            # those it sits in
    waiting = _UNSURE           # in a _Map: the key read, or _UNSURE when a key comes next
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.tag is not None:
                raise _Unsure
            value = event.value
            if event.implicit[0]:  # plain: typed by the resolver (quoted ones are text)
                typed = plain.get(value, _UNSURE)
                if typed is _UNSURE:
                    tag = resolve(yaml.ScalarNode, value, event.implicit)
                    typed = value
                    if tag != _STR:
                        if tag not in _SCALARS:
                            raise _Unsure  # '<<', '=': merge and value keys
                        typed = constructors[tag](loader, yaml.ScalarNode(
                            tag, value, event.start_mark, event.end_mark, event.style))
                    if len(value) <= 40 and len(plain) < 4096:
                        plain[value] = typed
                value = typed
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or (
                    type(top) is _Map and waiting is _UNSURE):
                raise _Unsure  # a key that is a map or a list
            stack.append((top, waiting))
            top, waiting = (_Map(({}, None)) if kind is mapping_start else []), _UNSURE
            continue
        elif kind is mapping_end or kind is sequence_end:
            value = top[0] if kind is mapping_end else top
            top, waiting = stack.pop()
        elif kind is yaml.DocumentEndEvent and not stack:
            if type(get()) is not yaml.StreamEndEvent:
                raise _Unsure  # a second document: PyYAML refuses it
            return top[0]
        else:
            raise _Unsure
        if type(top) is _Map:
            if waiting is _UNSURE:
                waiting = value
            else:
                top[0][waiting] = value
                waiting = _UNSURE
        else:
            top.append(value)


class _TOML(BaseHandler):
    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


_HANDLERS = (_YAML(), _TOML())


def discover(site_dir: Path) -> tuple[list[str], list[str]]:
    """(Markdown sources, other files) under content/, as sorted source paths."""
    root = site_dir / CONTENT_DIR
    markdown, assets = [], []
    if not root.is_dir():
        return markdown, assets
    found: list[tuple[str, ...]] = []
    _walk(str(root), (), found)
    for parts in sorted(found):  # the order of sorted Paths: part by part
        relative = "/".join((CONTENT_DIR, *parts))
        (markdown if parts[-1].lower().endswith(".md") else assets).append(relative)
    return markdown, assets


def _walk(folder: str, parts: tuple[str, ...], found: list[tuple[str, ...]]) -> None:
    """As os.walk(followlinks=True) with an isfile() test per file, but from scandir's
    entries, which know a regular file's kind without a system call (10,000 posts)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            if not name.startswith((".", "_")):
                _walk(entry.path, (*parts, name), found)
        elif entry.is_file() and name not in IGNORED_NAMES and not name.startswith((".", "_")):
            found.append((*parts, name))


def discoverable(site_dir: Path, source_path: str) -> bool:
    """Whether discover() lists this path: a file under content/, in no hidden folder."""
    parts = source_path.split("/")
    return (len(parts) > 1 and parts[0] == CONTENT_DIR and parts[-1] not in IGNORED_NAMES
            and not any(part.startswith((".", "_")) for part in parts[1:])
            and os.path.isfile(site_dir / source_path))


def read_source(site_dir: Path, source_path: str, problems: Problems,
                raw: bytes | None = None) -> SourceFile | None:
    """`raw`: the file's bytes, when the caller read them already (the loader, which
    digests them for the build cache)."""
    if raw is None:
        with open(f"{site_dir}/{source_path}", "rb") as handle:  # not Path's: 10 us less a file
            raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.error(source_path, line, "file is not UTF-8 text",
                       "save it as UTF-8 in your editor ('Save as' > Encoding)")
        return None
    text = text.replace("\r\n", "\n")
    handler = frontmatter.detect_format(text, _HANDLERS)
    if handler is None:
        problems.error(source_path, 1, "no front matter found",
                       "start the file with a line '---', the fields, then another '---'")
        return None
    try:
        fm, body = handler.split(text)
    except ValueError:
        problems.error(source_path, 1, "front matter is not closed",
                       f"add a line '{handler.START_DELIMITER}' after the last field")
        return None
    body_line = text[: len(text) - len(body)].count("\n") + 1
    try:
        meta = handler.load(fm)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = 1 + (mark.line if mark else 0)
        problems.error(source_path, line, f"front matter is not valid YAML: {exc.problem}",
                       "check indentation, and put quotes around text containing ':' or '#'")
        return None
    except yaml.YAMLError as exc:
        problems.error(source_path, 1, f"front matter is not valid YAML: {exc}")
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.error(source_path, 2, f"front matter is not valid TOML: {exc}")
        return None
    except (ValueError, TypeError) as exc:  # a '!!int abc': PyYAML's constructors raise these
        problems.error(source_path, 1, f"front matter has a value YAML cannot read: {exc}",
                       "remove the '!!' type before the value, or put the value in quotes")
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.error(source_path, 2, "front matter must be a list of 'field: value' lines")
        return None
    return SourceFile(source_path, body, body_line, meta, fm, 1)
