"""Checks of what a platform passes to :class:`engine.core.Engine`, before anything is read.

A wrong type must not reach the store: a ``datetime`` for a date was written as
``2026-11-24T10:00:00`` and broke every later read of the case, and an ``actor`` given as a
number was hashed as a number but stored as text, so the evidence check then reported an
event that nobody had altered. Each check raises :class:`InvalidInput` naming the argument.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, NoReturn

from engine.errors import InvalidInput, OutsideCalendar, UnknownName


def a_date(value: Any, name: str) -> date:
    """``value`` if it is a ``date`` (not a ``datetime``, which is one too)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise InvalidInput(f"{name} must be a date (datetime.date), got {spelled(value)}")


def event_arguments(case_id: Any, event: Any, on: Any) -> tuple[str, str, date]:
    """An event's case id, event name (:func:`text`) and date (:func:`a_date`), checked in
    that order: the checks written out for the common case (text and a date as they are),
    as one call where they were three (a call costs about 1,500 instructions, and ``fire``
    checks these for every event); anything else through the checks themselves."""
    if type(case_id) is str and type(event) is str and type(on) is date:
        try:
            case_id.encode("utf-8")
            event.encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            return case_id, event, on
    return text(case_id, "case_id"), text(event, "event"), a_date(on, "on")


def maybe_date(value: Any, name: str) -> date | None:
    return None if value is None else a_date(value, name)


def flag(value: Any, name: str) -> bool:
    """``value`` if it is True or False ("no" would be taken for true)."""
    if isinstance(value, bool):
        return value
    raise InvalidInput(f"{name} must be True or False, got {spelled(value)}")


def path(value: Any, name: str) -> str | os.PathLike:
    """A file's path (a number would be opened as a file descriptor: the database's own), with
    no NUL character in it, which no file's name holds (os and sqlite3 raise ValueError)."""
    given = value if isinstance(value, os.PathLike) else text(value, name)
    try:
        spelt = os.fspath(given)
    except TypeError:  # (a PathLike whose __fspath__ gives neither text nor bytes)
        raise InvalidInput(f"{name} must be text (str) or a path, got {spelled(value)}") from None
    if ("\0" if isinstance(spelt, str) else b"\0") in spelt:
        raise InvalidInput(f"{name} holds a NUL character (\\x00), which no file's name can: "
                           f"got {spelled(spelt)}")
    return given


def text(value: Any, name: str) -> str:
    if isinstance(value, str):
        try:  # (:func:`_utf8`, written out: checked a dozen times an event)
            value.encode("utf-8")
        except UnicodeEncodeError:
            _utf8(value, name)
        return value
    raise InvalidInput(f"{name} must be text (str), got {spelled(value)}")


