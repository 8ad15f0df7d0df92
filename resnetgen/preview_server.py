"""The preview's web server: livereload (tornado) serving the preview folder.

- `PreviewHandler` serves the built site under its base path (`/blog/...`), or the
  error page for every page while the last build failed;
- `DebouncedWatcher` plugs into livereload's watcher interface: it polls every
  watched file, waits for a burst of saves to settle, rebuilds once, then tells
  every open tab to reload (even when the build failed: the tab then shows why).

Imported only by `resnetgen serve`: tornado stays out of every other command.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import ioloop, web

from resnetgen.error_page import error_page
from resnetgen.serve import Preview
from resnetgen.watch import Debouncer, FileSnapshot

POLL_SECONDS = 0.1


def serve_preview(preview: Preview, watched: list[Path], host: str, port: int) -> int:
    """Build, then serve until interrupted. Returns the exit status."""
    watcher = DebouncedWatcher(preview, watched)  # before building: no save is missed
    if preview.build():
        preview.log(preview.summary)
    else:
        preview.report_failure("The site did not build")
    server = PreviewServer(preview, watcher, ready=lambda: preview.log(
        f"Preview: http://{host}:{port}{preview.base_path} "
        f"({'drafts shown' if preview.drafts else 'drafts hidden'}; "
        "it updates as you save; press Ctrl+C to stop)"))
    server.serve(port=port, host=host, restart_delay=0)
    preview.log("Preview stopped")
    return 0


class DebouncedWatcher(Watcher):
    """livereload's watcher interface, with a full scan per poll and one rebuild per burst."""

    def __init__(self, preview: Preview, watched: list[Path]):
        super().__init__()
        for path in watched:
            Watcher.watch(self, str(path))  # registered, so livereload won't watch the cwd
        self.preview = preview
        self.snapshot = FileSnapshot(list(watched))
        self.debouncer = Debouncer()

    def start(self, callback) -> bool:
        ioloop.PeriodicCallback(self.poll, POLL_SECONDS * 1000).start()
        return True  # livereload's own polling (one rebuild per file) stays off

    def examine(self):
        return None, None

    def poll(self) -> None:
        now = time.monotonic()
        self.debouncer.notice(self.snapshot.changes(), now)
        batch = self.debouncer.due(now)
        if batch:
            self.preview.rebuild(batch)
            # Straight to the tabs: livereload's poll_tasks would drop a reload that
            # comes within 3 s of the previous one, leaving a stale page.
            LiveReloadHandler.reload_waiters("*")


class CannotListen(Exception):
    """The address or port is taken or not allowed."""


class PreviewServer(Server):
    def __init__(self, preview: Preview, watcher: DebouncedWatcher,
                 ready: Callable[[], None] = lambda: None):
        super().__init__(watcher=watcher)
        self.preview = preview
        self.ready = ready

    def application(self, *args, **kwargs):
        try:
            application = super().application(*args, **kwargs)
        except OSError as error:
            raise CannotListen(error.strerror or str(error)) from None
        # Only now, with the port listening, is the address given: a browser (or a
        # script) that opens it at once is answered, not refused.
        self.ready()
        return application

    def get_web_handlers(self, script):
        return [(r"/(.*)", PreviewHandler, {"preview": self.preview})]

    def _setup_logging(self) -> None:
        # Our own one-line messages say what happens; livereload's chatter is noise.
        logging.getLogger("livereload").setLevel(logging.WARNING)
        logging.getLogger("tornado.access").setLevel(logging.CRITICAL)


class PreviewHandler(web.StaticFileHandler):
    def initialize(self, preview: Preview) -> None:  # type: ignore[override]
        super().initialize(path=str(preview.output_dir), default_filename="index.html")
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        url = "/" + path
        base = self.preview.base_path
        if not url.startswith(base):
            if url in ("/", base.rstrip("/")):
                self.redirect(base)
                return
            raise web.HTTPError(404)
        route = url[len(base):]
        if self.preview.problems and _is_page(route):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(error_page(self.preview.problems))
            return
        await super().get(route, include_body)

    def should_return_304(self) -> bool:
        return False  # always the newest build

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs) -> None:
        """The site's own 404 page for a missing page, as the published site would."""
        not_found = Path(self.root) / "404.html"
        if status_code == 404 and not_found.is_file():
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(not_found.read_bytes())
            return
        super().write_error(status_code, **kwargs)


def _is_page(route: str) -> bool:
    """A route that shows a page (an HTML file or a folder), not a picture or stylesheet."""
    last = route.rsplit("/", 1)[-1]
    return last == "" or last.endswith((".html", ".htm")) or "." not in last
