"""A run's start-up, overlapped: Prefect's temporary server starts in a process of its own
(8–16 s) while this process imports what the run needs (the flow, and Great Expectations for
validation: 3.5–4.5 s)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED


@contextlib.contextmanager
def server_starting() -> Iterator[None]:
    """Start Prefect's temporary server, when the run will use one (no PREFECT_API_URL),
    while the block runs; on leaving, wait until it is up.

    A server that fails to start here is left to the flow, which starts it again and reports
    the error."""
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.server.api.server import SubprocessASGIServer

    ensure_logging_setup()  # the server's start is logged, as when the flow starts it
    # The flow's client finds this same instance (one per port) already running.
    thread = threading.Thread(target=_start, args=(SubprocessASGIServer(),))
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _start(server) -> None:
    with contextlib.suppress(Exception):  # the flow's own start raises it, with its context
        server.start()
