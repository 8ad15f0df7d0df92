"""Render pages with the theme's templates; map template faults to file and line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

import jinja2

from resnetgen import seo
from resnetgen.pages import Page
from resnetgen.problems import Problems
from resnetgen.site import Site
from resnetgen.theme import render_error


def page_context(site: Site, page: Page) -> dict:
    """Everything a template receives; documented in the README for theme authors."""
    if page.json_ld is None and page.output_path.endswith(".html"):
        page = replace(page, json_ld=seo.webpage_ld(site.config, page.title,
                                                    site.urls.permalink(page.route),
                                                    page.description))
    return {"site": site, "config": site.config, "page": page, **page.context}


def render_pages(site: Site, pages: Iterable[Page], env: jinja2.Environment, site_dir: Path,
                 problems: Problems) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) for each page that renders; faults go to `problems`."""
    reported: set[tuple[str, int]] = set()
    for page in pages:
        try:
            text = env.get_template(page.template).render(page_context(site, page))
        except jinja2.TemplateNotFound as exc:
            key = (exc.name or page.template, 0)
            if key not in reported:
                reported.add(key)
                problems.error(f"templates/{exc.name}", 1, f"template '{exc.name}' not found",
                               "add it to the theme's templates/ folder or the site's templates/")
            continue
        except Exception as exc:  # any fault inside a template is the template's
            path, line, message = render_error(exc, env, site_dir, page.template)
            if (path, line) not in reported:
                reported.add((path, line))
                problems.error(path, line, message, f"while rendering /{page.route}")
            continue
        yield page.output_path, text.encode("utf-8")
