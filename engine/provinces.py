"""Provinces and the documents their rules come from, as province plugins register them."""

from __future__ import annotations

import re
from datetime import date

import attrs
from attrs import frozen

from engine.shapes import is_day, is_instance, is_text, list_of, listed, one

STATUSES = ("in_force", "draft")
#: A province's code: pinyin in lower case, digits and ``_`` (``hainan_draft``). It begins
#: every case id (``hainan-2026-000001``) and is typed as ``--province``.
CODE = re.compile(r"[a-z][a-z0-9_]*")


@frozen
class Document:
    """A document a province's rules cite: number, title, date and legal status.

    Each field is checked when the document is built (a TypeError naming the field): a date
    given as text was kept, and every ``doudi provinces`` ended in a traceback.
    """

    # None for a draft without a number (征求意见稿)
    number: str | None = attrs.field(validator=one(
        "the document's number (text), or None for a draft without one",
        lambda v: v is None or is_text(v)))
    title: str = attrs.field(validator=one("the document's title (text)", is_text))
    date: date | None = attrs.field(default=None, validator=one(
        "a datetime.date (not text), or None", lambda v: v is None or is_day(v)))
    status: str = attrs.field(default="in_force", validator=one(
        " or ".join(repr(s) for s in STATUSES), lambda v: v in STATUSES))

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "status": self.status,
        }


@frozen
class Province:
    """A province as a plugin registers it: its code (pinyin, e.g. ``hainan``), name and documents.

    Checked when built (a TypeError naming the field): the code is lower-case ASCII letters,
    digits and ``_``, beginning with a letter (``"Hainan "`` would be a province no
    ``--province`` could name, in every case id); ``documents`` a list of ``Document``.
    """

    code: str = attrs.field(validator=one(
        "lower-case pinyin, digits and _ (as 'hainan')",
        lambda v: isinstance(v, str) and CODE.fullmatch(v) is not None))
    name: str = attrs.field(validator=one("the province's name (text)", is_text))
    documents: tuple[Document, ...] = attrs.field(
        converter=listed, validator=list_of("Document", is_instance(Document)))
    plugin: str = ""  # filled in by the registry: the plugin that registered it

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "plugin": self.plugin,
            "documents": [d.to_json() for d in self.documents],
        }


def credit_rules(clause: str, change_title: str = "") -> list:
    """The credit rules of 民发〔2022〕83号 五(五) as a province restates them, cited to ``clause``.

    The provinces' notices repeat them: criticism for a major (重大) change unreported for more
    than 3 months; stop, repayment and referral for fraud. One draft drops "重大" (any change);
    the ``change_found`` event is recorded for the change found either way, so the period and
    the sanctions are the same, and ``change_title`` names the period in its words.
    """
    from engine.workflow import Parameter

    return [
        Parameter("unreported_change", "3m", clause, change_title),
        Parameter("credit_sanctions", ["stop", "repayment", "legal_referral"], clause),
    ]
