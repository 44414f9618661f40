"""National rules of the benefit workflow (低保在保管理), registered as an ordinary plugin.

Guards check the data each event needs; effects compute what an event decides (a phase-out
plan, credit sanctions, a transfer); the default hooks answer for any province that does not
answer itself: the phase-out is the ``phase_out`` parameter's monthly shares, and a household
leaving 低保 goes into dynamic monitoring (民发〔2022〕83号).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, overload

import attrs
from attrs import frozen

from engine.arguments import spelled
from engine.default_assessment import RECOGNITIONS
from engine.effects import LinkedOpening, Outcome, Sanction
from engine.errors import InvalidInput, PluginError
from engine.guards import GuardContext, given, number_datum, reads_parameters, register_each
from engine.hookspecs import hookimpl
from engine.money import decimal, to_fen, yuan
from engine.notices import APPLICATION_RELATION
from engine.payments import PhaseOut, month_of, month_text, next_month, parse_month, schedule, sets_the_amount
from engine.periods import due_date, iso_date, why_not_a_date
from engine.shapes import is_text, one

REVIEW_OUTCOMES = ("keep", "raise", "reduce", "stop")


@frozen
class LeaveRoute:
    """Where a household leaving 低保 goes: ``transfer`` (with its recognition) or ``monitoring``.

    Checked when built (a TypeError naming the field): a misspelt kind ("transferr") was taken
    for monitoring, and the transfer silently not opened.
    """

    kind: str = attrs.field(validator=one('"transfer" or "monitoring"',
                                          lambda v: v in ("transfer", "monitoring")))
    basis: str = attrs.field(validator=one("the clause that sets the route (text)", is_text))
    # marginal | expenditure: what a transfer is recognized as (None for monitoring)
    recognition: str | None = attrs.field(default=None)

    @recognition.validator
    def _recognition(self, attribute: attrs.Attribute, value: Any) -> None:
        allowed = RECOGNITIONS if self.kind == "transfer" else (None,)
        if value not in allowed:
            raise TypeError(f"LeaveRoute recognition: expected {' or '.join(map(spelled, allowed))} "
                            f"for a {self.kind}, got {spelled(value)}")

    def to_json(self) -> dict:
        return {"kind": self.kind, "basis": self.basis, "recognition": self.recognition}


# -- helpers --------------------------------------------------------------------------------


def _date(ctx: GuardContext, field: str) -> date:
    value = ctx.payload.get(field)
    if value is None:
        raise InvalidInput(f"{ctx.event} needs --set {field}=YYYY-MM-DD")
    try:
        return iso_date(str(value))
    except ValueError:
        raise InvalidInput(f"{field} {spelled(value)} is not a date: "
                           f"{why_not_a_date(str(value))}") from None


@overload
def _number(ctx: GuardContext, field: str, required: Literal[True] = True) -> float: ...
@overload
def _number(ctx: GuardContext, field: str, required: bool = True) -> float | None: ...
def _number(ctx: GuardContext, field: str, required: bool = True) -> float | None:
    return number_datum(ctx.payload, field, ctx.event, required)


def _not_after_event(ctx: GuardContext, field: str) -> None:
    when = _date(ctx, field)
    if when > ctx.on:
        raise InvalidInput(
            f"{field} {when.isoformat()} is after the date the event is recorded "
            f"({ctx.on.isoformat()})"
        )


def _current_amount(ctx: GuardContext) -> float:
    """The amount being paid before this event: the latest one decided, as the payments read
    it (engine.payments.schedule): a re-check that raised or reduced it, else the opening's.
    A correction's data is evidence and changes nothing by itself (Engine.correct): its
    ``amount`` was taken for the amount paid (a phase-out paid it, a raise was measured
    against it)."""
    for entry in reversed(ctx.history[1:]):
        if sets_the_amount(entry) and "amount" in entry.payload:
            return float(entry.payload["amount"])
    opening = ctx.history[0].payload if ctx.history else {}
    return float(opening["amount"]) if "amount" in opening else 0.0


def _credit_basis(ctx: GuardContext) -> str:
    return ctx.parameters["credit_sanctions"].citation


# -- guards ---------------------------------------------------------------------------------


def income_above_standard(ctx: GuardContext) -> str | None:
    income = _number(ctx, "per_capita_income")
    standard = _number(ctx, "standard")
    if not standard:
        raise InvalidInput("standard must be more than 0")
    if income <= standard:
        return f"per-capita income {yuan(income)} does not exceed the standard {yuan(standard)}"
    if "changed_on" in ctx.payload:
        _not_after_event(ctx, "changed_on")
    return None


def amount_set_by_review_only(ctx: GuardContext) -> str | None:
    """The amount and the first month paid are set when the case is opened (民发〔2021〕57号
    第21条); only a re-check that raises or reduces it changes the amount (民发〔2022〕83号
    "增发、减发"). Given with any other event, ``amount`` became the case's amount while the
    payments went on at the old one (and the next raise was measured against it); a later
    ``paid_from`` moved the case's first month but not its payments."""
    if "paid_from" in ctx.payload:
        raise InvalidInput(f"{ctx.event} takes no paid_from: the first month paid is set when "
                           "the case is opened")
    if "amount" in ctx.payload and ctx.event != "review":
        raise InvalidInput(f"{ctx.event} takes no amount: only review (outcome=raise or reduce) "
                           "changes the amount paid")
    return None