def _utf8(value: str, name: str) -> str:
    """``value`` if it can be stored: not holding a lone surrogate (what bytes that are not
    UTF-8 become in Python), which no database or file could encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{name} is not valid UTF-8 text (character {exc.start + 1} of "
                           f"{spelled(value)})") from None
    return value


#: Unicode categories that do not show as themselves: controls (a line break, a terminal
#: escape), format characters (a zero-width space, a right-to-left override), lone surrogates,
#: line and paragraph separators. Private-use and not-yet-assigned characters are allowed:
#: rare characters of people's names are encoded there (or in blocks newer than Python's
#: Unicode tables).
HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def unprintable(value: str, allowed: str = "") -> str | None:
    """The first character of ``value`` that would not show as itself (see :data:`HIDDEN`),
    other than those in ``allowed`` (e.g. "\n\t" for a free text of several lines)."""
    if value.isprintable():  # (the common case, in C; it refuses spaces other than " " too)
        return None
    import unicodedata

    for c in value:
        if unicodedata.category(c) in HIDDEN and c not in allowed:
            return c
    return None


def character(c: str) -> str:
    """``c``, a character that does not show as itself, as an error line names it: by its code
    point, "character U+001B"; a byte order mark (U+FEFF) says what it is and where it comes
    from (each file of several joined together keeps its own mark, then inside the text: a
    name or id that looks right and is refused), as its escape alone would not tell."""
    if c == "\ufeff":
        return "character U+FEFF, a byte order mark: from files joined together?"
    return f"character U+{ord(c):04X}"


def visible(text: str) -> str:
    """``text`` as a terminal or a one-line field can show it: a character that would not show
    as itself (a line break that would start a forged row, a terminal escape, a right-to-left
    override) is written as its escape (\\n, \\x1b, \\u202e). Data of a platform's own is
    stored as given, so it is made safe where it is shown; CSV and JSON keep it as it is."""
    if text.isprintable():  # (the common case, in C)
        return text
    import unicodedata

    return "".join(c.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(c) in HIDDEN else c for c in text)


def spelled(value: Any, limit: int | None = None) -> str:
    """``value`` as an error line shows it: as JSON spells it (``null``, ``true``, ``"甲县"``),
    the way a user wrote it in an import line, a household file or ``--set``, not Python's
    ``None``/``True``; a number that is not finite as the rest of doudi writes it (``NaN``,
    ``Infinity``, ``-Infinity``, as Python's json does), not Python's ``nan``/``inf``; what
    JSON cannot hold (a date, a tuple, a key that is not text) as Python's repr. A character
    that would not show as itself (a line break, an escape, a right-to-left override, a
    full-width space) is escaped, as repr escapes it: ``"\\u3000张三"``.
    ``limit``: at most that many characters, the middle of a longer one left out (…), cut
    between whole characters of the text shown (never inside an escape: ``\\u3000``, a
    surrogate pair ``\\udb40\\udc01`` for one character, ``\\x00``, ``\\n``)."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        # (json.dumps makes a tuple a list and a key 1 "1": those are not what was given)
        if json.loads(text) != value:
            raise TypeError
    except ValueError:  # (NaN or infinity in it, the rare case; or it holds itself)
        try:
            text = json.dumps(value, ensure_ascii=False)
            if not _same(json.loads(text), value):
                raise TypeError
        except (TypeError, ValueError, RecursionError):
            text = _repr(value)
    except (TypeError, RecursionError):
        text = _repr(value)
    else:
        if not text.isprintable():  # (the common case is, checked in C)
            text = "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)
    if limit is not None and len(text) > limit:
        # (cut where the limit fell, the half of an escape left: "\u…")
        head = _whole(text, (limit - 1) // 2, back=True)
        tail = _whole(text, len(text) - (limit - 1 - head), back=False)
        text = f"{text[:head]}…{text[tail:]}"
    return text


def _repr(value: Any) -> str:
    """``repr(value)``, or what it is where it holds a whole number of more digits than Python
    writes out (:data:`LONGEST_WHOLE`; ``repr`` raises ValueError: the error line saying what
    was wrong would have been a crash)."""
    try:
        return repr(value)
    except ValueError:
        return TOO_LONG_WHOLE if isinstance(value, int) \
            else f"a {type(value).__name__} holding {TOO_LONG_WHOLE}"


def _same(read: Any, given: Any) -> bool:
    """``read == given``, but NaN the same as NaN: whether ``json.loads(json.dumps(given))``
    gave back what was given (not a tuple made a list, a key 1 made "1")."""
    if isinstance(given, float) and given != given:
        return isinstance(read, float) and read != read
    if isinstance(given, dict):
        return (isinstance(read, dict) and read.keys() == given.keys()
                and all(_same(read[key], item) for key, item in given.items()))
    if isinstance(given, list):
        return (isinstance(read, list) and len(read) == len(given)
                and all(map(_same, read, given)))
    return read == given


#: An escape as json.dumps or repr writes one (a UTF-16 surrogate pair is one character).
_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                     r"|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)", re.DOTALL)


def _whole(text: str, at: int, back: bool) -> int:
    """``at``, or the start (``back``) or end of the escape in ``text`` it falls inside."""
    for escape in _ESCAPE.finditer(text, 0, at + 16):
        if escape.start() >= at:
            break
        if escape.end() > at:
            return escape.start() if back else escape.end()
    return at


def callback(value: Any, name: str) -> Any:
    """A function the engine calls back (``progress``, ``on_skip``, ``on_moved``, …): None or
    a callable, checked before any work (a batch committed before the first call found it
    was not one would have lost what it was to be given)."""
    if value is None or callable(value):
        return value
    raise InvalidInput(f"{name} must be a function (a callable) or None, got {spelled(value)}")


def lines(value: Any, name: str) -> Iterable:
    """Lines to read one by one: an iterable of them (a file, a list of str or bytes), not
    text or bytes itself, which would be read a character (or a byte) a line."""
    what = f"{name} must be an iterable of lines (a file, a list of str or bytes)"
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping):
        raise InvalidInput(f"{what}, not one {type(value).__name__} (a text of several lines: "
                           "pass text.splitlines())")
    if not isinstance(value, Iterable):
        raise InvalidInput(f"{what}, got {spelled(value)}")
    return value


