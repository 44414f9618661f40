"""Today, as the procedure counts it: the date in China (UTC+8, no summer time).

Events are recorded once they have happened, so none may be dated after today. A server kept
in UTC is still on yesterday for the first eight hours of a Chinese day; the date is taken
in China's time, not the machine's.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "UTC+08:00")

_DAY = 86400
_OFFSET = 8 * 3600
#: The date last worked out with the real clock, and the system times (seconds since the
#: epoch) between which it is still the date: asked for by every event, and
#: ``datetime.now(CHINA).date()`` costs about ten times ``time.time()``.
_known: tuple[float, float, date] | None = None
_REAL = datetime


def china_today() -> date:
    """The date it is now in China."""
    global _known
    if datetime is not _REAL:  # (a clock replaced, as tests freeze one: asked each time)
        return datetime.now(CHINA).date()
    now = time.time()
    known = _known
    if known is not None and known[0] <= now < known[1]:
        return known[2]
    today = datetime.now(CHINA).date()
    # From a millisecond after the day began to a millisecond before it ends (datetime
    # rounds the time to a microsecond; the edges are asked of it), in the system's time,
    # which is the clock datetime.now reads: a clock set back falls outside and is asked.
    start = (today - date(1970, 1, 1)).days * _DAY - _OFFSET
    _known = (start + 0.001, start + _DAY - 0.001, today)
    return today
