"""Two writers at once, in threads with real commits: the first pauses right after a read
(the window a lock must close) while the second acts."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from lokapp.bookings import services
from lokapp.extensions import db


def attempt(app, action: Callable[[], object]) -> str:
    """Run ``action`` in its own request and transaction: "saved" or "refused"."""
    with app.test_request_context():
        try:
            action()
            db.session.commit()
            return "saved"
        except services.BookingError:
            db.session.rollback()
            return "refused"


def race(app, monkeypatch, paused: tuple[object, str], first: Callable[[], object],
         second: Callable[[], object], *, pause: float = 1.0) -> tuple[str, str]:
    """``first`` pauses ``pause`` seconds after calling ``paused`` (module, function name);
    ``second`` starts once that read is done. Returns both outcomes."""
    module, name = paused
    original = getattr(module, name)
    read = threading.Event()

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        read.set()
        time.sleep(pause)
        return result

    monkeypatch.setattr(module, name, slow)
    outcomes = ["", ""]

    def run_first() -> None:
        try:
            outcomes[0] = attempt(app, first)
        finally:
            read.set()

    def run_second() -> None:
        read.wait(timeout=60)
        outcomes[1] = attempt(app, second)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes[0], outcomes[1]