@reads_parameters("payment_start", "death_review")
def death_date_valid(ctx: GuardContext) -> str | None:
    """A death is dated by the event, and not before the household's 低保 began: the re-check
    after a member's death (民发〔2022〕83号, each seed's) is of a 低保 household's, and began
    with the decision, which 民发〔2021〕57号 第21条 pays from the next month. A case ``approve``
    opened (its opening names the approved case, ``application``, which only doudi gives)
    knows the decision's day: the day it was opened. One opened for a household approved
    before doudi knows only its first month paid (``paid_from``): the decision came in the
    month before at the earliest. A death dated before was taken and gave a re-check
    breached since before the household was on 低保 (a year typed wrong, 2025 for 2026; a
    death of the decision's month, before its day)."""
    _not_after_event(ctx, "died_on")
    if not ctx.history or "paid_from" not in ctx.history[0].payload:
        return None  # (a case opened without one: nothing to say when 低保 began)
    first = ctx.history[0]
    opening = first.payload
    died = _date(ctx, "died_on")
    if APPLICATION_RELATION in opening:
        decided = first.on
        if died < decided:
            _death_before_dibao(ctx, died, f"decided on {decided.isoformat()}, when approve on "
                                           f"{opening[APPLICATION_RELATION]} opened this case")
        return None
    decided = date(*next_month(parse_month(opening["paid_from"], "paid_from"), -1), 1)
    if died < decided:
        _death_before_dibao(ctx, died, f"paid from {opening['paid_from']}, so decided in "
                                       f"{decided.isoformat()[:7]} at the earliest")
    return None


def _death_before_dibao(ctx: GuardContext, died: date, began: str) -> None:
    raise InvalidInput(
        f"died_on {died.isoformat()} is before this household's 低保 began ({began}, "
        f"{ctx.parameters['payment_start'].citation}): the re-check after a death "
        f"({ctx.parameters['death_review'].citation}) is for a 低保 member's; check the date, "
        f"or record a death the decision did not know of with change_found "
        f"--set occurred_on={died.isoformat()}")


def occurred_on_valid(ctx: GuardContext) -> str | None:
    _not_after_event(ctx, "occurred_on")
    return None


def _unreported_until(ctx: GuardContext) -> tuple[date, Any]:
    """The change's date and the due date by which it was to be reported (``unreported_change``
    from ``occurred_on``)."""
    occurred = _date(ctx, "occurred_on")
    return occurred, due_date(ctx.calendar, occurred, ctx.parameters["unreported_change"].value)


@reads_parameters("unreported_change")
def criticism_after_the_period(ctx: GuardContext) -> str | None:
    """批评教育 is for a change unreported for more than 3 months (民发〔2022〕83号 五(五),
    restated by each province): ``criticism=true`` is refused for a change reported within the
    period, which the clause does not let be criticised (``criticism=false`` there says what
    happens anyway: nothing)."""
    if ctx.payload.get("criticism") is not True:
        return None
    occurred, due = _unreported_until(ctx)
    if ctx.on > due.due:
        return None
    limit = ctx.parameters["unreported_change"]
    return (f"criticism (批评教育) is for a change unreported 超过{due.duration.label}: the change of "
            f"{occurred.isoformat()} could be reported until {due.due.isoformat()}, and was found "
            f"on {ctx.on.isoformat()} ({limit.citation})")


