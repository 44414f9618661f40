"""A paused deadline, resumed: its due date moves by the time left when it was paused, and a
calendar-day or month period still ends on a working day (《民法典》第203条: a period whose last
day is a statutory day off ends on the first day after it). The time left runs to the period's
own last day, not to the due date 第203条 moved off it.

Every expected date is counted by hand from 国办发明电〔2025〕7号 (2026: 元旦 1/1–1/3 off, 1/4
(Sun) worked; 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked; 中秋 9/25–9/27, 国庆
10/1–10/7 off; 9/20 (Sun) and 10/10 (Sat) worked).
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.calendar import PROJECTION_BASIS, national_calendar
from engine.deadlines import Deadline, apply_event
from engine.errors import DamagedRecord
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
    """The one deadline of the mini workflow after ``events``, stored and read back after
    each (as a case's deadlines are between two events)."""
    workflow = parse_workflow(MINI.replace("PERIOD", period), "tests/mini.toml")
    calendar = national_calendar()
    deadlines: list = []
    for event, on in events:
        deadlines = apply_event(deadlines, workflow, event, on, calendar, {}, False, {})
        assert [Deadline.from_row(d.to_row("C1")) for d in deadlines] == deadlines
        deadlines = [Deadline.from_row(d.to_row("C1")) for d in deadlines]
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


# -- the time left runs to the period's own last day, not to the due date 第203条 moved ----------
# Found by review: the time left was counted to the due date, which 第203条 had already moved
# off a day off, so a deadline paused before such a due date got the days off back as days
# of its own, and a second move by 第203条 on top.


def test_a_resumed_month_period_counts_to_its_own_last_day_not_the_moved_due_date():
    """1m from Sat 2026-01-17: 第202条, the corresponding day Tue 2/17, in 春节 (2/15–2/23 off)
    → 第203条: Tue 2026-02-24. Paused Tue 2/10: the period's own last day is 2/17, so 7 days
    are left (2/11 … 2/17; not the 14 to 2/24). Resumed Mon 3/2: 3/3 (1) … 3/9 (7) → Mon
    2026-03-09, a working day (the old code gave 3/2 + 14 = 2026-03-16)."""
    started = run("1m", [("go", date(2026, 1, 17))])
    assert (started.due_on, started.moved_from) == (date(2026, 2, 24), date(2026, 2, 17))
    resumed = run("1m", [("go", date(2026, 1, 17)), ("hold", date(2026, 2, 10)),
                         ("resume", date(2026, 3, 2))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 3, 9), None)
    assert resumed.computation.endswith("；期间最后一日2026-02-17为休息日（春节），顺延至2026-02-24"
                                        "；2026-02-10中止，2026-03-02恢复，到期日顺延")


def test_a_resumed_calendar_day_period_counts_to_its_own_last_day_then_moves_again():
    """7d from Mon 2026-09-28: 9/29 (1) … 10/5 (7), in 国庆 (10/1–10/7 off) → 第203条: Thu
    2026-10-08. Paused Wed 9/30: 5 days left to the period's own last day 10/5 (10/1 … 10/5;
    not the 8 to 10/8). Resumed Mon 10/12: 10/13 (1) … 10/17 (5) → Sat 10/17, a weekend (the
    make-up Saturday is 10/10) → 第203条: Mon 2026-10-19 (the old code: 10/12 + 8 = Tue
    10/20)."""
    started = run("7d", [("go", date(2026, 9, 28))])
    assert (started.due_on, started.moved_from) == (date(2026, 10, 8), date(2026, 10, 5))
    resumed = run("7d", [("go", date(2026, 9, 28)), ("hold", date(2026, 9, 30)),
                         ("resume", date(2026, 10, 12))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 10, 19), date(2026, 10, 17))
    assert resumed.computation.endswith(
        "；2026-09-30中止，2026-10-12恢复，到期日顺延；期间最后一日2026-10-17为休息日（周六），"
        "顺延至2026-10-19")


def test_a_resumed_calendar_month_duty_counts_to_the_months_last_day():
    """1cm (每月一次) from Wed 2025-12-10: the last day of the month after, Sat 2026-01-31 →
    第203条: Mon 2026-02-02. Paused Tue 1/20: 11 days left to 1/31 (1/21 … 1/31; not the 13
    to 2/2). Resumed Mon 2/2: 2/3 (1) … 2/13 (11) → Fri 2026-02-13, a working day (the old
    code: 2/2 + 13 = Sun 2/15, in 春节 → 2026-02-24)."""
    events = [("go", date(2025, 12, 10)), ("hold", date(2026, 1, 20))]
    assert run("1cm", events[:1]).moved_from == date(2026, 1, 31)
    resumed = run("1cm", [*events, ("resume", date(2026, 2, 2))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 2, 13), None)


def test_a_period_paused_in_the_days_off_after_its_last_day_has_none_left():
    """The days 第203条 adds are days off after the period's own last day: paused among them,
    no time of the period is left, and it ends on the day it resumes, or, that being a day
    off, on the next working day (第203条). 1m from 2026-01-17: last day 2/17 → due 2/24
    (above). Paused Fri 2/20 (in 春节): none left. Resumed Wed 3/4 → Wed 2026-03-04 (the old
    code: 4 days to 2/24 → Sun 3/8 → Mon 3/9). Resumed Sun 3/1 instead → Mon 2026-03-02."""
    events = [("go", date(2026, 1, 17)), ("hold", date(2026, 2, 20))]
    assert run("1m", [*events, ("resume", date(2026, 3, 4))]).due_on == date(2026, 3, 4)
    resumed = run("1m", [*events, ("resume", date(2026, 3, 1))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 3, 2), date(2026, 3, 1))


def test_a_second_pause_counts_to_the_last_day_the_first_resumption_gave():
    """7d from Mon 2026-09-14 → 9/21; paused Fri 9/18 (3 left), resumed Mon 9/28: 9/29, 9/30,
    10/1 → last day Thu 10/1, in 国庆 → 第203条: 10/8 (above). Paused again Tue 9/29: 2 days
    left to 10/1 (9/30, 10/1; not the 9 to 10/8). Resumed Mon 10/12: 10/13 (1), 10/14 (2) →
    Wed 2026-10-14, a working day (the old code: 10/12 + 9 = Wed 10/21)."""
    events = [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 18)),
              ("resume", date(2026, 9, 28))]
    once = run("7d", events)
    assert (once.due_on, once.moved_from) == (date(2026, 10, 8), date(2026, 10, 1))
    twice = run("7d", [*events, ("hold", date(2026, 9, 29)), ("resume", date(2026, 10, 12))])
    assert (twice.due_on, twice.moved_from) == (date(2026, 10, 14), None)