def maybe_text(value: Any, name: str) -> str | None:
    return None if value is None else text(value, name)


def printable(value: str, name: str, lines: bool = False) -> None:
    """Raise :class:`InvalidInput` unless every character of ``value`` shows as itself, on one
    line unless ``lines`` (a free text of several lines may hold line breaks and tabs)."""
    if (bad := unprintable(value, "\n\r\t" if lines else "")) is not None:
        where = "printable text" if lines else "printable text on one line"
        raise InvalidInput(f"{name} must be {where}, got {spelled(value)} ({character(bad)})")


def shown(value: Any, name: str, lines: bool = False) -> str | None:
    """:func:`maybe_text` for text shown to people as it is (an actor, a reason): printable,
    on one line unless ``lines`` (a reason may run over several). A terminal escape in an
    actor would colour or retitle the operator's terminal in ``case show``."""
    if value is None:  # (most calls give none: said before the calls below)
        return None
    value = maybe_text(value, name)
    if value is not None:
        printable(value, name, lines)
    return value


def actor(value: Any) -> str | None:
    """Who recorded something: absent, or printable text on one line that is not blank (a
    blank one would be kept as the actor, naming no one)."""
    if value is None:  # (most calls give none: said before the calls below)
        return None
    value = shown(value, "actor")
    if value is not None and not value.strip():
        raise InvalidInput("actor must not be blank (leave it out for none)")
    return value


def key(value: Any) -> str | None:
    """An idempotency key: absent, or non-empty text."""
    if value is not None and not text(value, "idempotency_key"):
        raise InvalidInput("idempotency_key must not be empty (leave it out instead)")
    return value


#: No amount (元) or count that doudi handles comes near it: a larger number is a typo, or
#: an attempt to overflow (a monthly amount of 1e308 summed into a repayment of infinity).
LARGEST_NUMBER = 1e12


def out_of_range(value: float) -> str | None:
    """Why a number is no amount or count (None if it is one)."""
    if not isinstance(value, int) and not math.isfinite(value):  # (a huge int: OverflowError)
        return "not a finite number"
    if abs(value) > LARGEST_NUMBER:
        return f"beyond {LARGEST_NUMBER:,.0f}"
    return None


