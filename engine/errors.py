"""Errors the engine raises, each with the CLI exit status it maps to (contract: 1 domain, 2 usage)."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date


#: The most characters of a message an error line shows (the longest doudi words itself, a
#: plugin's unknown guard with the known ones listed, are about 1,100): a value given at
#: length (an import line's case id of 10 MB) was echoed whole, ten megabytes on one line.
LONGEST_MESSAGE = 4_000


def shortened(message: str) -> str:
    """``message``, or, past :data:`LONGEST_MESSAGE` characters, its start and its end with
    how much is left out between them: a message over-long only by a value it quotes keeps
    what went wrong where (the line, the field: its start) and the words after the value
    (what was expected, the names known), and of the value its start and end."""
    if len(message) <= LONGEST_MESSAGE:
        return message
    half = LONGEST_MESSAGE // 2
    marks = _LEFT_OUT.findall(message)
    if len(marks) == 1:
        # A message made around one shortened already (an import's "line N: … (import
        # stopped: …)" around the error of its line, itself an error shortened when made): the
        # characters cut now are beside the first cut, and counted with it, as if the whole
        # message had been shortened once (else "… (83 characters left out) …" was said of a
        # case id of a million characters, the first count among them).
        head, count, tail = _LEFT_OUT.split(message)
        if len(head) >= half and len(tail) >= half:
            left = int(count.replace(",", "")) + len(head) + len(tail) - 2 * half
            return f"{head[:half]}… ({left:,} characters left out) …{tail[-half:]}"
    return (f"{message[:half]}… ({len(message) - 2 * half:,} characters left out) …"
            f"{message[-half:]}")


#: What :func:`shortened` puts in place of what it leaves out (the count its group).
_LEFT_OUT = re.compile(r"… \(([\d,]+) characters left out\) …")


class DoudiError(Exception):
    """Base of every error doudi raises on purpose; the message is one line for a person.

    The message names what the Python API takes (``county``, ``reason=``); where the command
    line's words differ (``--county``, ``--reason``), ``command_line`` is the message as the
    ``doudi`` command says it (None: the same message). Either is :func:`shortened`, as an
    error line shows it: a case id or reason of 2 MB refused by the Python API gave a message
    of 2 MB, quoting it whole (the command line shortened it only as it printed it).
    """

    exit_code = 1

    def __init__(self, *args: object, command_line: str | None = None) -> None:
        if len(args) == 1 and isinstance(args[0], str) and len(args[0]) > LONGEST_MESSAGE:
            args = (shortened(args[0]),)
        super().__init__(*args)
        self.command_line = command_line if command_line is None else shortened(command_line)


class InvalidInput(DoudiError, ValueError):
    """Input that cannot be understood: a malformed date, an unknown unit, a negative count."""

    exit_code = 2


class OutsideCalendar(InvalidInput):
    """A date the calendar does not cover (before its first official year, or past its range)."""


class UnknownName(DoudiError, LookupError):
    """A province, workflow, event, case or parameter that does not exist."""


class DamagedRecord(DoudiError):
    """A stored row that cannot be read back: it was changed outside doudi."""

    problem: str = ""  # what could not be read, e.g. "JSONDecodeError: Expecting value …"
    # (set on the errors of county settings' rows only, by local_parameters.read_rows: the
    # row's place, parameter and date, None where they cannot be read; its set-aside, if any)
    key: tuple[str, str, str, str, date] | None
    voided_by: Mapping[str, Any] | None

    @classmethod
    def of(cls, what: str, exc: Exception, since: str = "") -> DamagedRecord:
        """``since``: how else it came to be so (" or recorded before …": a value doudi once
        took), after "changed outside doudi"."""
        problem = f"{type(exc).__name__}: {exc}"
        error = cls(f"{what} cannot be read from the database ({problem}): it was changed "
                    f"outside doudi{since} (doudi audit verify lists what was)")
        error.problem = problem
        return error

    @classmethod
    def of_event(cls, seq: Any, case_id: str, exc: Exception) -> DamagedRecord:
        """:meth:`of` a case's event ``seq`` (its row, its data, or what a ``recompute`` event
        of it kept): every reader names a damaged event so."""
        return cls.of(f"event {seq} of case {case_id!r}", exc)


class EngineClosed(DoudiError, sqlite3.ProgrammingError):
    """A call that reads or writes the database of an :class:`~engine.Engine` after its
    ``close()``. Also a ``sqlite3.ProgrammingError``, which such a call raised before it
    said so in doudi's words."""