def test_a_working_day_period_is_never_moved_and_counts_working_days_left():
    """Working days need no 第203条 (the count skips days off). 5wd from Tue 2026-02-10: 2/11
    (1), 2/12 (2), 2/13 (3), Sat 2/14 worked (4), 2/15–2/23 off, 2/24 (5) → 2/24. Paused Thu
    2/12: 3 working days left (2/13, 2/14, 2/24). Resumed Mon 3/2: 3/3, 3/4, 3/5 → Thu
    2026-03-05."""
    started = run("5wd", [("go", date(2026, 2, 10))])
    assert (started.due_on, started.moved_from) == (date(2026, 2, 24), None)
    resumed = run("5wd", [("go", date(2026, 2, 10)), ("hold", date(2026, 2, 12)),
                          ("resume", date(2026, 3, 2))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 3, 5), None)



def test_a_working_day_period_paused_on_its_due_date_and_resumed_on_a_day_off_ends_after_it():
    """Found by review: 3wd from Mon 2026-03-02 → 3/3, 3/4, 3/5: due Thu 03-05. Paused that
    Thu: no working day left. Resumed Sat 3/7, it was due that Saturday, a day off, and done
    on Mon 3/9 was late. 《民法典》第203条: "期间的最后一日是法定休假日的，以法定休假日结束的
    次日为期间的最后一日": due Mon 2026-03-09, as a calendar-day period with none left is
    (above). Resumed on a working day, Mon 3/9, it is due that day."""
    events = [("go", date(2026, 3, 2)), ("hold", date(2026, 3, 5))]
    resumed = run("3wd", [*events, ("resume", date(2026, 3, 7))])
    assert (resumed.due_on, resumed.moved_from) == (date(2026, 3, 9), date(2026, 3, 7))
    assert resumed.computation.endswith(
        "；2026-03-05中止，2026-03-07恢复，到期日顺延"
        "；期间最后一日2026-03-07为休息日（周六），顺延至2026-03-09")
    on_a_working_day = run("3wd", [*events, ("resume", date(2026, 3, 9))])
    assert (on_a_working_day.due_on, on_a_working_day.moved_from) == (date(2026, 3, 9), None)