def non_negative_number(value: Any, name: str) -> int | float:
    """``value`` if it is a number an amount or count can be (finite, 0 or more, not huge);
    else :class:`InvalidInput` saying so, named ``name`` (``household.members[0].age``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{name}: expected a number, got {spelled(value)}")
    if value < 0:
        raise InvalidInput(f"{name}: cannot be negative, got {spelled(value)}")
    if why := out_of_range(value):
        raise InvalidInput(f"{name}: {why}, got {spelled(value)}")
    return value


def not_json(constant: str) -> NoReturn:
    """For ``json.load(..., parse_constant=not_json)``: Python's json reads NaN and Infinity,
    which JSON has not and no amount can be."""
    raise ValueError(f"{constant} is not a JSON value")


def finite_float(literal: str) -> float:
    """For ``json.load(..., parse_float=finite_float)``: a number too large for a float (1e999)
    would be read as infinity, which no JSON record can hold."""
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal} is out of range for a number")
    return value


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """For ``json.load(..., object_pairs_hook=unique_keys)``: a key given twice in one object
    is refused (Python's json would keep the last one, silently dropping the first: an id, a
    standard)."""
    result = dict(pairs)
    if len(result) != len(pairs):  # (the common case costs one comparison)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} is given twice in one object")
            seen.add(key)
    return result


def whole(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidInput(f"{name} must be a whole number (int), got {spelled(value)}")


def batch(value: Any, name: str) -> int:
    """Lines or cases per transaction: a whole number, 1 or more."""
    if whole(value, name) < 1:
        raise InvalidInput(f"{name} must be 1 or more, got {value}")
    return value


#: The largest whole number SQLite stores: one beyond it, of either sign, is no row's id or seq
#: (sqlite3 raises OverflowError on it), nor a count any calendar reaches.
LARGEST_INTEGER = 2**63 - 1
#: Its digits: a number written with more is beyond it, and is refused before ``int()`` reads
#: it (which refuses more than 4,300).
LARGEST_INTEGER_DIGITS = len(str(LARGEST_INTEGER))


def beyond_sqlite(value: int) -> bool:
    """Whether SQLite could not hold the whole number ``value`` (either sign; −2**63 too,
    which is no id or count)."""
    return value.bit_length() > 63


def no_setting_numbered(shown: str) -> UnknownName:
    """The refusal of a county setting id beyond any stored (``shown`` as the caller spells
    it: the number, or its first digits)."""
    return UnknownName(f"no county setting has an id as large as {shown}")


def window(value: Any, name: str) -> int:
    """A warning window: a whole number of working days, 0 or more."""
    if whole(value, name) < 0:
        raise InvalidInput(f"the warning window ({name}) must be 0 or more working days, "
                           f"got {spelled(value, limit=40)}")
    if beyond_sqlite(value):  # (no calendar is near as long; one of 4,300 digits and more
        # could not even be said in the error of counting it)
        raise OutsideCalendar(f"a warning window ({name}) of {spelled(value, limit=40)} working "
                              "days falls outside the calendar")
    return value


def json_object(value: Any, name: str) -> dict[str, Any]:
    """A payload or attributes: a mapping of text to JSON values (``{}`` for None).

    Checked whole, so that what is stored is what was given: anything else would be turned
    into text on the way in, or refused by the encoder deep inside the write.
    """
    if value is None or (type(value) is dict and not value):  # (most events carry no data)
        return {}
    if type(value) is not dict and not isinstance(value, Mapping):  # (abc's check: a dict not)
        raise InvalidInput(f"{name} must be a mapping of names to values, got {spelled(value)}")
    return json_value(value, name)


#: Lists and mappings nested deeper than this are refused: no record doudi keeps is deeper
#: than a few levels, and Python's own recursion limit would otherwise end it as a crash.
DEEPEST_JSON = 50

#: The types of JSON's text, numbers, true/false and null, found by ``type()`` in a set (a
#: mapping holding only these is flat: one look in C, not a call a value).
JSON_SCALARS = frozenset({str, int, float, bool, type(None)})

#: The most digits of a whole number Python writes out or reads (its default limit of int to
#: text, ``sys.set_int_max_str_digits``): a longer one could neither be encoded nor hashed,
#: nor said in an error line, and ``json.loads`` refuses it in an import line.
LONGEST_WHOLE = sys.int_info.default_max_str_digits
_WHOLE_LIMIT = 10 ** LONGEST_WHOLE
_WHOLE_FLOOR = -_WHOLE_LIMIT  # (made once: ``-_WHOLE_LIMIT`` made a number of 4,300 digits a call)
#: How an error line says such a number (which cannot be written out), and one in JSON.
TOO_LONG_WHOLE = f"a whole number of more than {LONGEST_WHOLE:,} digits"
TOO_LONG_FOR_JSON = f"{TOO_LONG_WHOLE}: too long to be a JSON number"


def not_json_text(exc: Exception) -> str:
    """What an error line says of a JSON text json refused with ``exc``: "not valid JSON
    (its words)"; but a whole number of more than :data:`LONGEST_WHOLE` digits in it plainly,
    not as int()'s ValueError, which advises ``sys.set_int_max_str_digits()`` (words for a
    programmer, and a setting no user of doudi has)."""
    import json

    if not isinstance(exc, json.JSONDecodeError) and "integer string conversion" in str(exc):
        return TOO_LONG_FOR_JSON
    return f"not valid JSON ({exc})"


#: The most doudi reads of a file given whole (a calendar's year records; a household's, its
#: members' residence or an event's data as JSON: each a few KB), and of one import line (one
#: case opened or one event): beyond it, the file or line is refused, read no further. Without
#: it, `calendar add /dev/zero` read until memory ran out, as did a JSON file given to assess,
#: case assess, case accept or case fire --data, and an import line with no line end.
LARGEST_READ = 8 * 2**20
#: How an error says it: "8,388,608 bytes (8 MiB)".
LARGEST_READ_SAID = f"{LARGEST_READ:,} bytes ({LARGEST_READ // 2**20} MiB)"


def read_whole(handle: Any, where: str) -> Any:
    """What is left of the opened file ``handle`` (bytes, or text for a file opened as text),
    ``where`` naming it, at most :data:`LARGEST_READ`: a longer one is :class:`InvalidInput`
    naming it and the limit. OSError as the read raises it."""
    data = handle.read(LARGEST_READ + 1)
    if len(data) > LARGEST_READ:
        raise InvalidInput(f"{where}: larger than {LARGEST_READ_SAID}, the most doudi reads of "
                           "a file given whole (a calendar's years or a household's JSON are a "
                           "few KB): is it the file meant?")
    return data


def file_text(data: bytes, where: str) -> str:
    """A whole file's bytes (``where`` names it) as text: UTF-8, with or without a byte order
    mark (Notepad saves one); bytes that are not are :class:`InvalidInput` naming the first
    bad one and its position, and GBK when they look like it (:func:`gbk_hint`)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{where}: not UTF-8 (save it as UTF-8): byte "
                           f"0x{data[exc.start]:02x} at position {exc.start}{gbk_hint(exc)}"
                           ) from None


