"""A paused deadline, resumed: its due date moves by the time left when it was paused, and a
calendar-day or month period still ends on a working day (《民法典》第203条: a period whose last
day is a statutory day off ends on the first day after it).

Every expected date is counted by hand from 国办发明电〔2025〕7号 (2026: 中秋 9/25–9/27, 国庆
10/1–10/7 off; 9/20 (Sun) and 10/10 (Sat) worked).
"""

from __future__ import annotations

from datetime import date

from engine.calendar import PROJECTION_BASIS, national_calendar
from engine.deadlines import apply_event
from engine.workflow import parse_workflow

MINI = """
[workflow]
name = "mini"
title = "迷你"
initial = "a"

[[states]]
name = "a"
title = "甲"

[[states]]
name = "b"
title = "乙"

[[states]]
name = "c"
title = "丙"
final = true

[[transitions]]
event = "go"
sources = ["a"]
dest = "b"

[[transitions]]
event = "hold"
sources = ["b"]
dest = ""

[[transitions]]
event = "resume"
sources = ["b"]
dest = ""

[[transitions]]
event = "done"
sources = ["b"]
dest = "c"

[parameters.p]
value = "PERIOD"
citation = "测试条款"

[[deadlines]]
rule = "r"
title = "时限"
starts = ["go"]
stops = ["done"]
pauses = ["hold"]
resumes = ["resume"]
param = "p"
"""


def run(period: str, events: list[tuple[str, date]]):
    """The one deadline of the mini workflow after ``events``."""
    workflow = parse_workflow(MINI.replace("PERIOD", period), "tests/mini.toml")
    calendar = national_calendar()
    deadlines: list = []
    for event, on in events:
        deadlines = apply_event(deadlines, workflow, event, on, calendar, {}, False, {})
    [deadline] = deadlines
    return deadline


def test_a_resumed_calendar_day_period_ending_in_guoqing_moves_to_the_next_working_day():
    """7d from Mon 2026-09-14: 9/15 (1) … 9/21 (7), Mon 9/21, a working day → due 09-21.
    Paused Fri 9/18: 21 − 18 = 3 days left. Resumed Mon 9/28: 9/29 (1), 9/30 (2), 10/1 (3)
    → last day Thu 10/1, 国庆 (10/1–10/7 off) → 第203条: Thu 2026-10-08 (the old code left it
    on 10-01, a day off)."""
    started = run("7d", [("go", date(2026, 9, 14))])
    assert started.due_on == date(2026, 9, 21)
    resumed = run("7d", [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 18)),
                         ("resume", date(2026, 9, 28))])
    assert resumed.due_on == date(2026, 10, 8)
    assert resumed.paused_on is None
    assert resumed.computation.endswith(
        "；2026-09-18中止，2026-09-28恢复，到期日顺延"
        "；期间最后一日2026-10-01为休息日（国庆节），顺延至2026-10-08")


def test_a_resumed_month_period_ending_in_guoqing_moves_to_the_next_working_day():
    """1m from Mon 2026-08-31: 9/30 (第202条: September has no 31st, its last day), Wed, a
    working day → due 09-30. Paused Fri 9/25: 30 − 25 = 5 days left. Resumed Fri 10/2 (in the
    holiday): 10/3 (1) … 10/7 (5) → last day Wed 10/7, 国庆 → 第203条: Thu 2026-10-08."""
    events = [("go", date(2026, 8, 31)), ("hold", date(2026, 9, 25))]
    assert run("1m", events[:1]).due_on == date(2026, 9, 30)
    resumed = run("1m", [*events, ("resume", date(2026, 10, 2))])
    assert resumed.due_on == date(2026, 10, 8)


def test_a_resumed_period_ending_on_a_make_up_saturday_stays_there():
    """第203条 moves only a day off: a make-up working Saturday is a working day. 7d from Mon
    2026-09-14, due 09-21, paused Fri 9/18 (3 days left), resumed Wed 10/7: 10/8 (1), 10/9
    (2), 10/10 (3) → Sat 2026-10-10, worked (国庆调休上班), so due there. Resumed Thu 10/8
    instead: 10/9, 10/10, 10/11 → Sun 10/11, a weekend → Mon 2026-10-12."""
    events = [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 18))]
    assert run("7d", [*events, ("resume", date(2026, 10, 7))]).due_on == date(2026, 10, 10)
    assert run("7d", [*events, ("resume", date(2026, 10, 8))]).due_on == date(2026, 10, 12)


def test_a_resumed_working_day_period_is_unchanged():
    """Working days need no 第203条: 3wd from Mon 2026-09-14 → 9/17 (9/15, 9/16, 9/17).
    Paused Tue 9/15: 2 working days left (9/16, 9/17). Resumed Mon 9/28: 9/29 (1), 9/30 (2)
    → Wed 2026-09-30."""
    resumed = run("3wd", [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 15)),
                          ("resume", date(2026, 9, 28))])
    assert resumed.due_on == date(2026, 9, 30)


def test_a_deadline_resumed_into_a_projected_year_says_it_is_projected():
    """2027 has no notice: a due date moved into it by a resumption is provisional, and its
    computation names the projection as any provisional due date's basis does.
    7d from Mon 2026-12-07 → Mon 12/14 (official). Paused Fri 12/11: 3 days left. Resumed
    Mon 2027-01-04: 1/5, 1/6, 1/7 → Thu 2027-01-07 (no projected holiday then).
    3wd from Mon 2026-12-07 → Thu 12/10. Paused Tue 12/8: 2 working days left (12/9, 12/10).
    Resumed Mon 2027-01-04: 1/5 (1), 1/6 (2) → Wed 2027-01-06."""
    days = run("7d", [("go", date(2026, 12, 7)), ("hold", date(2026, 12, 11)),
                      ("resume", date(2027, 1, 4))])
    assert (days.due_on, days.provisional) == (date(2027, 1, 7), True)
    assert days.computation.endswith("；2026-12-11中止，2027-01-04恢复，到期日顺延"
                                     "；工作日依" + PROJECTION_BASIS)
    working = run("3wd", [("go", date(2026, 12, 7)), ("hold", date(2026, 12, 8)),
                          ("resume", date(2027, 1, 4))])
    assert (working.due_on, working.provisional) == (date(2027, 1, 6), True)
    assert working.computation.endswith("；工作日依" + PROJECTION_BASIS)
    assert working.computation.count(PROJECTION_BASIS) == 1
