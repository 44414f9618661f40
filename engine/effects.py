"""What an event changes beyond state and deadlines: attributes, sanctions, linked cases.

Transitions name their effects (``effects = ["start_phase_out"]``); effects are registered
by name through the ``doudi_register_effects`` hook, like guards. An effect reads the
``GuardContext`` and adds to an ``Outcome``; it must be deterministic, so that replaying a
history gives the same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import attrs
from attrs import define, frozen

from engine.errors import DamagedRecord
from engine.guards import GuardContext
from engine.periods import stored_date
from engine.shapes import fields_checked, is_day, is_instance, is_number, is_text, one

SANCTION_KINDS = ("criticism", "stop", "repayment", "legal_referral")


@frozen
class Sanction:
    """A credit sanction (社会救助信用管理), stored with its clause."""

    # Checked when built (a TypeError or ValueError naming the field): a plugin's misspelt kind
    # was stored, and read back as a row "changed outside doudi".
    kind: str = attrs.field(validator=one(" or ".join(SANCTION_KINDS),
                                          lambda v: v in SANCTION_KINDS))
    on: date = attrs.field(validator=one("a datetime.date (not text)", is_day))
    basis: str = attrs.field(validator=one("the clause that sets it (text)", is_text))
    amount: float | None = attrs.field(default=None, validator=one(
        "None or a number", lambda v: v is None or (is_number(v) and math.isfinite(v))))
    note: str = attrs.field(default="", validator=one("text", is_instance(str)))

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "on": self.on.isoformat(),
            "amount": self.amount,
            "basis": self.basis,
            "note": self.note,
        }

    def to_row(self, case_id: str, seq: int) -> dict:
        row = attrs.asdict(self)
        # (the amount as the REAL column gives it back, 100.0 for 100, 0.0 for -0.0, which
        # it stores as 0: its hash covers it)
        row.update(case_id=case_id, seq=seq, on=self.on.isoformat(),
                   amount=None if self.amount is None else float(self.amount) or 0.0)
        return row

    @classmethod
    def from_row(cls, row: Mapping) -> Sanction:
        try:
            if row["kind"] not in SANCTION_KINDS:
                raise ValueError(f"no sanction kind {row['kind']!r}")
            amount = row["amount"]
            if amount is not None and not is_number(amount):
                raise TypeError(f"amount {amount!r} is not a number")
            on = stored_date(row["on"])
            # (NULL: a plugin's basis of None, stored before a Sanction was checked when built)
            basis = "" if row["basis"] is None else row["basis"]
            if not isinstance(basis, str):
                raise TypeError(f"basis {basis!r} is not text")
        except (ValueError, TypeError) as exc:
            raise DamagedRecord.of(f"sanction {row.get('kind')!r} of case {row.get('case_id')!r}",
                                   exc) from None
        # Built as stored, past the checks a plugin's new Sanction gets: a row an older doudi
        # wrote (a plugin's blank basis or none, say) is evidence, read as it is, not refused.
        sanction = object.__new__(cls)
        for name, value in (("kind", row["kind"]), ("on", on), ("basis", basis),
                            ("amount", amount), ("note", row["note"] or "")):
            object.__setattr__(sanction, name, value)
        return sanction


@frozen
class LinkedOpening:
    """A case to open, linked to the one the event happened on.

    Its relations are checked when built (a TypeError naming the field): a plugin's None or
    NaN was recorded as a link without a relation (kept in memory as NaN, read back as
    null), a list failed the write as a database error naming no plugin.
    """

    workflow: str
    relation: str  # how the new case relates to this one, e.g. "benefit", "transfer"
    back_relation: str  # how this case relates to the new one, e.g. "application"
    attributes: Mapping[str, Any]
    basis: str = ""

    def __attrs_post_init__(self) -> None:
        # (the three at once, not a validator each: three calls less for each case an approval
        # or a transfer opens, a sixth of an import's lines)
        if (type(self.relation) is str and type(self.back_relation) is str
                and type(self.basis) is str and self.relation.strip()
                and self.back_relation.strip()):
            return
        fields_checked(self, _OPENING_CHECKS)


_OPENING_CHECKS = ((("relation", "back_relation"), "a relation's name (text)", is_text),
                   (("basis",), "text", is_instance(str)))


@define
class Outcome:
    """Everything an event's effects produce, applied with the event in one transaction."""

    attributes: dict[str, Any] = attrs.Factory(dict)
    sanctions: list[Sanction] = attrs.Factory(list)
    openings: list[LinkedOpening] = attrs.Factory(list)


Effect = Callable[[GuardContext, Outcome], None]
