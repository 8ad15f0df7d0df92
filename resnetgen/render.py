"""Render pages with the theme's templates; map template faults to file and line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

import jinja2

from resnetgen import seo
from resnetgen.pages import Page
from resnetgen.parallel import parallel_imap
from resnetgen.problems import Problems
from resnetgen.site import Site
from resnetgen.theme import render_error
from resnetgen.writer import Previous


def page_context(site: Site, page: Page) -> dict:
    """Everything a template receives; documented in the README for theme authors."""
    if page.json_ld is None and page.output_path.endswith(".html"):
        page = replace(page, json_ld=seo.webpage_ld(site.config, page.title,
                                                    site.urls.permalink(page.route),
                                                    page.description))
    return {"site": site, "config": site.config, "page": page, **page.context}


def render_pages(site: Site, pages: Sequence[Page], env: jinja2.Environment, site_dir: Path,
                 problems: Problems, reuse: Callable[[Page], Previous | None] = lambda page: None,
                 ) -> Iterator[tuple[str, "bytes | Previous"]]:
    """(output path, bytes) for each page that renders, or the previous build's file
    where `reuse` finds one made from the same inputs; faults go to `problems`."""
    reported: set[tuple[str, int]] = set()
    kept = [reuse(page) for page in pages]
    fresh = [page for page, previous in zip(pages, kept) if previous is None]
    rendered = parallel_imap(lambda page: _render(site, page, env, site_dir), fresh)
    for page, previous in zip(pages, kept):
        if previous is not None:
            yield page.output_path, previous
            continue
        data, fault = next(rendered)
        if fault is not None:
            path, line, message, hint = fault
            if (path, line) not in reported:
                reported.add((path, line))
                problems.error(path, line, message, hint)
            continue
        yield page.output_path, data


def _render(site: Site, page: Page, env: jinja2.Environment, site_dir: Path):
    """(bytes, None), or (None, (path, line, message, hint)) when the template fails."""
    try:
        return env.get_template(page.template).render(page_context(site, page)).encode("utf-8"), None
    except jinja2.TemplateNotFound as exc:
        return None, (f"templates/{exc.name}", 0, f"template '{exc.name}' not found",
                      "add it to the theme's templates/ folder or the site's templates/")
    except Exception as exc:  # any fault inside a template is the template's
        path, line, message = render_error(exc, env, site_dir, page.template)
        return None, (path, line, message, f"while rendering /{page.route}")