def test_a_duty_done_while_paused_is_met_not_late():
    """Found by review: docs/counting.md "a pause stops the clock of the time limit", and a
    paused duty is 'open', not breached, past its due date. 3wd from Mon 2026-03-02 → 3/3,
    3/4, 3/5: due Thu 03-05; paused Wed 3/4 with one working day left. Done on Fri 3/20,
    still paused, it was 'met_late' with 11 working days overdue (3/6 … 3/20), though on
    3/19 it was 'open'. Its clock never ran out: met. Done on 3/20 without the pause (or
    paused only after its due date, 3/6, when it was breached already and the pause stopped
    nothing) it is late, as before."""
    calendar = national_calendar()
    held = [("go", date(2026, 3, 2)), ("hold", date(2026, 3, 4))]
    assert run("3wd", held).status(date(2026, 3, 19), calendar) == "open"
    done = run("3wd", [*held, ("done", date(2026, 3, 20))])
    assert (done.due_on, done.stopped_on, done.outcome) == (
        date(2026, 3, 5), date(2026, 3, 20), "met")
    assert done.status(date(2026, 3, 20), calendar) == "met"
    for events in ([("go", date(2026, 3, 2))], [("go", date(2026, 3, 2)), ("hold", date(2026, 3, 6))]):
        late = run("3wd", [*events, ("done", date(2026, 3, 20))])
        assert (late.paused_on, late.outcome) == (None, "met_late")

# -- an extension or a variant after a resumption keeps the time the pause added ---------------
# Found by review: an extension (or a variant's period, the case's attributes changed) counted
# the new period from the start again, as if the deadline had never been paused: the days the
# pause had added, and its words in the basis, were dropped.

EXTENDED = MINI.replace('param = "p"\n', '''param = "p"
extensions = [{ events = ["extend"], param = "px" }]
variants = [{ when = "delegated", param = "pd" }]
''').replace("[[deadlines]]", '''[[transitions]]
event = "extend"
sources = ["b"]
dest = ""

[[transitions]]
event = "delegate"
sources = ["b"]
dest = ""

[attributes.delegated]
type = "bool"
title = "权限下放"

[parameters.px]
value = "EXTENDED"
citation = "测试条款（延长）"

[parameters.pd]
value = "DELEGATED"
citation = "测试条款（下放）"

[[deadlines]]''')


def run_extended(periods: tuple[str, str, str], events: list[tuple[str, date]]):
    """The one deadline of the mini workflow, its period ``p``, extended to ``px`` by
    ``extend``, and ``pd`` once ``delegate`` makes the case delegated, after ``events``."""
    period, extended, delegated = periods
    workflow = parse_workflow(EXTENDED.replace("PERIOD", period).replace("EXTENDED", extended)
                              .replace("DELEGATED", delegated), "tests/mini.toml")
    calendar = national_calendar()
    deadlines: list = []
    attributes: dict = {}
    for event, on in events:
        before = dict(attributes)
        if event == "delegate":
            attributes["delegated"] = True
        deadlines = apply_event(deadlines, workflow, event, on, calendar, attributes, False, {},
                                before=before)
        deadlines = [Deadline.from_row(d.to_row("C1")) for d in deadlines]
    [deadline] = deadlines
    return deadline


# 30wd from Mon 2026-03-02 (民发〔2021〕57号 第22条's 30 working days; 清明 4/4–4/6 off, 劳动节
# 5/1–5/5 off, 5/9 (Sat) worked): 3/3 … 3/6 (4), 3/9 … 3/13 (9), 3/16 … 3/20 (14), 3/23 …
# 3/27 (19), 3/30 … 4/3 (24), 4/7 … 4/10 (28), 4/13 (29), 4/14 (30) → Tue 4/14. Paused Fri
# 3/13, 9 working days used, 21 left; resumed Mon 3/23: 3/24 … 3/27 (4), 3/30 … 4/3 (9),
# 4/7 … 4/10 (13), 4/13 … 4/17 (18), 4/20, 4/21, 4/22 (21) → Wed 4/22.
PAUSED = [("go", date(2026, 3, 2)), ("hold", date(2026, 3, 13)), ("resume", date(2026, 3, 23))]


