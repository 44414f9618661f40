"""Synthetic cases for the demo database: every province shipped with doudi, every route,
some of them late.

The cases are driven through the real engine (guards and all), from dates before ``as_of``
up to ``as_of``, with delays drawn so that some deadlines are met, some met late and some
breached. Seeded: the same ``as_of`` and seed give the same database. The synthetic cases
know only the routes and data of the shipped provinces: another installed province's own
guards may refuse them, so it is left out (``demo_provinces``), not half built.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from engine.core import Engine
from engine.errors import DoudiError
from engine.periods import add_months
from engine.plugins import shipped_with_doudi
from engine.provinces import Province
from engine.workflow import always_delegating

COUNTIES = ["甲县", "乙县", "丙区"]  # sample county names, the same in every province
#: The reasons a refusal of the demo gives (its written notice states them: 57号 第21条).
REFUSAL_REASONS = (
    "经家庭经济状况调查和信息核对，家庭人均收入高于当地最低生活保障标准",
    "家庭财产状况不符合当地最低生活保障家庭财产认定条件",
    "经信息核对，申请人未如实申报家庭成员名下的机动车辆",
)


def demo_provinces(engine: Engine) -> tuple[list[Province], list[Province]]:
    """The installed provinces the demo builds cases in (those shipped with doudi), and the
    others, which it leaves out."""
    provinces = engine.provinces()
    built = [p for p in provinces if shipped_with_doudi(p.plugin)]
    return built, [p for p in provinces if p not in built]


def build_demo(
    engine: Engine,
    as_of: date,
    cases: int = 240,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Open ``cases`` synthetic applications in the provinces shipped with doudi and drive
    them up to ``as_of``; returns events fired."""
    rng = random.Random(seed)
    provinces = [p.code for p in demo_provinces(engine)[0]]
    if not provinces:
        raise DoudiError("the demo builds its cases in the provinces shipped with doudi, and "
                         "none of them is loaded (see DOUDI_LOAD_PLUGINS)")
    fired = 0
    for n in range(cases):
        province = provinces[n % len(provinces)]
        if n % 4 == 3:  # a quarter: households already in payment before the engine came
            fired += _one_household(engine, rng, province, as_of)
        else:
            fired += _one_case(engine, rng, province, as_of)
        if progress:
            progress(1)
    return fired


def _one_household(engine: Engine, rng: random.Random, province: str, as_of: date) -> int:
    """A household receiving 低保 since up to 20 months ago, with what happens to households."""
    opened = as_of - timedelta(days=rng.randint(60, 600))
    attributes = {
        "county": rng.choice(COUNTIES),
        "applicant_name": f"户主{rng.randint(1000, 9999)}",
        "household_size": rng.randint(1, 5),
        "amount": rng.choice([600, 750, 900, 1100]),
        "paid_from": f"{opened.year:04d}-{opened.month:02d}",
        "unstable_income": rng.random() < 0.3,
    }
    case_id = engine.open_case(province=province, workflow="benefit", on=opened,
                               attributes=attributes).id
    fired = 0

    def event(name: str, on: date, **payload) -> None:
        nonlocal fired
        if on <= as_of and engine.case(case_id).state in ("paying", "phasing_out"):
            engine.fire(case_id, name, on=on, payload=payload)
            fired += 1

    # Periodic re-checks, most of them on time (some offices forget: a breach).
    review_every = 6 if attributes["unstable_income"] else 12
    due = opened
    while rng.random() < 0.8:
        due = add_months(due, review_every) - timedelta(days=rng.randint(0, 20))
        if due > as_of:
            break
        event("review", due, outcome="keep")
    roll = rng.random()
    last = engine.case(case_id).case.last_event_on
    when = last + timedelta(days=rng.randint(20, max(21, (as_of - last).days)))
    if roll < 0.15:
        event("member_died", when, died_on=(when - timedelta(days=rng.randint(0, 20))).isoformat())
    elif roll < 0.3:
        event("income_exceeds", when, per_capita_income=1500, standard=1000)
    elif roll < 0.38:
        # Unreported more than 3 months, 批评教育 follows by itself (83号 五(五)); "可以" leaves
        # it to the office, which decides against it for one such finding in four
        # (criticism=false). Over 100 days is more than 3 months whatever day off 第203条
        # moved their end to; up to 89 days is within them.
        unreported = rng.randint(30, 200)
        occurred_on = (when - timedelta(days=unreported)).isoformat()
        if unreported > 100 and rng.random() < 0.25:
            event("change_found", when, occurred_on=occurred_on, criticism=False)
        else:
            event("change_found", when, occurred_on=occurred_on)
    elif roll < 0.42:
        event("fraud_found", when, since=(when - timedelta(days=rng.randint(30, 150))).isoformat())
    return fired