class EventRefused(DoudiError):
    """An event that would break the procedure; nothing was changed."""


class WorkflowLoadError(DoudiError):
    """A workflow definition that is not valid: names the file, the item and what is wrong."""


class CalendarDataError(DoudiError):
    """Calendar data that is not valid (a year record of the official calendar): names the
    file, the record and what is wrong, instead of a calendar silently counted otherwise."""


class PluginError(DoudiError):
    """A province plugin that cannot be loaded as it is (duplicate code, unknown hook, bad data)."""


class Conflict(DoudiError):
    """Another writer changed the case first (or an idempotency key was reused): nothing written."""

    @classmethod
    def key_reused(cls, key: str, event: str, on: str, case_id: str,
                   other_data: bool = False) -> Conflict:
        """An idempotency key given again with another call than the one it recorded."""
        return cls(f"idempotency key {key!r} was already used for {event} on {on} "
                   f"(case {case_id})" + (" with other data" if other_data else ""))


class Busy(Conflict):
    """Another writer held the database past the wait (10 s): nothing written; a retry may
    succeed."""

    # What happened, without what it means for a single call ("nothing written; try
    # again"), which an import stopped by it says otherwise: its earlier batches are kept.
    cause: str = ""

    @classmethod
    def held(cls, cause: str) -> Busy:
        """The error of a write that found the database held: ``cause`` says by what."""
        error = cls(f"{cause}: nothing written; try again")
        error.cause = cause
        return error


#: What a write stopped part way by a full disk says to do before it is run again (the
#: import, recompute, advance: :class:`DiskFull`'s ``cause`` first).
FREE_SPACE = "free space on that disk (or move the database) and "


class DiskFull(DoudiError, sqlite3.OperationalError):
    """The disk holding the database is full (SQLite's SQLITE_FULL, or the file at its
    ``max_page_count``): the write was rolled back, nothing of it written; free space (or move
    the database) and try again. Also a ``sqlite3.OperationalError``, which such a write
    raised before it said so in doudi's words."""

    # What happened, without what it means for a single call ("nothing written; …"), which
    # a write in batches stopped by it (import, recompute, advance) says otherwise.
    cause: str = ""
    sqlite: str = ""  # SQLite's own words ("database or disk is full")

    @classmethod
    def of(cls, path: str | None, exc: sqlite3.Error) -> DiskFull:
        """The error of a write to the database at ``path`` that SQLite refused with ``exc``."""
        cause = f"{path + ': ' if path else ''}the disk is full (SQLite: {exc})"
        error = cls(f"{cause}: nothing written; free space and try again")
        error.cause, error.sqlite = cause, str(exc)
        keep_sqlite_code(exc, error)
        return error


def keep_sqlite_code(exc: BaseException, error: BaseException) -> None:
    """Give ``error`` SQLite's code of ``exc`` (``sqlite_errorcode``, ``sqlite_errorname``),
    where it has one: a platform reading them of the sqlite3 error it replaces still can."""
    for name in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(exc, name):
            setattr(error, name, getattr(exc, name))


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database or disk is full" (SQLITE_FULL). By its code,
    which every error the sqlite3 module raises carries; by SQLite's words only where there
    is none (an error made by hand): another error's message may quote text a user gave
    ("JSON path error near '…'")."""
    if not isinstance(exc, sqlite3.OperationalError) or isinstance(exc, DoudiError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL if code is not None else str(exc) == "database or disk is full"