def test_an_extension_after_a_resumption_keeps_the_time_the_pause_added():
    """57号 第22条 "可以延长至45个工作日": extended on Wed 4/1, after the resumption, the
    deadline counts 45 working days from its start, the pause's days not among them: 9 used
    before it, 36 left from 3/23: 21 → 4/22 (above), 4/23, 4/24 (23), 4/27 … 4/30 (27), 5/6,
    5/7, 5/8 (30), Sat 5/9 worked (31), 5/11 … 5/15 (36) → Fri 2026-05-15 (the old code counted
    45 from 3/2 as if never paused: … 4/14 (30), 4/15 … 4/30 (42), 5/6, 5/7, 5/8 → 5/8)."""
    resumed = run_extended(("30wd", "45wd", "20wd"), PAUSED)
    assert resumed.due_on == date(2026, 4, 22)
    extended = run_extended(("30wd", "45wd", "20wd"), [*PAUSED, ("extend", date(2026, 4, 1))])
    assert (extended.due_on, extended.duration, extended.extended_by) == (
        date(2026, 5, 15), "45wd", "extend")
    assert extended.computation.startswith("《民法典》第201条：起算日2026-03-02不计入，计45个工作日")
    assert extended.computation.endswith("；2026-03-13中止，2026-03-23恢复，到期日顺延")


def test_a_deadline_carries_its_pauses_as_data_not_in_the_words_of_its_basis():
    """The pauses a period counted again keeps (the extension above: 9 working days used before
    Fri 3/13, 36 of 45 left from Mon 3/23 → Fri 2026-05-15) are the deadline's own data
    (``pauses``, stored as ``PAUSED/RESUMED``), not read back from the words the resumption
    wrote in its basis: a basis worded otherwise (an upgrade that words it anew, a recompute)
    keeps them. Read from the words, that basis gave none, and the extension counted 45 from
    3/2 as if never paused: → Fri 5/8."""
    from engine.plain_fields import changed

    resumed = run_extended(("30wd", "45wd", "20wd"), PAUSED)
    assert resumed.pauses == ((date(2026, 3, 13), date(2026, 3, 23)),)
    assert resumed.to_row("C1")["pauses"] == "2026-03-13/2026-03-23"
    reworded = changed(resumed, computation="计30个工作日，中止期间不计入")
    workflow = parse_workflow(EXTENDED.replace("PERIOD", "30wd").replace("EXTENDED", "45wd")
                              .replace("DELEGATED", "20wd"), "tests/mini.toml")
    [extended] = apply_event([reworded], workflow, "extend", date(2026, 4, 1),
                             national_calendar(), {}, False, {}, before={})
    assert (extended.due_on, extended.pauses) == (date(2026, 5, 15), resumed.pauses)
    # Stored so and read back; text that is no pause is a damaged row, named.
    assert Deadline.from_row(extended.to_row("C1")) == extended
    with pytest.raises(DamagedRecord, match="pauses '2026-03-13' are not PAUSED/RESUMED"):
        Deadline.from_row({**extended.to_row("C1"), "pauses": "2026-03-13"})


def test_a_variant_after_a_resumption_keeps_the_time_the_pause_added():
    """Delegated (20 working days, 民发〔2022〕83号 四(一)) on Wed 4/1, after the resumption:
    20 from 3/2, 9 used before the pause, 11 left from 3/23: 3/24 … 3/27 (4), 3/30 … 4/3 (9),
    4/7 (10), 4/8 (11) → Wed 2026-04-08 (the old code: 20 from 3/2, 3/27 (19), 3/30 (20) →
    Mon 3/30, already passed on 4/1)."""
    delegated = run_extended(("30wd", "45wd", "20wd"),
                             [*PAUSED, ("delegate", date(2026, 4, 1))])
    assert (delegated.due_on, delegated.duration, delegated.param) == (
        date(2026, 4, 8), "20wd", "pd")
    assert delegated.computation.endswith("；2026-03-13中止，2026-03-23恢复，到期日顺延")


def test_a_shorter_variant_whose_period_had_run_out_before_the_pause_is_not_moved_by_it():
    """A pause stops only a period still running (a breached one is not paused). 30wd from
    3/2, paused Wed 4/1 (22 used: 3/31 is the 21st), resumed Wed 4/15, delegated Thu 4/16:
    20 working days from 3/2 ended on Mon 3/30 (3/27 (19), 3/30 (20)), before the pause, so
    the pause adds nothing: due Mon 2026-03-30, breached."""
    delegated = run_extended(("30wd", "45wd", "20wd"), [
        ("go", date(2026, 3, 2)), ("hold", date(2026, 4, 1)), ("resume", date(2026, 4, 15)),
        ("delegate", date(2026, 4, 16))])
    assert delegated.due_on == date(2026, 3, 30)
    assert "中止" not in delegated.computation