def gbk_hint(exc: UnicodeDecodeError) -> str:
    """What to add to "not UTF-8 …" of bytes that are not UTF-8 (``exc``) but GBK (GB 18030)
    holding Chinese, as Chinese Windows programs save text (Excel's, an older Notepad's):
    the operator is told which encoding the file is in, not only a byte. Nothing for bytes
    cut short (the end of the data inside a character), nor for those no GBK decoder reads
    (Latin-1's "Ç" followed by a quote)."""
    if exc.reason == "unexpected end of data":
        return ""
    try:
        text = bytes(exc.object).decode("gb18030")
    except UnicodeDecodeError:
        return ""
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        return "; it looks like GBK (GB 18030), as Chinese Windows programs save text"
    return ""


#: A payload or attributes holding more values than this in all are refused: real ones hold
#: tens (a household's members and their incomes a few hundred). Each value is counted each
#: time it is reached: a list given in two places counts twice, as the encoder writes it
#: twice. Without it, 40 levels of a list holding one list twice (``v = [v, v]``: nested well
#: within :data:`DEEPEST_JSON`) held 2⁴⁰ values along its paths, and the check, the read-only
#: copy and the write went through every one of them: ``fire`` never returned.
MOST_JSON_VALUES = 10_000


def json_value(value: Any, name: str) -> Any:
    """Any JSON value (text, number, true/false, list, mapping), as plain lists and dicts."""
    try:
        return _plain_json(value, name, 0, [MOST_JSON_VALUES])
    except _TooLarge as exc:
        # (looked for only once refused: a list or mapping that holds itself would be refused
        # as nested too deep, at a path of 50 steps round it, or as holding too many values
        # along it; an encoder would recurse until Python's limit)
        loop = _contains_itself(value, name, {})
        if loop is not None:
            raise InvalidInput(f"{loop[0]} contains itself (at {loop[1]}): not a JSON value"
                               ) from None
        if exc.too_many:
            raise InvalidInput(
                f"{name} holds more than {MOST_JSON_VALUES:,} values in all (a list or mapping "
                "given in several places counted in each): too large to be a record") from None
        raise InvalidInput(str(exc)) from None


