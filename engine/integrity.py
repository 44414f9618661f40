"""Tamper evidence: each case's history is a hash chain, and the database refuses to rewrite it.

An event's hash covers its content and the previous event's hash, so changing, removing or
reordering any recorded event breaks the chain from there on; ``verify`` names the first
event that no longer fits. UPDATE and DELETE on the events table are refused by triggers:
a mistake is put right by a new event that references the one it corrects. The county
settings (``local_parameters``) and their set-asides (``local_parameter_voids``) are each one
chain too, in the order recorded (their ids), hashed the same way (:func:`row_hash`), and so
are the sanctions (``sanctions``), the links between cases (``links``) and the official
calendar's year records a database holds (``calendar_years``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from json.encoder import (  # type: ignore[attr-defined]  # (c_make_encoder: C, not in typeshed)
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from operator import itemgetter
from typing import Any

from attrs import frozen

try:
    from orjson import dumps as _compact_json  # (bytes: the text already encoded)
except ImportError:  # (a platform orjson has no wheel for: the standard library's encoder)
    _compact_json = None  # type: ignore[assignment]  # (None: checked before each use)

GENESIS = "0" * 64
#: The columns an event's hash covers, in order.
HASHED = ("case_id", "seq", "event", "on", "recorded_at", "actor", "payload", "reason",
          "from_state", "to_state", "derived", "idempotency_key", "corrects")

#: The columns a county setting's hash covers (``local_parameters``), and a set-aside's
#: (``local_parameter_voids``): all but the id (the chain's order) and the hashes.
SETTING_HASHED = ("province", "county", "workflow", "name", "value", "citation", "on", "actor",
                  "recorded_at")
VOID_HASHED = ("setting", "citation", "actor", "recorded_at")
#: The columns a sanction's hash covers (``sanctions``) and a link's (``links``, whose id is
#: its rowid): all but the id and the hashes.
SANCTION_HASHED = ("case_id", "seq", "kind", "on", "amount", "basis", "note")
LINK_HASHED = ("case_id", "other_id", "relation", "on", "seq")
#: The columns a calendar year record's hash covers (``calendar_years``, stored by ``doudi
#: calendar add``): all but the id and the hashes.
YEAR_HASHED = ("year", "notice", "record", "actor", "recorded_at")
#: And a set-aside's (``calendar_year_voids``, ``doudi calendar void``): the row it sets aside.
YEAR_VOID_HASHED = ("calendar_year", "citation", "actor", "recorded_at")

TRIGGERS = (
    """create trigger if not exists events_append_only_update before update on events
       begin select raise(abort, 'events are append-only: record a correction instead'); end""",
    """create trigger if not exists events_append_only_delete before delete on events
       begin select raise(abort, 'events are append-only: record a correction instead'); end""",
)


def json_encoder(**options: Any) -> Callable[[Any], str]:
    """``json.JSONEncoder(**options).encode``, the same text, with the C encoder built once.

    ``encode`` builds a new one on every call (and a closure and a dict of markers with it),
    which cost about as much as encoding a small row. Built once, it cannot keep markers
    (they would be shared by every call, and left behind by one that failed): a value that
    contains itself ends in a RecursionError rather than encode's ValueError. No value doudi
    encodes can: its rows, and data checked (or decided by effects) as plain JSON.
    """
    # (Any: typeshed says indent is int | str, where it is None unless given)
    encoder: Any = json.JSONEncoder(**options)
    if c_make_encoder is None or encoder.indent is not None:  # (a Python without _json)
        return encoder.encode
    chunks = c_make_encoder(
        None, encoder.default, encode_basestring_ascii if encoder.ensure_ascii
        else encode_basestring, None, encoder.key_separator, encoder.item_separator,
        encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
    return lambda value: "".join(chunks(value, 0))


def _blob(value: Any) -> Any:
    """A BLOB (bytes) as no other value SQLite gives can be encoded, a JSON object: doudi
    writes none, but one put in a row by hand (or stored so by an older doudi) is hashed,
    not a TypeError (called only for a value JSON has no text for: no cost to the rest)."""
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


#: Every chain's content (an event's, a county setting's, a set-aside's), built once.
_CONTENT = json_encoder(ensure_ascii=False, separators=(",", ":"), default=_blob)


_HASHED_OF = itemgetter(*HASHED)


def event_hash(row: Mapping[str, Any], previous: str) -> str:
    """The hash of one event row chained to the previous event's hash (a column the row
    lacks counts as NULL)."""
    try:
        values = _HASHED_OF(row)  # (a tuple, one C call; encoded as the list was)
    except KeyError:
        values = tuple(map(row.get, HASHED))
    return chained_digest(values, previous)


def chained_digest(values: tuple, previous: str) -> str:
    """SHA-256 of the previous hash and a row's values (a tuple, in its columns' order) as
    compact JSON: every chain's (the store hashes the values of an event's row with it).

    The text is orjson's where it is byte for byte the standard library's, about three times
    quicker (a hash an event written, and one read back by ``audit verify``): text, whole
    numbers within 64 bits, None and a BLOB's object. A float (orjson writes ``0.00001``
    where Python writes ``1e-05``, and NaN as null), a larger number and a lone surrogate
    (which orjson refuses; the encoding below fails on it) take the standard library's
    encoder, as every row did before orjson.
    """
    content: bytes | str  # (orjson's bytes, or the standard library's text)
    if _compact_json is not None and type(previous) is str and float not in map(type, values):
        try:
            content = _compact_json(values, default=_blob)
        except TypeError:  # (orjson's JSONEncodeError)
            pass
        else:
            return hashlib.sha256((previous + "|").encode() + content).hexdigest()
    content = _CONTENT(values)
    return hashlib.sha256(f"{previous}|{content}".encode()).hexdigest()


def row_hash(row: Mapping[str, Any], previous: str, columns: Sequence[str]) -> str:
    """The hash of a county setting's row (``columns``: :data:`SETTING_HASHED`), a
    set-aside's (:data:`VOID_HASHED`), a sanction's or a link's chained to the previous row's
    hash, as :func:`event_hash` hashes an event (a column the row lacks counts as NULL; a
    BLOB put in by hand is hashed too, :func:`_blob`)."""
    return chained_digest(tuple(map(row.get, columns)), previous)


def chained(rows: Iterable[dict[str, Any]], previous: str, columns: Sequence[str]) -> str:
    """Give each of ``rows`` (in the order recorded) its ``prev_hash`` and ``hash``, chained
    from ``previous`` (the last stored row's hash, or GENESIS); returns the last hash."""
    for row in rows:
        row["prev_hash"] = previous
        row["hash"] = previous = row_hash(row, previous, columns)
    return previous


def row_altered(row: Mapping[str, Any], columns: Sequence[str]) -> bool:
    """Whether a stored row no longer fits its own hash: its content (or its ``prev_hash``)
    changed outside doudi, or a row added without one."""
    previous = row.get("prev_hash")
    return not isinstance(previous, str) or row.get("hash") != row_hash(row, previous, columns)


def first_set_asides(rows: Iterable[Mapping[str, Any]], column: str,
                     columns: Sequence[str]) -> dict[Any, Mapping[str, Any]]:
    """Set-aside rows (a county setting's, a calendar year's) by the row each sets aside
    (their ``column``): the first of each that fits its hash (hashed over ``columns``; one
    changed outside doudi sets nothing aside, and ``audit verify`` names it)."""
    found: dict[Any, Mapping[str, Any]] = {}
    for row in rows:
        if not row_altered(row, columns):
            found.setdefault(row[column], row)
    return found


def broken_links(rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
                 stored: Container[object] | None = None,
                 on_altered: Callable[[Mapping[str, Any]], None] | None = None,
                 ) -> list[tuple[int, str]]:
    """Where a table's chain (its rows in id order, each hashed over ``columns``) does not
    link up: (id, problem) with problem ``missing`` (the row recorded there is gone: the
    next id after the last row that fits), ``out of order`` (a row chained to another than
    the one before it: rows renumbered; the first such row only, as :func:`verify_chain`
    names an event) or ``altered`` (the row before, its hash worked out again after a
    change). A row that no longer fits its own hash (:func:`row_altered`) is given to
    ``on_altered`` (the caller names it) and not judged by its link, which is among what it
    holds (one added without a hash has none); the row after it is chained to its hash as
    stored, GENESIS where it has none, as :meth:`Store._last_hash` chains a row written after
    it. Rows cut from the end leave no gap, as events cut from a history do not.
    ``stored``: whether a hash is a stored row's (GENESIS too), for rows read one at a time
    (a million links are not held); else ``rows`` is a sequence, read twice."""
    if stored is None:
        rows = list(rows)
        stored = {row.get("hash") for row in rows} - {None} | {GENESIS}
    found: list[tuple[int, str]] = []
    previous, last_id, last_named = GENESIS, 0, False
    reordered = False  # (past the first row out of order: only each row's own hash judged)
    for row in rows:
        altered = row_altered(row, columns)
        if altered and on_altered is not None:
            on_altered(row)
        if reordered:
            continue
        named = altered  # (named itself: the next row's link, if broken, does not name it)
        if row.get("prev_hash") != previous:
            if type(row["id"]) is int and row["id"] > last_id + 1:
                found.append((last_id + 1, "missing"))
            elif altered:
                pass  # (its link is among what was changed: the row is named itself)
            elif row.get("prev_hash") in stored:
                # (as an event's: the first such place only; the rows after it were moved too,
                # or follow one that was)
                found.append((row["id"], "out of order"))
                reordered = True
                continue
            elif not last_named:  # (one that is was named itself)
                found.append((last_id or row["id"], "altered"))
                named = not last_id  # (the first row: the row named is itself)
        hashed = row.get("hash")
        previous = GENESIS if hashed is None else hashed
        last_id, last_named = row["id"], named
    return found


@frozen
class Finding:
    """The first place where a case's recorded history no longer fits its chain."""

    case_id: str
    seq: int
    problem: str  # altered | missing | out of order

    def __str__(self) -> str:
        return f"case {self.case_id}: event seq {self.seq} {self.problem}"


@frozen
class SettingFinding:
    """A county parameter setting whose row cannot be read back, or, ``altered``, no longer
    fits its hash, or, ``broken``, one read back that breaks a rule `parameter set` holds a
    setting to."""

    id: int  # the row's
    province: str
    county: str
    workflow: str
    name: str
    problem: str  # what could not be read, as DamagedRecord.problem; or the rule broken
    broken: bool = False
    #: A row that no longer fits its hash (changed outside doudi: its county, date, value…),
    #: put right only by setting it aside (``voided_by``).
    altered: bool = False
    #: A row put right since by the setting (or removal) with this id, recorded later for
    #: the same place, parameter and date (one that breaks a rule and one that cannot be read
    #: back alike): kept as evidence, it no longer stops its county, and is no failure of
    #: the check (None: not put right).
    superseded_by: int | None = None
    #: A row that cannot be read back, set aside since (``doudi parameter void``): the
    #: set-aside's id and basis; kept as evidence, and no failure of the check.
    voided_by: int | None = None
    void_basis: str | None = None

    @property
    def put_right(self) -> bool:
        """Whether the row was put right since (superseded or set aside): no failure."""
        return self.superseded_by is not None or self.voided_by is not None

    def __str__(self) -> str:
        what = "breaks a rule" if self.broken else "cannot be read back"
        head = f"county setting #{self.id} altered; " if self.altered else (
            f"county setting #{self.id} ({self.province} {self.county} {self.workflow} "
            f"{self.name}): {what} ({self.problem}); ")
        if self.voided_by is not None:
            return f"{head}set aside by void #{self.voided_by} ({self.void_basis}), and kept as evidence"
        if self.superseded_by is not None:
            return (f"{head}put right by #{self.superseded_by}, recorded later for its date, "
                    "and kept as evidence")
        return (f"{head}the deadlines of the {self.province} {self.workflow} cases were not "
                "compared with their histories")


@frozen
class SettingChainFinding:
    """A place where the chain of the county settings (``what``: "county setting"), of
    their set-asides ("county setting set-aside"), of the sanctions ("sanction") or of the
    links between cases ("link") does not link up: a row ``missing`` or ``out of order``,
    or ``altered`` (a set-aside, sanction or link that no longer fits its hash, or a row
    whose hash was worked out again after a change)."""

    what: str
    id: int
    problem: str  # altered | missing | out of order
    #: A calendar year row altered (no longer fitting its hash) and set aside since (``doudi
    #: calendar void``): the set-aside's id and basis. Its year is counted as without it, so
    #: the row is kept as evidence and is no failure, as a county setting's is.
    voided_by: int | None = None
    void_basis: str | None = None

    @property
    def put_right(self) -> bool:
        """Whether the row was set aside since: kept as evidence, no failure."""
        return self.voided_by is not None

    def __str__(self) -> str:
        if self.voided_by is not None:
            return (f"{self.what} #{self.id} {self.problem}; set aside by void "
                    f"#{self.voided_by} ({self.void_basis}), and kept as evidence")
        return f"{self.what} #{self.id} {self.problem}"


def verify_chain(case_id: str, rows: Iterable[Mapping[str, Any]]) -> Finding | None:
    """Check one case's events (in seq order); the first finding, or None if intact."""
    previous = GENESIS
    for expected, row in enumerate(rows):
        if row["seq"] != expected:  # (a seq that is no whole number: changed by hand)
            problem = "altered" if type(row["seq"]) is not int else \
                "missing" if row["seq"] > expected else "out of order"
            return Finding(case_id, expected, problem)
        if row["prev_hash"] != previous or row["hash"] != event_hash(row, previous):
            return Finding(case_id, expected, "altered")
        previous = row["hash"]
    return None


def disagreement(case: Any, rows: Sequence[Mapping[str, Any]]) -> Finding | None:
    """A case row that its (intact) chain does not begin and end in: events removed from the
    end, or the row altered. Every event, a correction or recompute too, leaves the case in
    its ``to_state`` on its date, so the last one must match the row's state and last date;
    the first (the opening) is dated the day the case was opened."""
    if not rows:
        return Finding(case.id, 0, "missing (the case has no history)")
    first, last = rows[0], rows[-1]
    if first["on"] != case.opened_on.isoformat():  # (the reports and guards read it)
        return Finding(case.id, len(rows), (
            f"missing, or the case altered: the case was opened on "
            f"{case.opened_on.isoformat()}, its first event (seq {first['seq']}, "
            f"{first['event']} on {first['on']}) opens it on {first['on']}"))
    if (last["to_state"], last["on"]) != (case.state, case.last_event_on.isoformat()):
        return Finding(case.id, len(rows), (
            f"missing, or the case altered: the case is {case.state} since "
            f"{case.last_event_on.isoformat()}, its last event (seq {last['seq']}, "
            f"{last['event']} on {last['on']}) leaves it {last['to_state']}"))
    return None
