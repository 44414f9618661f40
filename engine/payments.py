"""What a benefit case pays, month by month, each month with the rule behind its amount.

Derived from the case's history, like its deadlines: the first month and amount at opening
(paid from the month after the decision, 民发〔2021〕57号 第21条), amount changes from re-checks
(from the month after), a phase-out's monthly shares, and the stop (the benefit stops from
the month after the event that closed the case).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

import attrs
from attrs import frozen

from engine.arguments import spelled
from engine.errors import DamagedRecord, InvalidInput
from engine.guards import HistoryEntry
from engine.money import product, to_fen
from engine.shapes import is_instance, is_number, is_text, listed, one


def _as_shares(value: Any) -> Any:
    """A list of shares as a tuple, whole numbers as floats (``1`` is stored as ``1.0``)."""
    value = listed(value)
    if isinstance(value, tuple):
        return tuple(float(s) if isinstance(s, int) and not isinstance(s, bool) else s
                     for s in value)
    return value


def _shares(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """Monthly shares of the benefit paid before: a phase-out never pays more (民发〔2022〕83号)."""
    if not isinstance(value, tuple) or not value or any(
            not is_number(s) or not 0 <= s <= 1
            for s in value):
        raise ValueError(f"PhaseOut shares: expected a non-empty list of monthly shares from 0 "
                         f"to 1 (1.0 the full benefit), got {spelled(value)}")


@frozen
class PhaseOut:
    """A phase-out (渐退): the share of the previous benefit paid in each month, and why.

    ``from_change``: its months are counted from the month after the income changed (the
    event's ``changed_on``), not after the event that records it. Checked when built (a
    ValueError or TypeError naming the field): a plugin's mistake, such as a share of 60 for
    60 %, names the plugin rather than reading as the clerk's bad input.
    """

    shares: tuple[float, ...] = attrs.field(converter=_as_shares, validator=_shares)
    basis: str = attrs.field(validator=one("the clause that sets the phase-out (text)", is_text))
    from_change: bool = attrs.field(default=False, validator=one(
        "True or False", is_instance(bool)))


class _RecordedPlan(NamedTuple):
    """A phase-out as an event recorded it."""

    shares: tuple[float, ...]
    basis: str


@frozen
class Payment:
    month: str  # YYYY-MM
    amount: float
    basis: str

    def to_json(self) -> dict:
        return {"month": self.month, "amount": self.amount, "basis": self.basis}


def parse_month(text: Any, field: str = "month") -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); a clear error naming the field otherwise."""
    try:
        year, month = str(text).split("-")
        if len(year) != 4 or len(month) != 2 or not 1 <= int(month) <= 12:
            raise ValueError
        return int(year), int(month)
    except ValueError:
        raise InvalidInput(f"{field} {spelled(text)} is not a month: expected YYYY-MM") from None


def check_first_month(paid_from: Any, opened_on: date, basis: str) -> None:
    """Refuse a case's first month paid (``paid_from``, of the shape YYYY-MM) later than the
    month after its opening: payment starts the month after the decision (``basis``,
    民发〔2021〕57号 第21条), taken by the day the case is opened (``approve`` opens it; a
    household approved before the platform adopted doudi is opened after its decision).
    ``paid_from=2061-01`` on a case opened in 2026 was taken, and nothing was ever paid."""
    latest = next_month(month_of(opened_on))
    if parse_month(paid_from, "paid_from") > latest:
        raise InvalidInput(
            f"paid_from {paid_from} is after {month_text(latest)}, the month after the case is "
            f"opened ({opened_on.isoformat()}): payment starts the month after the decision "
            f"({basis}), taken by the opening")