class _TooLarge(InvalidInput):
    """:func:`_plain_json` of a value nested more than :data:`DEEPEST_JSON` levels, or
    (``too_many``) holding more than :data:`MOST_JSON_VALUES` values."""

    def __init__(self, message: str = "", too_many: bool = False) -> None:
        super().__init__(message)
        self.too_many = too_many


def _contains_itself(value: Any, where: str, inside: dict[int, str],
                     seen: set[int] | None = None) -> tuple[str, str] | None:
    """(the path of a list or mapping in ``value``, the path where it holds itself), or None
    (``inside``: the lists and mappings ``value`` is in, by id, with their paths; ``seen``:
    those looked through already, each once: a list holding another twice at each of 50
    levels would otherwise be gone through 2⁵⁰ times)."""
    if isinstance(value, str) or not isinstance(value, Mapping | list | tuple):
        return None
    if id(value) in inside:
        return inside[id(value)], where
    seen = set() if seen is None else seen
    if len(inside) >= DEEPEST_JSON or id(value) in seen:
        return None
    seen.add(id(value))
    inside = {**inside, id(value): where}
    items = ((f"{where}.{k}", v) for k, v in value.items()) if isinstance(value, Mapping) \
        else ((f"{where}[{i}]", v) for i, v in enumerate(value))
    for path, item in items:
        if (loop := _contains_itself(item, path, inside, seen)) is not None:
            return loop
    return None


def _plain_json(value: Any, where: str, depth: int, left: list[int]) -> Any:
    """``value`` checked, as plain dicts and lists (what the encoder takes: a read-only
    mapping or a tuple inside would otherwise be refused only by the write). ``left``: how
    many more values may be reached (:data:`MOST_JSON_VALUES` at the start), counted down a
    list or mapping at a time, before going through it."""
    if isinstance(value, str):
        return _utf8(value, where)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _WHOLE_FLOOR < value < _WHOLE_LIMIT:
            raise InvalidInput(f"{where} is {TOO_LONG_FOR_JSON}")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{where} is {spelled(value)}: not a JSON number")
        return value
    # (a dict is said without abc's check of a Mapping, which costs more than the rest)
    mapping = type(value) is dict or isinstance(value, Mapping)
    if mapping or isinstance(value, list | tuple):
        if depth >= DEEPEST_JSON:
            raise _TooLarge(f"{where} is nested more than {DEEPEST_JSON} levels deep")
        left[0] -= len(value)
        if left[0] < 0:
            raise _TooLarge(too_many=True)
    if mapping:
        for k in value:
            if not isinstance(k, str):
                raise InvalidInput(f"{where} has the key {spelled(k)}: keys must be text")
            if not k.isascii():  # (ASCII holds no lone surrogate: no path worded for it)
                _utf8(k, f"a key of {where}")
        # Plain text, whole numbers, true/false and null (most values) are taken here, not
        # through a call each with its path worded; the rest as above.
        plain = {}
        for k, v in value.items():
            kind = type(v)
            if kind is str:
                if not v.isascii():
                    _utf8(v, f"{where}.{k}")
                plain[k] = v
            elif (kind is int and _WHOLE_FLOOR < v < _WHOLE_LIMIT) or kind is bool or v is None:
                plain[k] = v
            else:
                plain[k] = _plain_json(v, f"{where}.{k}", depth + 1, left)
        return plain
    if isinstance(value, list | tuple):
        return [_plain_json(v, f"{where}[{i}]", depth + 1, left) for i, v in enumerate(value)]
    raise InvalidInput(f"{where} is a {type(value).__name__} ({spelled(value)}): not a JSON value "
                       "(text, number, true/false, null, list or mapping)")
