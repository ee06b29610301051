"""The demo city's clock (``seed_demo`` only, never a request).

The services stamp what they write with the present moment and refuse, as
they should, a slot in the past or an outcome before the meeting. To give
the demo a year that was lived through the real services, the apps' demo
modules run each step *as at* the moment it happened: a request ten days
before its meeting day, the outcome after the meeting, a visit's record the
afternoon it was held. ``time_machine`` sets the process's clock; it stands
still inside the block and comes back to the present after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import time_machine

from scheduling.clock import SEOUL


@contextlib.contextmanager
def replaying(moment: dt.datetime):
    """Run the block as at ``moment`` (aware)."""
    with time_machine.travel(moment, tick=False):
        yield


def seoul(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour``:``minute`` in Seoul."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)