def test_a_calendar_day_extension_counts_from_the_pause_day_what_the_longer_period_had_left():
    """7d from Mon 2026-09-28: last day 10/5, in 国庆 (10/1–10/7 off) → 第203条: 10/8. Paused
    Tue 10/6, in the days 第203条 added: none of the 7 days left. Resumed Fri 10/9 → due Fri
    10/9. Extended that day to 15d: 15 days from 9/28 end on Tue 10/13, of which 7 were left
    on the pause day (10/7 … 10/13), counted from 10/9: 10/10 (1) … 10/16 (7) → Fri
    2026-10-16, a working day (the old code: 15 days from 9/28 → 10/13, as if never
    paused)."""
    events = [("go", date(2026, 9, 28)), ("hold", date(2026, 10, 6)),
              ("resume", date(2026, 10, 9))]
    assert run_extended(("7d", "15d", "5d"), events).due_on == date(2026, 10, 9)
    extended = run_extended(("7d", "15d", "5d"), [*events, ("extend", date(2026, 10, 9))])
    assert (extended.due_on, extended.moved_from) == (date(2026, 10, 16), None)
    assert extended.computation == (
        "《民法典》第201条、第203条：起算日2026-09-28不计入，计15日"
        "；2026-10-06中止，2026-10-09恢复，到期日顺延")


def test_an_extension_while_paused_again_keeps_the_first_pause_and_counts_the_second():
    """Paused Fri 3/13, resumed Mon 3/23 (above: due 4/22), paused again Wed 4/1 after 7 more
    working days (3/24 … 3/27, 3/30, 3/31, 4/1: 16 used), extended that day to 45: 45 from
    3/2 less the first pause → 5/15 (above), still paused. Resumed Mon 4/13: 45 − 16 = 29
    left: 4/14 … 4/17 (4), 4/20 … 4/24 (9), 4/27 … 4/30 (13), 5/6 … 5/8 (16), Sat 5/9 worked
    (17), 5/11 … 5/15 (22), 5/18 … 5/22 (27), 5/25, 5/26 (29) → Tue 2026-05-26."""
    events = [*PAUSED, ("hold", date(2026, 4, 1)), ("extend", date(2026, 4, 1))]
    paused = run_extended(("30wd", "45wd", "20wd"), events)
    assert (paused.due_on, paused.paused_on) == (date(2026, 5, 15), date(2026, 4, 1))
    resumed = run_extended(("30wd", "45wd", "20wd"), [*events, ("resume", date(2026, 4, 13))])
    assert resumed.due_on == date(2026, 5, 26)
    assert resumed.computation.endswith("；2026-03-13中止，2026-03-23恢复，到期日顺延"
                                        "；2026-04-01中止，2026-04-13恢复，到期日顺延")


# -- a duty set by frequency is for the period its start gives, paused or not ------------------

EVERY_PERIOD = MINI.replace('dest = "c"', 'dest = ""').replace(
    'starts = ["go"]', 'starts = ["go", "done"]').replace(
    '[[transitions]]\nevent = "go"', '[[transitions]]\nevent = "finish"\nsources = ["b"]\n'
    'dest = "c"\n\n[[transitions]]\nevent = "go"')


def test_a_frequency_duty_done_after_its_resumption_counts_for_its_own_period():
    """A pause moves a duty's due date, not the period it is for ("每月一次": one a month).
    1cm from Wed 2025-12-10: January's, last day Sat 1/31 → 第203条: Mon 2/2. Paused Tue
    1/20, resumed Mon 2/2: 11 days left → Fri 2/13 (above). Done Tue 2/10, after January
    but in time: it counts for January, so the next is February's, counted from 1/31: Sat
    2026-02-28, worked (春节调休), not March's (3/31, counted from 2/10)."""
    workflow = parse_workflow(EVERY_PERIOD.replace("PERIOD", "1cm"), "tests/mini.toml")
    deadlines: list = []
    for event, on in [("go", date(2025, 12, 10)), ("hold", date(2026, 1, 20)),
                      ("resume", date(2026, 2, 2)), ("done", date(2026, 2, 10))]:
        deadlines = apply_event(deadlines, workflow, event, on, national_calendar(), {}, False)
    assert [(d.starts_on, d.due_on, d.outcome) for d in deadlines] == [
        (date(2025, 12, 10), date(2026, 2, 13), "met"),
        (date(2026, 1, 31), date(2026, 2, 28), None)]
