"""The build, from site.toml and content/ to output/, stage by stage.

    config -> templates -> content -> site -> outputs -> link check -> swap into output/

Everything is loaded and validated before anything is written; outputs go to a
staging folder that replaces output/ only when the whole site built cleanly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from resnetgen.calendar import calendar_files
from resnetgen.config import load_config
from resnetgen.feeds import feed_files
from resnetgen.linkcheck import HTML_EXTENSIONS, LinkChecker
from resnetgen.lint import editor_warnings
from resnetgen.loader import load_content
from resnetgen.locate import link_line
from resnetgen.pages import all_pages
from resnetgen.problems import Problem, Problems, SiteError
from resnetgen.render import render_pages
from resnetgen.site import Site, assemble
from resnetgen.theme import check_templates, make_environment, theme_dirs
from resnetgen.writer import OutputClash, StagedOutput

@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path
    now: datetime
    drafts: bool = False
    write: bool = True          # False: validate and render, write nothing (`check`)
    link_check: bool = True     # False: `--no-link-check`, for emergencies


@dataclass
class BuildReport:
    pages: int = 0
    briefings: int = 0
    files: int = 0
    links: int = 0              # internal and external links seen by the link check
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    site: Site | None = None

    def summary(self) -> str:
        return (f"Built {self.pages} pages ({self.briefings} briefings), "
                f"{self.files} files in {self.seconds:.2f} s")


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises SiteError listing every problem, leaving output/ untouched."""
    started = time.perf_counter()
    problems = Problems()
    config = load_config(options.site_dir, problems)
    problems.raise_if_errors()

    env = make_environment(options.site_dir, config)
    check_templates(env, options.site_dir, problems)
    content = load_content(options.site_dir, config, problems, options.drafts)
    problems.raise_if_errors()
    site = assemble(config, content, options.now)

    report = BuildReport(briefings=len(site.briefings), site=site)
    produced: set[str] = set()
    staged = StagedOutput(options.output_dir) if options.write else None
    links = LinkChecker(config.base_url) if options.link_check else None
    sources: dict[str, str] = {}   # output path -> the source file that produced it
    try:
        for output_path, data in all_outputs(site, env, options, problems, report, sources):
            report.files += 1
            produced.add(output_path)
            if links is not None:
                links.add(output_path, data)
            if staged is not None:
                try:
                    staged.write(output_path, data)
                except OutputClash as clash:
                    problems.error(output_path, 1, f"two outputs would be written to {clash.output_path}",
                                   "rename the content file, or change a slug or alias")
        for output_path, source in static_files(site, options.site_dir):
            report.files += 1
            produced.add(output_path)
            if links is not None:
                add_static(links, output_path, source)
            if staged is not None:
                try:
                    staged.copy(output_path, source)
                except OutputClash as clash:
                    problems.error(source.relative_to(options.site_dir).as_posix()
                                   if source.is_relative_to(options.site_dir) else str(source),
                                   1, f"{clash.output_path} is also a page of the site",
                                   "rename the file or move it to another folder")
        editor_warnings(site, produced, problems)
        problems.raise_if_errors()
        if links is not None:
            report.links = check_links(links, sources, options.site_dir, problems)
        if staged is not None:
            staged.commit()
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    report.warnings = problems.warnings
    report.seconds = time.perf_counter() - started
    return report


def all_outputs(site: Site, env, options: BuildOptions, problems: Problems,
                report: BuildReport, sources: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    pages = all_pages(site)
    sources.update((page.output_path, page.source) for page in pages)
    report.pages = sum(1 for p in pages if p.output_path.endswith(".html"))
    yield from render_pages(site, pages, env, options.site_dir, problems)
    yield from calendar_files(site, problems)   # events.ics and one .ics per chat
    yield from feed_files(site)                 # RSS and Atom: all, per tag, briefings


def check_links(links: LinkChecker, sources: dict[str, str], site_dir: Path,
                problems: Problems) -> int:
    """Every internal link must lead to a written file; returns how many links were seen."""
    links.report(sources, problems, lambda source, url: source_line(site_dir, source, url))
    problems.raise_if_errors()
    return links.links_checked


def source_line(site_dir: Path, source: str, url: str) -> int:
    """The line of a broken link in its content file (read again only on error)."""
    path = site_dir / source
    if not source.endswith(".md") or not path.is_file():
        return 1
    return link_line(path.read_text(encoding="utf-8", errors="replace"), url)


def add_static(links: LinkChecker, output_path: str, source: Path) -> None:
    """A copied file is a link target; a copied HTML file is also checked."""
    if Path(output_path).suffix.lower() in HTML_EXTENSIONS:
        links.add(output_path, source.read_bytes())
    else:
        links.add_file(output_path)


def static_files(site: Site, site_dir: Path) -> Iterator[tuple[str, Path]]:
    """The theme's static files (the site's own override them), then content files."""
    seen: set[str] = set()
    for folder in theme_dirs(site_dir, site.config, "static"):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in seen:
                seen.add(relative)
                yield relative, path
    for source_path, route in sorted(site.assets.items()):
        yield route, site_dir / source_path


__all__ = ["BuildOptions", "BuildReport", "SiteError", "build"]
