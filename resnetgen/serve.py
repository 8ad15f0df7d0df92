"""`resnetgen serve`: a live preview of the site, rebuilt and reloaded as files are saved.

The preview builds into a temporary folder (never output/, so drafts shown in the
preview can't be deployed by mistake) with drafts included. A build that fails
leaves the last good site in that folder and records its problems; the server then
shows them in place of every page until a save fixes them.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from resnetgen.problems import Problem

DEFAULT_PORT = 8000


def add_command(subparsers) -> None:
    serve = subparsers.add_parser(
        "serve", help="preview the site in your browser; it updates as you save")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"the port to serve on (default: {DEFAULT_PORT})")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to serve on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                       help="show drafts, marked as such (default: yes; --no-drafts "
                       "previews the site as it will be published)")
    serve.add_argument("--now", help="the clock, as an ISO date-time (default: the current "
                       "time at each rebuild)")
    serve.set_defaults(func=run_serve)


@dataclass
class Preview:
    """The preview's site: rebuilt on demand; remembers the problems of the last build."""
    site_dir: Path
    output_dir: Path
    drafts: bool
    clock: Callable[[], datetime]
    log: Callable[[str], None] = print
    problems: list[Problem] = field(default_factory=list)   # errors; empty when built
    base_path: str = "/"
    summary: str = ""
    warned: set[Problem] = field(default_factory=set)

    def build(self) -> bool:
        """Build the site into output_dir; True when it built."""
        from resnetgen.build import BuildOptions, SiteError, build
        try:
            report = build(BuildOptions(site_dir=self.site_dir, output_dir=self.output_dir,
                                        now=self.clock(), drafts=self.drafts))
            # Read now when nothing changed (see BuildReport.config): a site.toml saved
            # since with a mistake is then shown as any failed build's.
            base_path = report.config.base_path
        except SiteError as error:
            self.problems = list(error.problems)
            return False
        except Exception as error:  # a bug in resnetgen: keep serving, and say so
            self.problems = [Problem("resnetgen", 1, f"internal error: {type(error).__name__}: "
                                     f"{error}", "this is a bug in resnetgen; please report it")]
            return False
        finally:
            # The last build's site and cache hold reference cycles, which the cycle
            # collector, all but stopped during a build (build.quiet_gc), would reach
            # only after many more saves: each save kept ~2 MB more (300 posts).
            gc.collect()
        self.problems = []
        self.base_path = base_path
        self.summary = report.summary()
        for warning in report.warnings:
            if warning not in self.warned:  # each once, not again at every save
                self.warned.add(warning)
                self.log(str(warning))
        return True

    def rebuild(self, changed: set[str]) -> bool:
        """Build again after `changed` files were saved; one log line says how it went."""
        started = time.perf_counter()
        built = self.build()
        names = sorted(_relative(path, self.site_dir) for path in changed)
        what = f"{len(names)} changed: {', '.join(names[:3])}" + (", ..." if len(names) > 3 else "")
        if built:
            self.log(f"Rebuilt in {time.perf_counter() - started:.2f} s ({what})")
        else:
            self.report_failure(f"Rebuild failed ({what})")
        return built

    def report_failure(self, headline: str) -> None:
        self.log(f"{headline}: {len(self.problems)} "
                 f"{'problem' if len(self.problems) == 1 else 'problems'}, shown in the browser")
        for problem in self.problems:
            self.log(f"  {problem}")


def _relative(path: str, site_dir: Path) -> str:
    try:
        return Path(path).relative_to(site_dir).as_posix()
    except ValueError:
        return path


def watched_paths(site_dir: Path) -> list[Path]:
    """Everything a build reads: settings, content (with people.toml), templates, themes."""
    from resnetgen.theme import THEMES_DIR
    bundled_themes = Path(__file__).resolve().parent.parent / THEMES_DIR
    paths = [site_dir / "site.toml", site_dir / "content", site_dir / "templates",
             site_dir / "static", site_dir / THEMES_DIR]
    if bundled_themes.is_dir() and bundled_themes.resolve() != (site_dir / THEMES_DIR).resolve():
        paths.append(bundled_themes)
    return paths


def run_serve(args: argparse.Namespace) -> int:
    from resnetgen.clock import build_clock
    from resnetgen.cli import UsageError
    from resnetgen.preview_server import CannotListen, serve_preview

    site_dir = args.site.resolve()
    if not site_dir.is_dir():
        raise UsageError(f"--site {args.site}: no such folder")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: choose a number from 1 to 65535, such as 8000")
    fixed = build_clock(args.now) if args.now else None
    clock = (lambda: fixed) if fixed else (lambda: build_clock(None))
    clock()  # a bad SOURCE_DATE_EPOCH is said now, not at the first save
    workspace = Path(tempfile.mkdtemp(prefix="resnetgen-preview-"))
    preview = Preview(site_dir=site_dir, output_dir=workspace / "site", drafts=args.drafts,
                      clock=clock, log=lambda line: print(line, flush=True))
    # Stop cleanly (and remove the temporary folder) on `kill` or a closed terminal,
    # as on Ctrl+C.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        return serve_preview(preview, watched_paths(site_dir), args.host, args.port)
    except CannotListen as error:
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {error} "
                         f"(is another preview running? try --port {args.port + 1})") from None
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


__all__ = ["Preview", "add_command", "watched_paths"]
