"""Running one function in several threads at the same moment, for tests with ``committing_db``
(concurrent decisions, exports, reminder runs, publishing)."""
from __future__ import annotations

import threading
from collections.abc import Callable


def run_at_once(count: int, attempt: Callable[[int, Callable[[], None]], object], *,
                timeout: float = 240) -> list:
    """Call ``attempt(index, start)`` in ``count`` threads; return what each returned, by index.

    Each thread calls ``start()`` where it waits for all the others (a barrier) – after entering
    its app context and before its first statement, so that the transactions really meet
    (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's row locks). An exception that escapes
    ``attempt`` is returned as ``"error: <repr>"``; a thread that has not finished after
    ``timeout`` seconds leaves ``None``."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = attempt(index, lambda: barrier.wait(timeout=60))
        except Exception as error:  # noqa: BLE001 - the test's assertions report it
            results[index] = f"error: {error!r}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
