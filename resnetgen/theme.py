"""The theme: Jinja2 templates and static files, with a site-level override folder.

Templates are looked up first in the site's `templates/`, then in
`themes/<theme>/templates/`; static files likewise from `static/` then the theme's.
Every filter and global a template can use is registered in `make_environment`.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType

import jinja2
import jinja2.runtime
from jinja2.compiler import CodeGenerator
from jinja2.nodes import EvalContext
from jinja2.utils import internalcode
from markupsafe import Markup

from resnetgen import calendar_links, fragments, seo, timefmt
from resnetgen.cache import no_memo
from resnetgen.cards import Cards, Memo
from resnetgen.config import SiteConfig
from resnetgen.fragments import html_piece  # noqa: F401  (what templates print through)
from resnetgen.models import Chat, Post
from resnetgen.pages import Page
from resnetgen.layout import SITE_STATIC, SITE_TEMPLATES, THEMES_DIR, theme_dirs, theme_root  # noqa: F401
from resnetgen.problems import Problems
from resnetgen.urls import Urls, slugify


class _CodeGenerator(CodeGenerator):
    """Jinja's, printing each autoescaped value through `html_piece` (as Jinja's own
    NativeCodeGenerator changes what the values printed become: the same hook)."""

    def visit_Template(self, node, frame=None) -> None:
        super().visit_Template(node, frame)
        self.writeline("from resnetgen.fragments import html_piece")  # (run before any render)

    def visit_Output(self, node, frame) -> None:
        """Each run of text and values printed at once, `yield concat((...))`, not one
        yield a piece, each passed up through the generators of the blocks and templates
        it is in (base.html's, then the page's). Text Jinja finds constant is made
        constant as Jinja makes it; a buffer's pieces (a macro's) are Jinja's business."""
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        finalize = self._make_finalize()
        items: list = []  # a list of constant texts to join, or an expression
        for child in node.nodes:
            try:
                if not (finalize.const or isinstance(child, jinja2.nodes.TemplateData)):
                    raise jinja2.nodes.Impossible()
                text = self._output_child_to_const(child, frame, finalize)
            except Exception:  # not constant (as Jinja's): made at render time
                items.append(child)
                continue
            if items and type(items[-1]) is list:
                items[-1].append(text)
            else:
                items.append([text])
        if len(items) < 2:
            super().visit_Output(node, frame)
            return
        self.writeline("yield concat((")
        self.indent()
        for item in items:
            if type(item) is list:
                self.writeline(self._output_const_repr(item) + ",")
                continue
            self.newline(item)  # its line, for a fault's template line
            self._output_child_pre(item, frame, finalize)
            self.visit(item, frame)
            self._output_child_post(item, frame, finalize)
            self.write(",")
        self.outdent()
        self.writeline("))")

    def visit_Getattr(self, node, frame) -> None:
        """`x.y`: Python's getattr, inline, and the rest of Jinja's environment.getattr (an
        item, else undefined) only when `x` has no attribute `y`: one call fewer, about
        70 times a briefing's page. Each value is named once, and the attribute read
        once (a property raising AttributeError is not run again)."""
        if self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        value, obj = self.temporary_identifier(), self.temporary_identifier()
        self.write(f"({value} if ({value} := getattr(({obj} := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing"
                   f" else environment.item_or_undefined({obj}, {node.attr!r}))")

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("html_piece(")
        if finalize.src is not None:
            self.write(finalize.src)


_PLAIN = {FunctionType, MethodType, BuiltinFunctionType}  # callables taking what they are given


