"""Provinces and the documents their rules come from, as province plugins register them."""

from __future__ import annotations

from datetime import date

import attrs
from attrs import frozen


@frozen
class Document:
    """A document a province's rules cite: number, title, date and legal status."""

    number: str | None  # None for a draft without a number (征求意见稿)
    title: str
    date: date | None = None
    status: str = "in_force"  # in_force | draft

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "status": self.status,
        }


@frozen
class Province:
    """A province as a plugin registers it: its code (pinyin, e.g. ``hainan``), name and documents."""

    code: str
    name: str
    documents: tuple[Document, ...] = attrs.field(converter=tuple)
    plugin: str = ""  # filled in by the registry: the plugin that registered it

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "plugin": self.plugin,
            "documents": [d.to_json() for d in self.documents],
        }


def credit_rules(clause: str) -> list:
    """The credit rules of 民发〔2022〕83号 五(五) as a province restates them, cited to ``clause``.

    The provinces' notices repeat them: criticism for a major (重大) change unreported for more
    than 3 months; stop, repayment and referral for fraud. One draft drops "重大" (any change);
    the ``change_found`` event is recorded for the change found either way, so the period and
    the sanctions are the same.
    """
    from engine.workflow import Parameter

    return [
        Parameter("unreported_change", "3m", clause),
        Parameter("credit_sanctions", ["stop", "repayment", "legal_referral"], clause),
    ]