def fraud_since_valid(ctx: GuardContext) -> str | None:
    _not_after_event(ctx, "since")
    return None


def review_outcome_valid(ctx: GuardContext) -> str | None:
    outcome = ctx.payload.get("outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise InvalidInput(f"review needs --set outcome=, one of {', '.join(REVIEW_OUTCOMES)}; "
                           f"got {given(outcome)}")
    if outcome in ("keep", "stop") and "amount" in ctx.payload:
        raise InvalidInput(f"review outcome={outcome} takes no amount (only raise or reduce do)")
    if outcome in ("raise", "reduce"):
        new = _number(ctx, "amount")
        old = _current_amount(ctx)
        if outcome == "raise" and new <= old:
            return f"a raise must increase the amount ({yuan(old)} → {yuan(new)})"
        if outcome == "reduce" and new >= old:
            return f"a reduction must lower the amount ({yuan(old)} → {yuan(new)})"
        floor = ctx.attributes.get("minimum_benefit")
        if isinstance(floor, dict) and isinstance(floor.get("amount"), int | float) \
                and new < floor["amount"]:
            return (f"amount {yuan(new)} is below the minimum benefit {yuan(floor['amount'])} set when "
                    f"the household was approved ({floor.get('basis')}): it is paid every month")
    return None


def phase_out_keeps_the_amount(ctx: GuardContext) -> str | None:
    """During a phase-out the amount is the one it started from (the provinces' clauses pay
    shares of "原领取的最低生活保障金", or keep it "不变"): a re-check changes it only after a
    member's death during the phase-out, when the household itself changed (民发〔2022〕83号:
    增发、减发)."""
    if ctx.state != "phasing_out" or ctx.payload.get("outcome") not in ("raise", "reduce"):
        return None
    # (the re-check a death started, before or during the phase-out, is still to be done)
    if any(d.rule == "death_review" and d.running for d in ctx.deadlines):
        return None
    plan = ctx.attributes.get("phase_out")
    basis = plan.get("basis") if isinstance(plan, dict) else None
    started = next((e.on.isoformat() for e in reversed(ctx.history)
                    if e.to_state == "phasing_out" and e.from_state != "phasing_out"), None)
    return (f"the phase-out{f' from {started}' if started else ''} keeps the amount it started "
            f"from ({basis}); only the re-check after a member's death changes the amount "
            "(民发〔2022〕83号)")


def review_stops(ctx: GuardContext) -> str | None:
    return None if ctx.payload.get("outcome") == "stop" else "the re-check keeps the benefit"


def review_continues(ctx: GuardContext) -> str | None:
    return "the re-check stops the benefit" if ctx.payload.get("outcome") == "stop" else None


def leave_income_valid(ctx: GuardContext) -> str | None:
    _number(ctx, "per_capita_income", required=False)
    standard = _number(ctx, "standard", required=False)
    if standard == 0:
        raise InvalidInput("standard must be more than 0")
    return None


# -- effects --------------------------------------------------------------------------------


@reads_parameters("phase_out")
def start_phase_out(ctx: GuardContext, outcome: Outcome) -> None:
    """渐退: the province's plan, from the month after the income change, then the end."""
    plan: PhaseOut = ctx.hooks.doudi_phaseout_schedule(
        province=ctx.province,
        per_capita_income=float(ctx.payload["per_capita_income"]),
        standard=float(ctx.payload["standard"]),
        attributes=dict(ctx.attributes),
        parameters=dict(ctx.parameters),
    )
    # Counted from the month after the event, or, where the province counts from the income
    # change itself (``changed_on``, a plan with from_change), from the month after that.
    changed = _date(ctx, "changed_on") if plan.from_change and "changed_on" in ctx.payload \
        else ctx.on
    first = next_month(month_of(changed))
    # The months already paid when the change was recorded stay paid (an unreported change
    # is change_found's matter): a phase-out run out by then ends after the event's month.
    after = max(next_month(first, len(plan.shares)), next_month(month_of(ctx.on)))
    outcome.attributes["phase_out"] = {
        "first_month": month_text(first),
        "shares": list(plan.shares),
        "basis": plan.basis,
        "amount": _current_amount(ctx),
    }
    outcome.attributes["phase_out_ends_on"] = f"{month_text(after)}-01"