class _Context(jinja2.runtime.Context):
    """Jinja's, calling a plain function or method (`feed_links()`, `calendar_links(post)`,
    `site.is_upcoming(post)`: three or four a page) without first asking whether it or
    its `__call__` wants the context: the same answer (it wants it only if marked so,
    which is looked for as Jinja looks), less asked."""

    def __init__(self, environment, parent, name, blocks, globals=None):
        """Jinja's, but the set of the globals' names made only when asked for (by an
        import without context): every page and include made one (of ~15 names)."""
        self.parent = parent
        self.vars = {}
        self.environment = environment
        self.eval_ctx = EvalContext(environment, name)
        self.exported_vars = set()
        self.name = name
        self._globals = globals
        self.blocks = {k: [v] for k, v in blocks.items()}

    @property
    def globals_keys(self) -> set[str]:
        return set() if self._globals is None else set(self._globals)

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own names)
        if type(__obj) not in _PLAIN or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class Environment(jinja2.Environment):
    """Jinja's, with each template's globals a plain dict: Jinja's ChainMap over the
    environment's globals is copied into a dict and a set on every render and every
    include (ChainMap iteration, in Python: 4% of rendering). The globals are all set
    in make_environment, before any template is loaded, so a copy sees the same."""

    code_generator_class = _CodeGenerator
    context_class = _Context

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._by_name: dict[str, jinja2.Template] = {}

    def get_template(self, name, parent=None, globals=None):
        """Jinja's, each template loaded kept by its name: a page asks for five (its
        own, base.html, each partial), and Jinja makes a weak reference to its loader
        for each. The same answer: templates are read once (no auto_reload), kept
        forever (cache_size=-1), and a name is its template's whatever the parent
        (join_path is Jinja's)."""
        if globals or type(name) is not str:
            return super().get_template(name, parent, globals)
        template = self._by_name.get(name)
        if template is None:
            template = self._by_name[name] = super().get_template(name, parent, globals)
        return template

    def item_or_undefined(self, obj, attribute: str):
        """Jinja's `getattr(obj, attribute)` once Python's getattr found no attribute (the
        rest of Environment.getattr, which would read the attribute again)."""
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def make_globals(self, d):
        return {**self.globals, **(d or {})}

    def parse(self, source, name=None, filename=None):
        """A template's syntax tree, made once: compiling it (check_templates) and the
        build's two readings of what it uses (fingerprint, by source alone) share one
        parse (0.014 s of a first build, for the default theme). A tree compiled has
        its constant parts folded by Jinja: what it reads and includes is the same."""
        trees = self.__dict__.setdefault("_trees", {})
        key = source if name is None else (source, name)
        tree = trees.get(key)
        if tree is None:
            tree = trees[key] = super().parse(source, name, filename)
        return tree

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):  # parsed by `parse`, then compiled as Jinja does
            source = self.parse(source, name, filename)
        return super().compile(source, name, filename, raw, defer_init)

    def forget_parsed(self) -> None:
        """The syntax trees `parse` kept, let go of once the templates were read."""
        self.__dict__.pop("_trees", None)


_SELECT_AUTOESCAPE = jinja2.select_autoescape(["html", "xml"], default_for_string=True)
_AUTOESCAPED: dict[str | None, bool] = {}


def _autoescape(name: str | None) -> bool:
    """select_autoescape's answer for each template name, worked out once: Jinja asks
    at every render and include (four or five times a page)."""
    answer = _AUTOESCAPED.get(name)
    if answer is None:
        answer = _AUTOESCAPED[name] = _SELECT_AUTOESCAPE(name)
    return answer