def _one_case(engine: Engine, rng: random.Random, province: str, as_of: date) -> int:
    calendar = engine.calendar(province)
    opened = as_of - timedelta(days=rng.randint(1, 80))
    county = rng.choice(COUNTIES)
    attributes = {
        "county": county,
        "applicant_name": f"申请人{rng.randint(1000, 9999)}",
        "household_size": rng.randint(1, 5),
    }
    workflow = engine.registry.workflow(province, "dibao")
    always = always_delegating(workflow.parameters) is not None
    if not always and rng.random() < 0.3:
        attributes["delegated"] = True
    delegated = always or attributes.get("delegated") is True
    view = engine.open_case(province=province, on=opened, attributes=attributes)
    case_id = view.id
    fired = 0
    day = opened

    # Some files are forgotten on a desk: the case stops moving after a few steps.
    stall_after = rng.randint(1, 8) if rng.random() < 0.15 else None

    def step(event: str, delay_wd: int, latest: date | None = None, **kwargs) -> bool:
        nonlocal day, fired
        when = calendar.add_working_days(day, delay_wd) if delay_wd else day
        if latest is not None:
            when = min(when, latest)
        if when > as_of or (stall_after is not None and fired >= stall_after):
            return False
        engine.fire(case_id, event, on=when, **kwargs)
        day = when
        fired += 1
        return True

    slow = rng.random() < 0.25  # a quarter of the offices run late
    late = (lambda a, b: rng.randint(a, b + 4)) if slow else (lambda a, b: rng.randint(a, b))
    if not step("accept", rng.randint(0, 1)):
        return fired
    if rng.random() < 0.03:
        step("withdraw", rng.randint(1, 5))
        return fired
    if not step("start_investigation", late(1, 3)):
        return fired
    if rng.random() < 0.08 and step("extend", 1, reason=rng.choice(["人户分离", "异地申办", "调查难度大"])):
        pass
    if not step("request_verification", rng.randint(2, 5)):
        return fired
    if not step("start_verification", late(1, 3)):
        return fired
    if "refer_collective" in workflow.events and rng.random() < 0.1:  # a province route
        if not step("refer_collective", rng.randint(1, 3)):
            return fired
        record = {"outcome": "agree", "participants": 5, "reasons": "确有特殊困难",
                  "meeting_on": day.isoformat()}
        if not step("collective_decided", rng.randint(2, 6), payload=record):
            return fired
    if not step("post_publicity", rng.randint(1, 3)):
        return fired
    publicity = next(v.deadline for v in reversed(engine.deadlines(case_id, as_of=day))
                     if v.deadline.rule == "publicity")
    if rng.random() < 0.1:
        # Within the 7 days of 公示 (calendar days: a holiday inside it must not push the
        # objection past its end, e.g. 2026-04-29 to 05-06 over 劳动节).
        if not step("raise_objection", rng.randint(1, 3), latest=publicity.due_on):
            return fired
        day = max(day, publicity.due_on)
    else:
        day = publicity.due_on
    if not delegated:
        if not step("submit_to_county", rng.randint(1, 2)):
            return fired
        decision_delay = late(3, 9)
    else:
        decision_delay = late(1, 6)
    if rng.random() < 0.8:
        if step("approve", decision_delay, payload={"amount": rng.choice([600, 750, 900, 1100])}):
            step("publish", rng.randint(1, 3))
    # (a reason, as the written notice must state one, 57号 第21条 "说明理由": doudi notice
    # refusal refuses a refusal with none; picked without the random generator, which would
    # change every case after it)
    elif step("reject", decision_delay, reason=REFUSAL_REASONS[fired % len(REFUSAL_REASONS)]):
        step("notify_refusal", late(1, 3))
    return fired