@reads_parameters("unreported_change")
def record_criticism(ctx: GuardContext, outcome: Outcome) -> None:
    """A major change unreported for more than 3 months → 批评教育 (五(五)), unless the event
    says the office decided not to (``criticism=false``): the clause says it "可以进行批评教育",
    which leaves it to the county or township: recorded unless they say otherwise (rules.md
    N-credit, and what a platform sending change_found has always got)."""
    occurred, due = _unreported_until(ctx)
    limit = ctx.parameters["unreported_change"]
    if ctx.payload.get("criticism") is not False and ctx.on > due.due:
        outcome.sanctions.append(Sanction(
            "criticism", ctx.on, limit.citation,
            note=f"变化发生于{occurred.isoformat()}，超过{due.duration.label}"
                 f"（至{due.due.isoformat()}）未主动告知",
        ))


@reads_parameters("credit_sanctions")
def stop_benefit(ctx: GuardContext, outcome: Outcome) -> None:
    outcome.sanctions.append(Sanction("stop", ctx.on, _credit_basis(ctx), note="自次月起停发"))


def _to_repay(ctx: GuardContext) -> list:
    """The payments made from the month the fraud began (``since``) through the finding,
    less the months an earlier finding already ordered back."""
    # (with the final states: a case stopped or ended before the finding was paid until then)
    paid = schedule(ctx.history, ctx.attributes, ctx.final_states, "", ctx.on, ctx.case_id)
    first, last = month_text(month_of(_date(ctx, "since"))), month_text(month_of(ctx.on))
    ordered = [(month_text(month_of(iso_date(str(e.payload["since"])))), month_text(month_of(e.on)))
               for e in ctx.history if e.event == "fraud_found"]
    return [p for p in paid if first <= p.month <= last
            and not any(a <= p.month <= b for a, b in ordered)]


@reads_parameters("credit_sanctions")
def fraud_adds_repayment(ctx: GuardContext) -> str | None:
    """Fraud found on a closed case: only worth recording if it orders something back that
    no earlier finding did (recorded twice, it would order the same months twice)."""
    if _to_repay(ctx):
        return None
    earlier = [e.on.isoformat() for e in ctx.history if e.event == "fraud_found"]
    return (f"nothing paid since {_date(ctx, 'since').isoformat()} is left to order back"
            + (f" (fraud already found on {', '.join(earlier)})" if earlier else "")
            + f" ({_credit_basis(ctx)})")


@reads_parameters("credit_sanctions")
def order_repayment(ctx: GuardContext, outcome: Outcome) -> None:
    """Repay what was actually paid since the fraud began: those months' payments (but not
    twice: months an earlier finding ordered back are left out)."""
    since = _date(ctx, "since")
    months = _to_repay(ctx)
    total = to_fen(sum(decimal(p.amount) for p in months))
    span = f"{months[0].month}至{months[-1].month}" if months else "无"
    outcome.sanctions.append(Sanction(
        "repayment", ctx.on, _credit_basis(ctx), amount=total,
        note=f"自{since.isoformat()}起实际发放{len(months)}个月（{span}）",
    ))


@reads_parameters("credit_sanctions")
def refer_for_legal_liability(ctx: GuardContext, outcome: Outcome) -> None:
    outcome.sanctions.append(Sanction("legal_referral", ctx.on, _credit_basis(ctx),
                                      note="依法追究法律责任"))


def _leave_route(ctx: GuardContext) -> LeaveRoute:
    return ctx.hooks.doudi_leave_route(
        province=ctx.province,
        per_capita_income=ctx.payload.get("per_capita_income"),
        standard=ctx.payload.get("standard"),
        attributes=dict(ctx.attributes),
        parameters=dict(ctx.parameters),
    )