def month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def next_month(month: tuple[int, int], n: int = 1) -> tuple[int, int]:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def month_text(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def sets_the_amount(entry: HistoryEntry) -> bool:
    """Whether ``entry`` gave the case a new amount paid: a re-check that raised or reduced it
    (民发〔2022〕83号 "增发、减发"); the opening's is the first."""
    return entry.event == "review" and entry.payload.get("outcome") in ("raise", "reduce")


def schedule(
    history: Sequence[HistoryEntry],
    attributes: Mapping[str, Any],
    final_states: frozenset[str],
    start_basis: str,
    as_of: date,
    case_id: str | None = None,
) -> list[Payment]:
    """Every month paid or scheduled on ``as_of``: up to its month, or to a phase-out's end.
    Worked out from the data recorded: an amount, a month or a phase-out's plan there that
    cannot be used (changed outside doudi) is a :class:`DamagedRecord` naming ``case_id``."""
    try:
        return _schedule(history, final_states, start_basis, as_of)
    except (ValueError, TypeError, KeyError, IndexError) as exc:  # (InvalidInput too)
        raise DamagedRecord.of(f"the data the payments of case {case_id!r} are worked out from",
                               exc) from None


def _schedule(
    history: Sequence[HistoryEntry],
    final_states: frozenset[str],
    start_basis: str,
    as_of: date,
) -> list[Payment]:
    opening = history[0].payload
    if "paid_from" not in opening or "amount" not in opening:
        return []
    month = parse_month(opening["paid_from"], "paid_from")
    amount = float(opening["amount"])
    changes: dict[tuple[int, int], tuple[float, str]] = {}
    phase_out: tuple[tuple[int, int], _RecordedPlan, float] | None = None
    found: tuple[int, int] | None = None  # the month the phase-out was recorded
    last: tuple[int, int] | None = None
    for entry in history[1:]:
        if entry.on > as_of:
            break
        if sets_the_amount(entry) and last is None:
            basis = f"核查调整（{entry.on.isoformat()}），自次月起"
            changes[next_month(month_of(entry.on))] = (float(entry.payload["amount"]), basis)
        if "phase_out" in entry.derived and phase_out is None:
            data = entry.derived["phase_out"]
            # (as recorded, past the checks a plugin's new PhaseOut gets: an older doudi
            # recorded a plugin's basis of None, and the history must still read)
            phase_out = (parse_month(data["first_month"]),
                         _RecordedPlan(tuple(data["shares"]), data.get("basis") or ""),
                         float(data["amount"]))
            found = month_of(entry.on)
        if entry.to_state in final_states and last is None:
            last = month_of(entry.on)  # stops from the next month
    end = month_of(as_of)
    if phase_out is not None:
        first, plan, _base = phase_out
        phase_last = next_month(first, len(plan.shares) - 1)
        # (a phase-out counted from an older change may have run out before it was recorded:
        # the months up to then were paid all the same)
        paid_through = max(phase_last, found) if found else phase_last
        end = paid_through if last is None else min(last, paid_through)
    elif last is not None:
        end = min(end, last)
    basis = start_basis
    payments = []
    pending = sorted(changes.items())
    base = phase_out[2] if phase_out is not None else amount
    changed_in_phase_out = ""
    while month <= end:
        # Every change decided for this month or earlier (even before the first payment).
        while pending and pending[0][0] <= month:
            changed_on, (amount, basis) = pending.pop(0)
            if phase_out is not None and changed_on >= phase_out[0]:
                # A re-check during the phase-out (after a death, 民发〔2022〕83号) sets the
                # amount its shares apply to from then on.
                base, changed_in_phase_out = amount, f"（{basis}）"
        k = -1 if phase_out is None else (
            (month[0] * 12 + month[1]) - (phase_out[0][0] * 12 + phase_out[0][1]))
        if phase_out is not None and 0 <= k < len(phase_out[1].shares):
            share = phase_out[1].shares[k]
            # A month already paid when a phase-out counted from an earlier change was
            # recorded was paid at the amount then in force.
            paid_at = amount if found is not None and month <= found else base
            payments.append(Payment(
                month_text(month), to_fen(product(paid_at, share)),
                f"{phase_out[1].basis}：渐退第{k + 1}个月，按原低保金{share:.0%}"
                + changed_in_phase_out))
        else:
            payments.append(Payment(month_text(month), to_fen(amount), basis))
        month = next_month(month)
    return payments
