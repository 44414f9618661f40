"""The built-in guards of the national procedure (and its national assessment rules),
registered as an ordinary plugin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.arguments import spelled
from engine.guards import GuardContext, reads_parameters, register_each
from engine.hookspecs import hookimpl
from engine.workflow import DELEGATION, VILLAGE_BASIS, VILLAGE_CHANNEL, Parameter


@reads_parameters(DELEGATION)
def delegated(ctx: GuardContext) -> str | None:
    if ctx.delegated:
        return None
    return "confirmation is not delegated to the township for this case: submit_to_county first"


@reads_parameters(DELEGATION)
def not_delegated(ctx: GuardContext) -> str | None:
    if not ctx.delegated:
        return None
    delegation = ctx.parameters.get(DELEGATION)
    basis = delegation.citation if delegation is not None else ""
    return f"confirmation is delegated to the township ({basis}): there is no county step"


@reads_parameters("publicity_opinion")
def publicity_completed(ctx: GuardContext) -> str | None:
    """The 7-day 公示 of the 初审意见 (or of the township's 审核意见 where it confirms:
    ``publicity_opinion``) must have run its full length (57号 第19条)."""
    publicity = ctx.latest("publicity")
    if publicity is None:
        opinion = ctx.parameters.get("publicity_opinion")
        return (f"no {opinion.value if opinion is not None else '初审意见'}公示 has been posted "
                f"(post_publicity) before {ctx.event}")
    if publicity.stop_event is not None and publicity.outcome == "cancelled":
        return "the last 公示 was cancelled before it ran its full length"
    if ctx.on <= publicity.due_on:
        after = (publicity.due_on + timedelta(1)).isoformat()
        return (
            f"the 公示 posted on {publicity.starts_on.isoformat()} runs until "
            f"{publicity.due_on.isoformat()} ({publicity.citation}); {ctx.event} may come "
            f"from {after}"
        )
    return None


def within_publicity(ctx: GuardContext) -> str | None:
    publicity = ctx.latest("publicity")
    # From the day it is posted (the notice is up that day; only the count starts the next).
    if publicity is not None and publicity.starts_on <= ctx.on <= publicity.due_on:
        return None
    if publicity is None:
        return "no 公示 is running"
    return (
        f"an objection must be raised during the 公示 "
        f"({publicity.starts_on.isoformat()} to {publicity.due_on.isoformat()})"
    )


def channel_items(given: Any) -> list[str]:
    """A ``channel`` datum as given: a list, or text separated by commas."""
    items = given if isinstance(given, list) else str(given).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _not_listed(given: Any, allowed: Parameter) -> list[str]:
    """The items of ``given`` (a list, or text separated by commas) that ``allowed`` lacks."""
    return [item for item in channel_items(given) if item not in allowed.value]


@reads_parameters("publicity_channels")
def publicity_channel_allowed(ctx: GuardContext) -> str | None:
    """A 公示 channel (``--set channel=...``, comma-separated) must be one the rules allow, and
    the village (community) is among them: online posting only widens it."""
    channel = ctx.payload.get("channel")
    if channel is None:
        return None
    allowed = ctx.parameters["publicity_channels"]
    given = channel_items(channel)
    unknown = [item for item in given if item not in allowed.value]
    if unknown:
        return (
            f"公示 channel {'、'.join(unknown)} is not provided for; allowed: "
            f"{'、'.join(allowed.value)} ({allowed.citation})"
        )
    if VILLAGE_CHANNEL not in given:
        return (f"the 公示 is posted in the applicant's {VILLAGE_CHANNEL} ({VILLAGE_BASIS}); "
                f"{'、'.join(given)} only adds to it ({allowed.citation}): give "
                f"channel={','.join([VILLAGE_CHANNEL, *given])}")
    return None


@reads_parameters("extension_reasons")
def extension_reason_allowed(ctx: GuardContext) -> str | None:
    allowed = ctx.parameters["extension_reasons"]
    if ctx.reason in allowed.value:
        return None
    given = f"{spelled(ctx.reason)}" if ctx.reason else "no reason"
    return (
        f"extend needs --reason, one of {'、'.join(allowed.value)} ({allowed.citation}); "
        f"got {given}"
    )


def not_extended(ctx: GuardContext) -> str | None:
    extended = [d for d in ctx.deadlines if d.running and d.extended_by]
    if not extended:
        return None
    d = extended[0]
    return f"{d.rule} is already extended to {d.duration} (by {d.extended_by})"


def extension_in_time(ctx: GuardContext) -> str | None:
    """An extension is decided while the time limit it extends runs (57号 第22条 "可以延长至
    45个工作日"): one already breached stays breached."""
    extended = {r.rule for r in ctx.rules if any(ctx.event in x.events for x in r.extensions)}
    late = next((d for d in ctx.deadlines if d.rule in extended and d.passed(ctx.on)), None)
    if late is None:
        return None
    return (f"{late.rule} ran out on {late.due_on.isoformat()} ({late.citation}): an extension "
            "is decided within the time limit it extends, and the breach stands")


@reads_parameters("materials_notices")
def missing_materials_listed(ctx: GuardContext) -> str | None:
    """一次性告知 names what is missing (``--set missing_materials=...``): text that lists
    something. Written as a JSON list (``["户口簿", "身份证"]``), the list is not empty and
    none of its items blank: ``[]`` would use up the one notice the applicant gets (57号
    第10条) without telling them anything."""
    notices = ctx.parameters["materials_notices"]
    missing = ctx.payload.get("missing_materials")
    if isinstance(missing, str) and missing.strip():
        listed = _json_list(missing)
        if listed is None:
            if missing.strip(" \t\r\n,，、;；"):  # (not separators alone: "、")
                return None
        elif listed and all(isinstance(item, str) and item.strip() for item in listed):
            return None
        what = "has a blank item" if listed else "lists no material"
        return (f"{ctx.event}: missing_materials {what} ({spelled(missing)}): name everything "
                f"missing, told at once ({notices.citation})")
    return (f"{ctx.event} needs --set missing_materials=... listing everything missing, "
            f"told at once ({notices.citation})")


def _json_list(text: str) -> list | None:
    """``text`` read as a JSON list, or None if it is not one."""
    import json

    if not text.strip().startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


@reads_parameters("materials_notices")
def materials_requested_once(ctx: GuardContext) -> str | None:
    """57号 第10条: the applicant is told everything missing at once, not piecemeal."""
    notices = ctx.parameters["materials_notices"]
    told = [e for e in ctx.history if e.event == ctx.event]
    if len(told) < notices.value:
        return None
    return (f"the applicant was already told on {told[-1].on.isoformat()} everything missing "
            f"({notices.title}, {notices.citation}): accept the application or record its "
            f"withdrawal")


@reads_parameters("county_home_visit")
def county_home_visit_done(ctx: GuardContext) -> str | None:
    """57号 第20条: before deciding an application registered separately (单独登记备案) or
    complained about during confirmation, the county visits the household."""
    rule = ctx.parameters.get("county_home_visit")
    if rule is None or not rule.value:
        return None
    # The history (in order) read back from its end to the last submit_to_county, where the
    # county's step began: the last complaint since, and whether the county visited after it
    # (or, without one, since then). Most approvals come straight after that submit: one
    # entry looked at, not three passes over the whole history (about 10,000 instructions).
    visited, complaint = False, None
    for e in reversed(ctx.history):
        if e.event == "submit_to_county":
            break
        if e.event == "receive_complaint":
            complaint = e
            break
        if e.event == "county_home_visit":
            visited = True
    if complaint is not None:
        why = f"a complaint was received on {complaint.on}"
    elif ctx.attributes.get("registered_separately") is True:
        why = "the application is registered separately (单独登记备案)"
    else:
        return None
    if visited:
        return None
    return (f"{why}: the county must visit the household (county_home_visit) before "
            f"{ctx.event} ({rule.citation})")


@reads_parameters("warning_indicators")
def warning_indicators_known(ctx: GuardContext) -> str | None:
    """A comparison's indicators (``--set indicators=重病,残疾``) are ones the province sets."""
    given = ctx.payload.get("indicators")
    allowed = ctx.parameters.get("warning_indicators")
    if given is None or allowed is None:
        return None
    unknown = _not_listed(given, allowed)
    if not unknown:
        return None
    return (f"warning indicator {'、'.join(unknown)} is not one the province sets: "
            f"{'、'.join(allowed.value)} ({allowed.citation})")


@hookimpl(trylast=True)
def doudi_assessment_rules(province, parameters):
    """Nationally, every income of every member and all support received count."""
    from engine.assessment import AssessmentRules

    return AssessmentRules()


@hookimpl
def doudi_register_guards(register):
    register_each(register, (
        delegated,
        not_delegated,
        publicity_completed,
        within_publicity,
        publicity_channel_allowed,
        extension_reason_allowed,
        not_extended,
        extension_in_time,
        missing_materials_listed,
        materials_requested_once,
        county_home_visit_done,
        warning_indicators_known,
    ))