@reads_parameters("credit_sanctions", "dynamic_monitoring")
def transfer_after_benefit_ended(ctx: GuardContext) -> str | None:
    """``leave`` on a case whose benefit ended (its phase-out ran out, or a re-check stopped
    it): the 退保 is done then, and what is left to record is a transfer with the household's
    consent (it is in dynamic monitoring already), once; never after fraud."""
    earlier = [e.on.isoformat() for e in ctx.history if e.event == "leave"]
    if earlier:
        return f"the household's leaving was already recorded on {earlier[0]}"
    fraud = next((e for e in ctx.history if e.event == "fraud_found"), None)
    if fraud is not None:  # (stopped for it, or found once the benefit had ended)
        return (f"fraud was found on {fraud.on.isoformat()} ({_credit_basis(ctx)}): there is "
                "no transfer to record")
    route = _leave_route(ctx)
    if route.kind == "transfer":
        return None
    ended = next(e for e in reversed(ctx.history) if e.to_state in ctx.final_states
                 and e.from_state not in ctx.final_states)
    how = "the phase-out ended" if ended.event == "phase_out_end" else \
        f"the benefit was stopped ({ended.event})"
    return (f"{how} on {ended.on.isoformat()} and the household went into dynamic monitoring; "
            "leave after that records only a transfer, which these figures do not give "
            f"({route.basis})")


@reads_parameters("dynamic_monitoring")
def route_leaving(ctx: GuardContext, outcome: Outcome) -> None:
    """A household leaving: transferred (with consent) or marked for dynamic monitoring."""
    route = _leave_route(ctx)
    outcome.attributes["leave_route"] = route.to_json()
    if route.kind == "transfer":
        carried = {k: ctx.attributes[k] for k in ("county", "applicant_name", "household_size",
                                                  "per_capita_income", "standard")
                   if k in ctx.attributes}
        carried.update(recognition=route.recognition, documents_carried_over=True)
        outcome.openings.append(LinkedOpening("marginal", "transfer", "transferred_from",
                                              carried, route.basis))
        if ctx.attributes.get("dynamic_monitoring") is True:  # (since its benefit ended)
            outcome.attributes["dynamic_monitoring"] = False
    else:
        outcome.attributes["dynamic_monitoring"] = True


@reads_parameters("dynamic_monitoring")
def monitor_after_benefit_ends(ctx: GuardContext, outcome: Outcome) -> None:
    """A phase-out that runs out, or a re-check that stops the benefit, ends it: the household
    leaves 低保 into dynamic monitoring where the province keeps it (``dynamic_monitoring``).
    The transfer a province may offer needs the household's consent, given when the 退保 is
    done: ``leave`` then."""
    rule = ctx.parameters["dynamic_monitoring"]
    if rule.value is True:
        outcome.attributes["leave_route"] = LeaveRoute("monitoring", rule.citation).to_json()
        outcome.attributes["dynamic_monitoring"] = True


GUARDS = (amount_set_by_review_only,
          income_above_standard, death_date_valid, occurred_on_valid, criticism_after_the_period,
          fraud_since_valid,
          fraud_adds_repayment,
          review_outcome_valid, phase_out_keeps_the_amount, review_stops, review_continues,
          leave_income_valid,
          transfer_after_benefit_ended)
EFFECTS = (start_phase_out, record_criticism, stop_benefit,
           order_repayment, refer_for_legal_liability, route_leaving, monitor_after_benefit_ends)


@hookimpl
def doudi_register_guards(register):
    register_each(register, GUARDS)
    # (its name until 2026-12: a province's patch may still name it)
    register("transfer_after_phase_out", transfer_after_benefit_ended)


@hookimpl
def doudi_register_effects(register):
    register_each(register, EFFECTS)
    register("monitor_after_phase_out", monitor_after_benefit_ends)  # (likewise)


@hookimpl(trylast=True)
def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
    plan = parameters["phase_out"]
    try:
        return PhaseOut(tuple(plan.value), plan.citation)
    except (TypeError, ValueError) as exc:  # (a province's parameter: its plugin's mistake)
        raise PluginError(f"parameter 'phase_out' ({plan.citation}): {exc}") from None


@hookimpl(trylast=True)
def doudi_leave_route(province, per_capita_income, standard, attributes, parameters):
    monitoring = parameters["dynamic_monitoring"]
    return LeaveRoute("monitoring", monitoring.citation)


