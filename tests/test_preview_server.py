"""The preview server's start: its address is given only once it can be opened."""

from __future__ import annotations

import asyncio
import socket
import threading

from conftest import NOW
from preview_process import free_port
from resnetgen.preview_server import DebouncedWatcher, PreviewServer
from resnetgen.serve import Preview


def test_the_address_is_given_once_the_port_listens(tmp_path):
    """An editor (or a script, or the tests) opening the address the moment it is
    printed gets the page: on a busy machine, the line printed before the port listened
    led to 'connection refused'."""
    port = free_port()
    preview = Preview(site_dir=tmp_path, output_dir=tmp_path / "out", drafts=True,
                      clock=lambda: NOW, log=lambda line: None)
    answered: list[bool] = []

    def ready() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                answered.append(True)
        except OSError:
            answered.append(False)

    server = PreviewServer(preview, DebouncedWatcher(preview, []), ready=ready)

    def start() -> None:  # on a loop of its own, closed with its listening socket
        from tornado.ioloop import IOLoop
        asyncio.set_event_loop(asyncio.new_event_loop())
        try:
            server.application(port, "127.0.0.1")
        finally:
            IOLoop.current().close(all_fds=True)
    thread = threading.Thread(target=start)
    thread.start()
    thread.join(timeout=30)
    assert answered == [True]