def make_environment(site_dir: Path, config: SiteConfig, compiled: Path | None = None,
                     memo: Memo = no_memo) -> jinja2.Environment:
    """`compiled`: a folder where compiled templates are kept between builds (the cache's).
    `memo`: where listing cards may be kept between builds (see cards.py).
    One environment serves one build: templates are read once (no auto_reload)."""
    urls = Urls(config)
    cards = Cards(memo)
    site_links = calendar_links.SiteLinks(config)

    def hashtag_url(tag: str) -> str:
        return config.hashtag_url.format(tag=tag.lstrip("#"))

    # A chat's <time> (8 us: aware datetimes are slow to print) is shown about four
    # times a build (its page, two kinds of card, the events page): made once a process.
    times: dict[int, tuple[Chat, Markup]] = {}

    def chat_time(post: Post) -> Markup:
        made = times.get(id(post.chat))
        if made is None or made[0] is not post.chat:  # the chat kept: its id stays its own
            made = times[id(post.chat)] = (post.chat, fragments.chat_time(
                post, timefmt.chat_when(post.chat, config.timezone, config.timezone_label)))
        return made[1]
    # Each topic's link in a post's "Topics:" (fragments.tag_list), made once per site.
    tag_links_of: list = [None, {}]  # [the site, {topic: its link}]

    def tag_links(site) -> dict[str, str]:
        if tag_links_of[0] is not site:
            tag_links_of[:] = [site, {}]
        return tag_links_of[1]
    env = Environment(
        auto_reload=False,
        # Templates kept in a plain dict: the default LRU cache moves a template to the
        # end of a deque on every lookup (deque.remove: a scan), and a page looks up
        # three to five templates (its own, base.html, each include): 8% of a briefing.
        cache_size=-1,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        loader=jinja2.FileSystemLoader([str(d) for d in theme_dirs(site_dir, config.theme, "templates")]),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        long_date=timefmt.long_date,
        day_and_date=timefmt.day_and_date,
        clock=timefmt.clock,
        isoformat=lambda value: value.isoformat(),
        slugify=slugify,
        json_ld=partial(page_json_ld, seo.PostLdText(config)),
        # (1, item), (2, item)...: `loop.index` without Jinja's LoopContext, which made
        # a briefing's four questions cost 7 % of its page.
        numbered=lambda items, start=1: enumerate(items, start),
        # The functions url, permalink and hashtag_url as filters too: `'x/' | url` is a
        # plain call, where `url('x/')` goes through Jinja's Context.call (1.5 us): the
        # default theme's base.html made 13 such calls a page, a fifth of its time.
        url=urls.url,
        permalink=urls.permalink,
        hashtag_url=hashtag_url,
        chat_hours=timefmt.chat_hours,
        # A post's repeated pieces of HTML (fragments.py): filters, not macros, for speed.
        chat_time=chat_time,
        chat_state=jinja2.pass_context(
            lambda context, post: fragments.chat_state(post, context["site"].is_upcoming(post))),
        tag_list=jinja2.pass_context(
            lambda context, post: fragments.tag_list(post, context["site"].tag_url,
                                                     tag_links(context["site"]))),
        citation=fragments.citation,
        host_names=fragments.host_names,
        card=cards.filter(),
    )
    env.globals.update(
        url=urls.url,
        permalink=urls.permalink,
        chat_when=lambda chat: timefmt.chat_when(chat, config.timezone, config.timezone_label),
        zone_label=lambda chat: timefmt.zone_label(chat, config.timezone, config.timezone_label),
        hashtag_url=hashtag_url,
        month_name=timefmt.month_name,
        # Subscriptions (calendar_links.py): links only, built in Python.
        calendar_links=site_links.chat_links,
        subscribe_links=site_links.subscribe_links,
        feed_links=site_links.feed_links,
        card=cards.function(),
    )
    env.extend(listing_cards=cards)  # render.py saves them once the listings are rendered
    return env


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block, safe inside HTML."""
    return _safe_json(_JSON.encode(data))  # json.dumps would make an encoder each time


def _safe_json(text: str) -> Markup:
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def page_json_ld(post_ld_text: seo.PostLdText, data) -> Markup:
    """The json_ld filter: `json_ld` of a dict; of a page, its `json_ld` (nothing when it
    has none), a post's written by `post_ld_text` without making post_ld's dicts."""
    if type(data) is not Page:
        return json_ld(data)
    post = data.unmade_post_ld()
    if post is not None:
        return _safe_json(post_ld_text(post))
    return json_ld(data.json_ld) if data.json_ld else Markup("")


def check_templates(env: jinja2.Environment, site_dir: Path, problems: Problems) -> None:
    """Compile every template, so a syntax error is reported before anything renders."""
    for name in sorted(env.list_templates(extensions=["html", "xml", "txt"])):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(template_path(env, exc.name or name, site_dir), exc.lineno,
                           f"template error: {exc.message}",
                           "check the {% %} and {{ }} tags on that line")


def template_path(env: jinja2.Environment, name: str, site_dir: Path) -> str:
    for folder in env.loader.searchpath:  # type: ignore[union-attr]
        candidate = Path(folder) / name
        if candidate.is_file():
            try:
                return candidate.relative_to(site_dir).as_posix()
            except ValueError:
                return candidate.as_posix()
    return name


def render_error(exc: Exception, env: jinja2.Environment, site_dir: Path,
                 fallback: str) -> tuple[str, int, str]:
    """(path, line, message) for an exception raised while rendering a template."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return template_path(env, exc.name or fallback, site_dir), exc.lineno, exc.message or str(exc)
    # Jinja rewrites tracebacks so template frames carry the template file and line.
    tb = exc.__traceback__ or sys.exc_info()[2]
    where = (fallback, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    path = where[0]
    try:
        path = Path(path).resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        pass
    return path, where[1], f"template error: {exc}"
