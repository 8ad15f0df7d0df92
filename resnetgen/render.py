"""Render pages with the theme's templates; map template faults to file and line."""

from __future__ import annotations

import io
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import jinja2

from resnetgen import seo
from resnetgen.pages import KeptPage, Page, forget_made
from resnetgen.parallel import Aside, parallel_imap
from resnetgen.problems import Problems
from resnetgen.site import Site
from resnetgen.theme import render_error
from resnetgen.writer import Previous


def page_context(site: Site, page: Page) -> dict:
    """Everything a template receives; documented in the README for theme authors."""
    if (page.output_path.endswith(".html") and page.unmade_post_ld() is None
            and page.json_ld is None):  # (a post's, not made: see theme.page_json_ld)
        page = replace(page, json_ld=seo.webpage_ld(site.config, page.title,
                                                    site.urls.permalink(page.route),
                                                    page.description))
    return {"site": site, "config": site.config, "page": page, **page.context}


def render_pages(site: Site, pages: Sequence[Page], env: jinja2.Environment, site_dir: Path,
                 problems: Problems, reuse: Callable[[Page], Previous | None] = lambda page: None,
                 read_links: Callable[[str, bytes], Any] | None = None,
                 aside: Sequence[Aside] = ()) -> Iterator[tuple[str, "bytes | Previous", Any]]:
    """(output path, bytes, read_links(path, bytes)) for each page that renders, or the
    previous build's file (and None) where `reuse` finds one made from the same inputs;
    faults go to `problems`. `read_links` (the link check's and the writer's) runs beside
    the rendering, on every core, rather than after it; given it, the bytes are None
    (they stay in the worker: 11,000 pages need not be copied to this process).
    `aside`: other work for the render workers (see parallel.Aside)."""
    reported: set[tuple[str, int]] = set()
    kept = [reuse(page) for page in pages]
    # A KeptPage (pages.py) whose file cannot be kept after all renders as its Page,
    # made where it renders (10,000 post pages of a first build: 0.15 s).
    order = work_order(pages, kept)
    listings = sum(1 for index in order if pages[index].made_from is None)
    last_listing = order[listings - 1] if listings else -1
    cards = getattr(env, "listing_cards", None)

    def render(index: int):
        page = pages[index]
        result = _render(site, page.made() if type(page) is KeptPage else page, env, site_dir,
                         read_links)
        if cards is not None and pages[index].made_from is None and index != last_listing:
            cards.listing_done()  # the kinds of card it did not use let go of (cards.py)
        if index == last_listing and cards is not None:
            cards.save()  # in the process that made them (cards.py's KeptCards)
            cards.forget()  # the posts' pages need none: room for the link check
        return result
    results = parallel_imap(render, order, together=listings, aside=aside)
    rendered = zip(order, results)
    # `together`: one worker makes every card (cards.py), not each worker
    early: dict[int, tuple] = {}  # rendered before their turn: (bytes or None, fault, links)
    for index, (page, previous) in enumerate(zip(pages, kept)):
        if previous is not None:
            yield page.output_path, previous, None
            continue
        while index not in early:
            done, result = next(rendered)
            early[done] = result
        data, fault, links = early.pop(index)
        if fault is not None:
            path, line, message, hint = fault
            if (path, line) not in reported:
                reported.add((path, line))
                problems.error(path, line, message, hint)
            continue
        yield page.output_path, data, links
    for _ in results:  # none left: the asides' outcomes, the last of them, come in
        pass
    forget_made()
    from resnetgen.allocator import trim
    trim()  # the workers' results, unpickled and let go of: handed back before what follows


def work_order(pages: Sequence[Page], kept: Sequence[Previous | None]) -> list[int]:
    """The indices of the pages to render, listings first: a tag's, a host's, the archive
    and the events page list hundreds or thousands of posts each and come after the posts
    in the site's order; rendered last, they left one worker busy while the other idled.
    Rendered by one worker, as one piece, their cards are made once, not once a worker.
    Each result still comes out in the site's order (`render_pages` keeps the early ones,
    which are small when the bytes stay in the workers). The listings go last first: the
    site-wide ones (sitemap, events page, archive: thousands of entries, 6 MB for the
    events page at 10,000 posts) close the site's order, and made before the cards of
    every other listing are kept, that worker's peak memory is the lower (164 -> 157 MiB at 10,000 posts)."""
    fresh = [index for index, previous in enumerate(kept) if previous is None]
    listings = [index for index in fresh if pages[index].made_from is None]
    return listings[::-1] + [index for index in fresh if pages[index].made_from is not None]


def _render(site: Site, page: Page, env: jinja2.Environment, site_dir: Path,
            read_links: Callable[[str, bytes], Any] | None = None):
    """(bytes, None, links read), or (None, (path, line, message, hint), None) when the
    template fails."""
    try:
        template = env.get_template(page.template)
        data = page_bytes(template, page_context(site, page), page.made_from is not None)
    except jinja2.TemplateNotFound as exc:
        return None, (f"templates/{exc.name}", 0, f"template '{exc.name}' not found",
                      "add it to the theme's templates/ folder or the site's templates/"), None
    except Exception as exc:  # any fault inside a template is the template's
        path, line, message = render_error(exc, env, site_dir, page.template)
        return None, (path, line, message, f"while rendering /{page.route}"), None
    if read_links is None:
        return data, None, None
    # read_links has staged and read the bytes: they need not travel back to the parent
    return None, None, read_links(page.output_path, data)


def page_bytes(template: jinja2.Template, context: dict, by_piece: bool = True) -> bytes:
    """`template.render(context).encode("utf-8")`, a few thousand pieces at a time, each
    piece encoded (`by_piece`) or each few thousand joined and encoded. A page's text
    joined whole is twice its size as soon as it holds one en dash (Python then stores
    2 bytes a letter), and encodes character by character, where most of a briefing's
    pieces are ASCII, which encodes as a copy (its page: 0.9 of the instructions). A
    listing's pieces are mostly cards, each with an en dash (its chat's hours): joined
    a few thousand at a time, they take fewer (0.98). The events page, 6 MB at 10,000
    posts, held all its pieces, their text and its bytes at once, and so set the peak
    memory of the process rendering it. The bytes grow in one buffer, handed over
    without a copy (BytesIO.getvalue), not joined from parts."""
    out = io.BytesIO()
    try:  # as Template.render does it (which copies the context first: new_context does)
        pieces = template.root_render_func(template.new_context(context))
        # (a chunk of empty pieces, from empty `{{ ... }}`s, is not the end)
        while chunk := list(islice(pieces, LISTING_PIECES)):
            out.write(b"".join(map(_utf8, chunk)) if by_piece
                      else "".join(chunk).encode("utf-8"))
            del chunk
    except Exception:
        template.environment.handle_exception()  # raises it, its traceback the template's
    return out.getvalue()


_utf8 = str.encode  # (UTF-8, strict: "".join(...).encode("utf-8") of each piece)


LISTING_PIECES = 4096
