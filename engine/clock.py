"""Today, as the procedure counts it: the date in China (UTC+8, no summer time).

Events are recorded once they have happened, so none may be dated after today. A server kept
in UTC is still on yesterday for the first eight hours of a Chinese day; the date is taken
in China's time, not the machine's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "UTC+08:00")


def china_today() -> date:
    """The date it is now in China."""
    return datetime.now(CHINA).date()
