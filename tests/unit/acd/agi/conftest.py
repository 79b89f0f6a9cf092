"""Safety net for the FastAGI tests: a hung test stops the run instead of blocking it.

The fault these tests guard against, an event loop spinning on a closed socket,
never yields, so no asyncio timeout can fire. A watchdog thread can: it sends
the main thread SIGINT-style interrupts (asyncio's runner swallows the first
one to cancel its task, which a spinning loop never gets to), so pytest stops
with a KeyboardInterrupt showing where it was stuck. Every test here takes
well under a second.
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Iterator

import pytest

HANG_LIMIT_S = 30.0
_REPEAT_S = 1.0


@pytest.fixture(autouse=True)
def _hang_watchdog() -> Iterator[None]:
    done = threading.Event()

    def watch() -> None:
        wait = HANG_LIMIT_S
        while not done.wait(wait):
            _thread.interrupt_main()
            wait = _REPEAT_S

    watchdog = threading.Thread(target=watch, name="agi-test-watchdog", daemon=True)
    watchdog.start()
    yield
    done.set()
    watchdog.join()
