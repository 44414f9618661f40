"""Bulk import: JSON lines through the same checks as the API, one transaction per batch.

A batch is worked out in memory first. Each line is checked against its case as the earlier
lines of the batch left it, with the same state machine, guards and deadline rules as
``Engine.fire``. The batch is then written in one transaction, with one statement per table.
Checking a line never changes the batch's state, so a bad line is skipped by not applying it.
Nothing is written for a batch that fails, and each case's version is still checked, so an
import running beside other writers never overwrites their events.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, TYPE_CHECKING, Any

import attrs
from attrs import define

from engine.arguments import (
    JSON_SCALARS,
    LARGEST_READ,
    LARGEST_READ_SAID,
    MOST_JSON_VALUES,
    actor,
    finite_float,
    gbk_hint,
    json_object,
    not_json,
    not_json_text,
    shown,
    spelled,
    unique_keys,
)
from engine.errors import (
    FREE_SPACE,
    Busy,
    DiskFull,
    DoudiError,
    EventRefused,
    InvalidInput,
    keep_sqlite_code,
)
from engine.idempotency import Call, check_repeat
from engine.integrity import json_encoder
from engine.periods import stored_date
from engine.store import Change, Known

if TYPE_CHECKING:
    from engine.core import Engine


@define
class ImportResult:
    """What an import did: lines read, lines written (``events``: each line's event; the
    benefit case an approve opens, or what happened by itself before a line's event, is not
    counted apart), lines already imported, and the lines skipped (line number, why; left
    empty when the import's ``on_skip`` took them) and how many: ``events + already +
    skipped_count == lines``."""

    lines: int = 0
    events: int = 0
    already: int = 0
    skipped: list[tuple[int, str]] = attrs.Factory(list)
    skipped_count: int = 0


class ImportStopped(DoudiError):
    """A bad line stopped an import; nothing from its batch was written.

    Raised as :meth:`of` makes it: also of the class of the error that stopped it
    (``InvalidInput``, ``EventRefused``, ``Conflict``, ``Busy`` …), so that a platform
    catching those by their meaning catches it too."""

    def __init__(self, line: int, error: DoudiError, written: int, why: str | None = None,
                 already: int = 0) -> None:
        # ``written``: the lines of earlier batches that are in, written by them or already
        # imported before (run again, a stop at the same line keeps what the first run wrote)
        # (stopped before anything was in, its first batch: "nothing is imported", not "0
        # lines from earlier batches kept", which spoke of batches there were none of);
        # ``already``: the lines of its own batch before it imported already (run again
        # without --skip-invalid, stopped at a line the first run skipped), which are in too:
        # "nothing is imported" was said of a file whose lines before it all were.
        kept = f"{written} line{'' if written == 1 else 's'}"
        if isinstance(error, Busy | DiskFull) and error.cause:
            # Not the line's fault, and not the single call's "nothing written; try again",
            # which read as if the earlier batches were lost: what was kept, and what to do
            # (on a full disk, free space first).
            full = isinstance(error, DiskFull)
            again = f"{FREE_SPACE if full else ''}run the import again"
            if written:
                then = (f"nothing from this line's batch written, {kept} from earlier batches "
                        f"kept; {again}" + (": the lines already in are not added twice" if full
                                            else " to add the rest"))
            else:
                then = f"nothing is imported; {again}"
            message = f"line {line}: {error.cause}; import stopped: {then}"
        else:
            message = (f"line {line}: {why or error} (import stopped: " + (
                f"nothing from this line's batch written; {kept} from earlier batches kept"
                if written else "nothing is imported" if not already else
                "nothing from this line's batch written"))
            if already:
                were = "line of it before this one was" if already == 1 else \
                    "lines of it before this one were"
                message += f"{', and' if written else ', but'} the {already} {were} imported already"
            message += ")"
        super().__init__(message)
        self.line, self.exit_code, self.written = line, error.exit_code, written
        keep_sqlite_code(error, self)  # (DiskFull's: this one is a sqlite3 error too)

    @classmethod
    def of(cls, line: int, error: DoudiError, written: int, why: str | None = None,
           already: int = 0) -> ImportStopped:
        kind = type(error)
        stopped = _STOPPED.get(kind)
        if stopped is None:
            stopped = _STOPPED[kind] = type(f"ImportStopped{kind.__name__}", (cls, kind), {})
        return stopped(line, error, written, why, already)


#: ImportStopped and the class of the error that stopped it, by that class.
_STOPPED: dict[type, type[ImportStopped]] = {}


_TEXT = (str, bytes)  # (``str | bytes`` would build a union at each line)
_CANONICAL = json_encoder(sort_keys=True, ensure_ascii=False)  # (a decoded line cannot hold itself)
_DECODER = json.JSONDecoder(parse_constant=not_json,  # (json.loads with it builds one a call)
                            parse_float=finite_float, object_pairs_hook=unique_keys)


_LINE_ENDS = ("", "\n", "\r\n")
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]  # (the C scanner)
_BOM = codecs.BOM_UTF8
_SHA256 = hashlib.sha256
#: A byte order mark alone on its line, as bytes or str, with each line end (a blank line).
# (bytes to bytes, str to str)
_BOM_LINES = {mark + end: True for mark in (_BOM, "\ufeff")  # type: ignore[operator]
              for end in (_LINE_ENDS if isinstance(mark, str) else (b"", b"\n", b"\r\n"))}


def parse_line(text: str | bytes) -> tuple[dict[str, Any], str]:
    """The line's object and its idempotency key (``key``, or a hash of its content)."""
    data, key, _ = _parse(text)
    return data, key


def _parse(text: Any) -> tuple[dict[str, Any], str, str | None]:  # (any line: str or bytes read)
    """:func:`parse_line`, and the key an earlier version made of a line without its own that
    writes a default out (``"payload": {}``, ``"reason": null``): from the line as given,
    where its key now is from what it means. None for any other line (its key was, and is,
    the same)."""
    decoded = isinstance(text, bytes)
    try:
        if decoded:  # (json.loads would first guess among five encodings)
            # Not UTF-8: a ValueError, like bad JSON. Without a byte order mark to strip,
            # decoded as UTF-8 itself (utf-8-sig is Python code around it).
            text = text.decode("utf-8-sig" if text.startswith(_BOM) else "utf-8")
        elif not isinstance(text, str):
            raise InvalidInput(f"a line must be text (str or bytes), got {spelled(text)}")
        # An object alone on its line is read by the scanner directly (decode would match
        # the whitespace around it twice, in two more calls); anything else as decode reads
        # it, which says what is wrong.
        data = None
        if text[:1] == "{":
            try:
                data, end = _SCAN(text, 0)
            except StopIteration:
                pass
            else:
                if text[end:] not in _LINE_ENDS:
                    data = None
        if data is None:
            data = _DECODER.decode(text)
    except DoudiError:  # (the one above: an InvalidInput is a ValueError too)
        raise
    except UnicodeDecodeError as exc:
        raise InvalidInput(_not_utf8(exc)) from None
    except ValueError as exc:
        raise _not_json(exc) from None
    except RecursionError:
        raise InvalidInput("not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        if isinstance(data, list):
            raise _NotJsonLines("each line must be a JSON object, got an array",
                                "each line must be a JSON object, got an array: the file must "
                                "be JSON Lines, one object on each line, not an array of them")
        raise InvalidInput("each line must be a JSON object")
    given = data.get("key")
    if given is None:
        # Keyed by what the line means: a field written out with its default value is left
        # out of the hash, so a file written with them (re-exported) is the same lines again.
        # (Most lines name no optional field: seen without a call.)
        try:
            optional = OPTIONAL.get(data.get("op"))  # type: ignore[arg-type]  # (any op: TypeError below)
        except TypeError:  # (a list or an object, no key of a dict: _Batch.apply refuses it)
            optional = None
        if optional is None or optional.isdisjoint(data):
            return data, _content_key(data, data), None
        meaning = _meaning(data)
        return (data, _content_key(data, meaning),
                None if meaning is data else _content_key(data, data))
    if not isinstance(given, str) or not given:
        raise InvalidInput("key must be non-empty text (leave it out for one made from the "
                           "line's content)")
    # A line with its own key is not encoded for a hash: one that may hold a lone surrogate
    # (a \u escape of one, or in a line given as str the character itself; UTF-8 bytes
    # decode to none) is encoded here. It was found only by the write: a UnicodeEncodeError
    # naming no line ended the import, --skip-invalid or not.
    if "\\ud" in text or "\\uD" in text or not (decoded or text.isascii()):
        try:
            _CANONICAL(data).encode()
        except UnicodeEncodeError:
            raise _lone_surrogate() from None
    return data, given, None


#: What a line that ends before its JSON value does is, by how it starts (:func:`_not_json`).
_UNFINISHED = {"[": "a JSON array", "{": "a JSON object"}
_UTF16 = "not UTF-8 (save the file as UTF-8): it looks like UTF-16"
_JSON_LINES = ("the file must be JSON Lines, one whole JSON object on each line (not "
               "pretty-printed JSON, nor an array of objects)")
_ONE_OBJECT = "each line must be one whole JSON object"
_UNREADABLE = ("not valid JSON", "not UTF-8")  # (how a line that cannot be read is said)


class _NotJsonLines(InvalidInput):
    """A line that is JSON but no object on its line: said of the line, and, as ``file``, of
    the file, where it is the file's first line (a pretty-printed file or an array of
    objects fails there): further on, in a file of JSON Lines, a stray ``[`` or an object
    missing its ``}`` says nothing of the file."""

    def __init__(self, line: str, file: str | None = None) -> None:
        super().__init__(line)
        self.file = line if file is None else file


def _not_json(exc: ValueError) -> InvalidInput:
    """What is wrong with a line that is not valid JSON (built only for such a line).

    A line that ends before its value does (a pretty-printed file: its line 1 is ``[`` or
    ``{``) failed "at line 2 column 1" in JSON's words, which count the line's own newline:
    it is said as a line that does not end its value (and, on the file's first line, that
    the file must be JSON Lines). A line holding NUL characters is UTF-16 read as UTF-8."""
    if not isinstance(exc, json.JSONDecodeError):  # (ours, or a number too long for int())
        return InvalidInput(not_json_text(exc))
    if "\x00" in exc.doc and _utf16(exc.doc, "\x00"):
        return InvalidInput(_UTF16)
    if exc.doc[exc.pos:exc.pos + 1] == "\ufeff":  # (a file of Notepad's pasted in)
        return InvalidInput(f"not valid JSON: a byte order mark (U+FEFF) at column {exc.colno}, "
                            "where only the start of a line may have one: remove it")
    if exc.msg == "Extra data" and "\r" in exc.doc[:exc.pos]:
        return InvalidInput("not valid JSON: more after its object, past a carriage return: "
                            "the file's lines end in CR alone (save it with LF or CRLF line "
                            "ends)")
    given = exc.doc.strip()
    if exc.lineno > 1 and given:  # (the error past the line's end: its newline read as space)
        what = _UNFINISHED.get(given[:1], "a JSON value")
        if given in _UNFINISHED:
            said = f'not valid JSON: the line is "{given}", the start of {what}'
            return _NotJsonLines(f"{said} that does not end on its line; {_ONE_OBJECT}",
                                 f"{said}; {_JSON_LINES}")
        said = f"not valid JSON: {what} that does not end on its line"
        return _NotJsonLines(f"{said}; {_ONE_OBJECT}", f"{said}; {_JSON_LINES}")
    return InvalidInput(f"not valid JSON ({exc})")


def _read_again(text: Any, exc: DoudiError, first: bool
                ) -> tuple[dict[str, Any], str, str | None] | DoudiError:
    """A line :func:`_parse` refused (``exc``), looked at again (only such a line): a str
    line that starts with a byte order mark is read without it, as a line of bytes is
    (decoded as UTF-8 with its mark: files joined); on the file's ``first`` line with
    content, a file that is not JSON Lines is said to be. The line's object, key and key as
    given, or the error to say."""
    if type(text) is str and text[:1] == "\ufeff":
        try:
            return _parse(text[1:])
        except DoudiError as again:
            exc = again
    if isinstance(exc, _NotJsonLines):  # (as an InvalidInput: ImportStopped's class is made
        return InvalidInput(exc.file if first else str(exc))  # from the error's)
    return exc


def _utf16(line: str | bytes, nul: str | int) -> bool:
    """Whether ``line`` (its first 200 bytes, or characters read as UTF-8) looks like UTF-16:
    NULs in a quarter of its odd places, or of its even ones (the high bytes of ASCII
    characters, which a JSON line is mostly made of), and in the others at most an eighth as
    many (the low byte of a character such as 一, U+4E00, or the ideographic space, U+3000:
    none was allowed there, so a line with 一 early on was "not valid JSON", or a byte far
    into it). A binary file given by mistake (a database, an archive) has them in both alike, or
    none; or, in a line short enough, a few in one only (a gzip archive's header, in the
    minutes its time has a 00 byte): so at least half of them must have beside them what an
    ASCII character's other byte is, a printable character, a tab or a line end."""
    head = line[:200]
    odd, even = head[1::2], head[0::2]
    return any(many.count(nul) * 4 >= len(many) > 0 and few.count(nul) * 8 <= many.count(nul)  # type: ignore[arg-type]
               # (nul: str or int as the line)
               and _beside_ascii(many, few, nul) * 2 >= many.count(nul)  # type: ignore[arg-type]
               for many, few in ((odd, even), (even, odd)))


#: What an ASCII character's other byte in UTF-16 is in a JSON line: printable, a tab, a line end.
_ASCII_TEXT = frozenset([9, 10, 13, *range(0x20, 0x7F)])


def _beside_ascii(many: str | bytes, few: str | bytes, nul: str | int) -> int:
    """How many of ``many``'s NULs have an ASCII character of text beside them in ``few`` (a
    UTF-16 character's two bytes: ``many[i]`` and ``few[i]``)."""
    return sum(1 for high, low in zip(many, few, strict=False)  # type: ignore[misc]
               # (low: a str's character)
               if high == nul and (low if type(low) is int else ord(low)) in _ASCII_TEXT)  # type: ignore[arg-type]


def _not_utf8(exc: UnicodeDecodeError) -> str:
    """What is wrong with a line that is not UTF-8: its first bad byte, or a UTF-16 (UTF-32)
    file."""
    if exc.object[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "not UTF-8 (save the file as UTF-8): it looks like UTF-32"
    if exc.object[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or _utf16(exc.object, 0):
        return _UTF16
    return (f"not UTF-8 (save the file as UTF-8): byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}{gbk_hint(exc)}")


def _content_key(data: dict[str, Any], hashed: dict[str, Any]) -> str:
    """The key of a line without its own: ``import:CASE:HASH``, HASH the first 32 hex digits
    of the SHA-256 of ``hashed`` (the line, or what it means) as JSON with sorted keys."""
    try:
        digest = _SHA256(_CANONICAL(hashed).encode()).hexdigest()[:32]
    except UnicodeEncodeError:  # a \udc80 escape: valid JSON, but no text to be stored
        raise _lone_surrogate() from None
    # The case first (m014): a case's keys lie together in their index, as its events do.
    case_id = data.get("id") if data.get("op") == "open" else data.get("case_id")
    return f"import:{case_id}:{digest}" if type(case_id) is str else "import:" + digest


def _meaning(data: dict[str, Any]) -> dict[str, Any]:
    """The line without the optional fields of its op (:data:`OPTIONAL`) that give their
    default values (``data`` itself when it gives none): what its key is made from. A line
    written without them keeps the key it always had."""
    optional = OPTIONAL.get(data.get("op"))  # type: ignore[arg-type]  # (any op: checked before)
    if optional is None:
        return data
    meaning = data
    for name in optional.intersection(data):  # (a loop, no call: two names on most lines)
        if data[name] in DEFAULTS[name]:
            if meaning is data:
                meaning = dict(data)
            del meaning[name]
    return meaning


def _lone_surrogate() -> InvalidInput:
    return InvalidInput("text that is not valid UTF-8 (a \\u escape of a lone surrogate)")


def _within_limits(value: dict[str, Any], name: str) -> None:
    """Refuse a line's attributes or payload (``value``, not empty) that the API would refuse
    as nested more than :data:`DEEPEST_JSON` levels or holding more than
    :data:`MOST_JSON_VALUES` values: its JSON is checked already, so only these are left (a
    flat one, not too large, is within them, looked at in C). A line nested 900 levels deep
    was read, and then ended the import in a RecursionError."""
    if len(value) > MOST_JSON_VALUES or not JSON_SCALARS.issuperset(map(type, value.values())):
        json_object(value, name)


#: How the command line's options are named in a message (a guard says "needs --set
#: paid_from=…"): a line of an import gives them as fields.
_SET_OPTION = re.compile(r"--set (\w+)=(\S*)")
_REASON_OPTION = re.compile(r"--reason\b")


def for_a_line(message: str, data: dict[str, Any]) -> str:
    """``message`` as said of a JSONL line: ``--set KEY=VALUE`` is the field KEY of its
    "attributes" (a line that opens a case) or "payload" (one that fires an event), and
    ``--reason`` its "reason"."""
    where = "attributes" if isinstance(data, dict) and data.get("op") == "open" else "payload"
    message = _SET_OPTION.sub(lambda m: f'"{m[1]}": {m[2] or "…"} in "{where}"', message)
    return _REASON_OPTION.sub('"reason"', message)


_KINDS: dict[type, str] = {str: "a string", dict: "a JSON object"}
#: The fields a line of each op may have: any other is a typo whose data would be lost
#: ("attribute" for "attributes" opened a case without them).
FIELDS = {
    "open": frozenset({"op", "province", "on", "workflow", "id", "attributes", "actor", "key"}),
    "fire": frozenset({"op", "case_id", "event", "on", "payload", "reason", "actor", "key"}),
}
#: The fields of each op a line may leave out, for their defaults (:data:`DEFAULTS`).
OPTIONAL = {
    "open": frozenset({"workflow", "id", "attributes", "actor", "key"}),
    "fire": frozenset({"payload", "reason", "actor", "key"}),
}
DEFAULT_WORKFLOW = "dibao"  # (the workflow a line opens a case of when it names none)
#: The values of each optional field that give its default: null (as if absent), an empty
#: object (no attributes, no payload), the default workflow. (JSON gives dicts, so a value
#: equal to {} is an empty object; a list or 0 is not.)
DEFAULTS: dict[str, tuple[Any, ...]] = {
    "workflow": (None, DEFAULT_WORKFLOW), "id": (None,), "attributes": (None, {}),
    "payload": (None, {}), "reason": (None,), "actor": (None,), "key": (None,)}


def _field(data: dict[str, Any], name: str, kind: type, required: bool = True) -> Any:
    """``data[name]`` if it is of ``kind`` (None when absent and not ``required``)."""
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"{data.get('op')} needs {name!r}")
        return None
    if not isinstance(value, kind):
        raise InvalidInput(f"{name} must be {_KINDS[kind]}, got {spelled(value, limit=40)}")
    return value


def _line_call(engine: Engine, data: dict[str, Any], case_id: str | None) -> Call:
    """The call a line makes, as its idempotency key records it."""
    try:
        if data.get("op") == "open":
            workflow = data.get("workflow")
            return engine._opening_call(data.get("province"),  # type: ignore[arg-type]
                                        DEFAULT_WORKFLOW if workflow is None else workflow,
                                        data.get("on"), data.get("attributes") or {}, case_id)  # type: ignore[arg-type]
        # (any: the call checks them)
        return Call(case_id, data.get("event"), data.get("on"), data.get("payload") or {},  # type: ignore[arg-type]
                    data.get("reason"))
    except (TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, DoudiError):
            raise
        raise InvalidInput(str(exc)) from None


def _check_repeat(engine: Engine, data: dict[str, Any], key: str, first: dict[str, Any]
                  ) -> None:
    """A line whose key is already recorded (``first``: the event row, or the earlier line
    of this batch as one) is the same call again, or a key used twice: :class:`Conflict`."""
    named = data.get("id") if data.get("op") == "open" else data.get("case_id")
    check_repeat(key, first, _line_call(engine, data, named))


def _as_recorded(engine: Engine, data: dict[str, Any], case_id: str) -> dict[str, Any]:
    """A line of this batch as the event row it will be (what ``check_repeat`` reads)."""
    call = _line_call(engine, data, case_id)
    return {"case_id": case_id, "event": call.event, "on": call.on,
            "payload": json.dumps(call.payload), "reason": call.reason,
            "corrects": call.corrects, "province": call.province, "workflow": call.workflow}


def _recorded_before(engine: Engine, parsed: list[tuple[int, dict[str, Any] | None, Any]],
                     recorded: dict[str, dict[str, Any]], as_given: dict[str, str]) -> None:
    """Add to ``recorded`` the lines of ``parsed`` recorded by an earlier import under a key
    made from their content otherwise: a line that writes a default out (``"payload": {}``)
    from the line as given (``as_given``: its key now, to the key made so; :func:`_parse`),
    and, in a database an import wrote before m014, from the line's hash alone, without its
    case. A file imported then, imported again, adds nothing."""
    legacy = engine.store.legacy_import_keys()
    if not legacy and not as_given:  # (most batches: every line has the key it always had)
        return
    old: dict[str, str] = {}
    for _, data, key in parsed:
        if data is None or key in recorded or data.get("key") is not None:
            continue
        given = as_given.get(key)
        for made in (key, given) if legacy else (given,):
            if made is None:
                continue
            if made != key:
                old[made] = key
            # (a key made from content with a case in it: ``import:CASE:HASH``)
            if legacy and made.count(":") > 1:
                old["import:" + made.rpartition(":")[2]] = key
    if old:
        for stored, row in engine.store.recorded_events(list(old)).items():
            recorded[old[stored]] = row


class _Batch:
    """The cases a batch touches, as its lines so far have left them, and what it will write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.before: dict[str, Known] = {}  # existing cases as read, before this batch
        self.now: dict[str, Known] = {}  # every case this batch touched, as it stands
        self.changes: dict[str, Change] = {}  # what the batch writes, by case
        # idempotency key → the line that used it in this batch, and its case
        self.keys: dict[str, tuple[dict[str, Any], str]] = {}
        self.numbers: dict[str, int] = {}  # next case number per prefix, for this batch
        self.read: dict[str, Known] = {}  # the stored cases its lines name, read at once
        self.taken: dict[str, bool] = {}  # the ids its lines open, and whether a case has each
        self.today = engine.today()
        #: (case id, seq, place among the batch's lines) of each link and sanction it makes
        self.chained: list[tuple[str, int, int]] = []

    def apply(self, data: dict[str, Any], key: str) -> None:
        """Check one line and apply it to the batch's state; raises :class:`DoudiError`."""
        op = data.get("op")
        try:
            fields = FIELDS.get(op)  # type: ignore[arg-type]  # (any op: TypeError below)
        except TypeError:  # (a list or an object: no key of a dict)
            fields = None
        if fields is None:
            raise InvalidInput(f"unknown op {spelled(op)}: use open or fire")
        if not fields.issuperset(data):
            unknown = data.keys() - fields
            raise InvalidInput(f"unknown field {sorted(unknown)[0]!r} for {op} "
                               # (op: one of FIELDS')
                               f"(fields: {', '.join(sorted(FIELDS[op]))})")  # type: ignore[index]
        on_text = data.get("on")
        if type(on_text) is not str:  # (as ``_field`` says it)
            on_text = _field(data, "on", str)
        try:  # (remembered: a case's lines, and many cases, share days)
            on = stored_date(on_text)
        except ValueError as exc:
            raise InvalidInput(f"on: {exc}") from None
        if on > self.today:
            self.engine._happened(on)  # (the refusal)
        given_actor, reason = data.get("actor"), data.get("reason")
        if given_actor is not None:  # (absent from most lines)
            actor(_field(data, "actor", str, required=False))
        if reason is not None:
            shown(_field(data, "reason", str, required=False), "reason", lines=True)
        try:
            if op == "open":
                changes = [self._opening(data, on, key)]
            else:
                case_id = data.get("case_id")
                if type(case_id) is not str:  # (as ``_field`` says it)
                    case_id = _field(data, "case_id", str)
                known = self.now.get(case_id)
                if known is None:
                    known = self.read.get(case_id)
                    if known is None:  # (not stored, or damaged: read alone, it says which)
                        known, _ = self.engine._known(case_id)
                    self.before[case_id] = known
                event = data.get("event")
                if type(event) is not str:
                    event = _field(data, "event", str)
                payload = data.get("payload")
                if payload is not None and type(payload) is not dict:
                    _field(data, "payload", dict)
                if payload:  # (most lines carry none)
                    _within_limits(payload, "payload")
                changes = self.engine._event_changes(
                    known, event, on, payload, reason, given_actor, key, self.changes.keys(),
                    self.numbers)
        except (TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, DoudiError):
                raise
            raise InvalidInput(str(exc)) from None
        for change in changes:
            if change.links or change.sanctions:  # (most lines: neither)
                # Their place among the batch's lines, so that they are chained in the
                # order of the lines, not case by case as merged (:meth:`placed`).
                place, case_id = len(self.keys), change.case.id
                for link in change.links:
                    self.chained.append((case_id, link[3], place))
                for sanction in change.sanctions:
                    self.chained.append((case_id, sanction[0], place))
            self._merge(change)
        self.keys[key] = (data, changes[0].case.id)

    def placed(self) -> list[Change]:
        """What the batch writes, each case's change given the place of the line that made
        each of its links and sanctions (Change.places), by which the store chains them."""
        for case_id, seq, place in self.chained:
            change = self.changes[case_id]
            if change.places is None:
                change.places = {}
            change.places[seq] = place
        return list(self.changes.values())

    def _opening(self, data: dict[str, Any], on: date, key: str) -> Change:
        case_id = _field(data, "id", str, required=False)
        if case_id is not None:
            self.engine._check_new_id(case_id, self.taken.get(case_id))
            if case_id in self.now:
                raise EventRefused(f"case {case_id} already exists")
        attributes = _field(data, "attributes", dict, required=False) or {}
        if attributes:
            _within_limits(attributes, "attributes")
        # (absent or null: the default; "" is no workflow's name, as the API and case open
        # --workflow '' say, not the default)
        workflow = _field(data, "workflow", str, required=False)
        return self.engine._opening(
            _field(data, "province", str), DEFAULT_WORKFLOW if workflow is None else workflow, on,
            dict(attributes), case_id, data.get("actor"), taken=self.changes.keys(),
            numbers=self.numbers, key=key)

    def _merge(self, change: Change) -> None:
        """Fold one line's change of a case into the batch's change of it."""
        case_id = change.case.id
        pending = self.changes.get(case_id)
        if pending is None:
            self.changes[case_id] = change
            before = self.before.get(case_id)
            # The batch's own copy of the case, extended in place by its later lines (a list
            # of a case the engine keeps never is: its history is copied here, once).
            self.now[case_id] = Known(
                change.case,
                before.history + change.entries if before else list(change.entries),
                change.deadlines, [], [])
            return
        # (the pending change's lists are its own: made by the line that first changed the
        # case, and handed to nothing else)
        pending.case, pending.deadlines = change.case, change.deadlines
        pending.entries += change.entries
        if change.sanctions:
            pending.sanctions += change.sanctions
        if change.links:
            pending.links += change.links
        known = self.now[case_id]
        known.case, known.deadlines = change.case, change.deadlines
        known.history += change.entries


class _Unended(bytes):
    """A file's last line, read with no line end after it (:func:`read_lines`)."""


#: Said after what is wrong with a file's unended last line that is no whole JSON or UTF-8.
_CUT = ("it is the file's last line and has no line end: the file may be cut short (still "
        "being written, or copied in part)")


class _LineTooLong(InvalidInput):
    """A line longer than :data:`engine.arguments.LARGEST_READ`, in its place
    (:func:`read_lines`): its error, the line itself not held."""


def read_lines(file: IO[bytes], name: str) -> Iterator[bytes | _LineTooLong]:
    """The lines of the opened file ``name``; a read that fails part way (a bad disk,
    /proc/self/mem) is one error naming the file and the line, to which an import it stops
    adds what it kept. (It was an OSError naming neither: "input/output failed: Input/output
    error".) A line longer than :data:`LARGEST_READ` is read no further than that, and a block
    at a time past it to its end (not held: a line of 500 MB with no line end took as much
    memory, and /dev/zero all there was), and given as its error (:class:`_LineTooLong`)."""
    read = 0
    readline = file.readline
    try:
        while line := readline(_LONGEST):
            read += 1
            if line[-1:] == b"\n":
                yield line
            elif len(line) < _LONGEST:  # (only a file's last line can have no line end)
                yield _Unended(line)
            else:
                yield _LineTooLong(f"longer than {LARGEST_READ_SAID}, the most doudi reads of a "
                                   "line (one case opened or one event, a few KB): is the file "
                                   "JSON Lines?")
                # (after it is given: an import it stops reads no more of it)
                while (rest := readline(_BLOCK)) and rest[-1:] != b"\n":
                    pass
    except OSError as exc:
        raise DoudiError(f"{name} could not be read at line {read + 1}: "
                         f"{exc.strerror or exc}") from None


_LONGEST = LARGEST_READ + 1  # (a line's most bytes read at once: at most LARGEST_READ and its end)
_BLOCK = 2**20  # (the rest of a line too long, read and let go a block at a time)


def import_lines(
    engine: Engine,
    lines: Iterable[str | bytes | _LineTooLong],
    batch: int = 500,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    on_skip: Callable[[int, str], None] | None = None,
) -> ImportResult:
    """See :meth:`engine.core.Engine.import_lines`."""
    result = ImportResult()
    pending: list[tuple[int, str | bytes | _LineTooLong]] = []
    reported = 0  # lines (blank ones included) already reported to ``progress``
    writing: list[Change] = []  # the changes of the batch being written

    def flush() -> None:
        # Python's cyclic garbage collector is paused while a batch is worked out, written
        # and kept, and resumed before anything of the caller's runs (any cycle the batch
        # left is collected then): the batch's thousands of objects, nearly all freed by
        # their counts, set off a collection every few lines otherwise, each going through
        # every object made since (about 3 % of an import's instructions).
        collecting = gc.isenabled()
        last, done = pending[-1][0], False
        try:
            gc.disable()  # (inside: an interrupt raised as it returns must resume it too)
            written, already, skipped = work_out_and_write()
            done = True
            # What the batch does not keep (its lines, its changes: a third of the objects it
            # leaves) let go before the collector resumes, which would go through them all.
            writing.clear()
            pending.clear()
        except KeyboardInterrupt:
            # Raised as the batch's COMMIT returned, or after it: the batch is in, and the
            # caller is told so before the interrupt goes on (else it says these lines are
            # not imported, though they are).
            if done or engine.store.committed(writing):
                report(last)
            raise
        finally:
            if collecting:
                gc.enable()
        result.events += written  # counted once the batch is committed
        result.already += already
        result.skipped_count += len(skipped)
        # Committed: reported before the skipped lines are listed, so a listing that fails
        # (its reader gone) still leaves the count of what is in.
        report(last)
        for number, why in skipped:
            if on_skip:
                on_skip(number, why)
            else:
                result.skipped.append((number, why))

    def work_out_and_write() -> tuple[int, int, list[tuple[int, str]]]:
        # Each line as (number, its object, its key), or (number, None, why it is bad): plain
        # tuples, made and read with no call.
        parsed: list[tuple[int, dict[str, Any] | None, Any]] = []
        as_given: dict[str, str] = {}  # (the key now to the key made from the line as given)
        writing.clear()
        for number, text in pending:
            try:
                data, key, given = _parse(text)
            except DoudiError as exc:
                if type(text) is _LineTooLong:
                    parsed.append((number, None, text))
                    continue
                if isinstance(text, _TEXT) and _BOM_LINES.get(text):  # (a dict given: no key)
                    # A file's byte order mark on a line of its own further on (files of
                    # Notepad's joined, one empty): a blank line, as it is on line 1. (Looked
                    # for only in a line that failed: not in every line.)
                    result.lines -= 1
                    continue
                # (the file's first line with content: none before it in this batch, and no
                # batch before it, whose lines would each be written, already in or skipped)
                read = _read_again(text, exc, not parsed and not (
                    result.events or result.already or result.skipped_count))
                if isinstance(read, DoudiError):
                    if type(text) is _Unended and str(read).startswith(_UNREADABLE):
                        # (a line cut in its JSON, or inside a character: "save the file as
                        # UTF-8" alone sent the operator to re-save a file that was UTF-8)
                        read = InvalidInput(f"{read}; {_CUT}")
                    parsed.append((number, None, read))
                    continue
                data, key, given = read
            parsed.append((number, data, key))
            if given is not None:
                as_given[key] = given
        # The write lock is taken before the batch is worked out, so what it reads (keys
        # already recorded, ids taken, the cases) cannot change before it is written: two
        # imports of the same file at once take turns, batch by batch.
        try:
            with engine.store.write_transaction():
                engine._settings_as_stored()  # (one recorded by another process meanwhile)
                written, already, skipped, changes, before = apply_and_write(parsed, as_given)
        except ImportStopped:
            raise
        except DoudiError as exc:
            # The batch as a whole failed, before or after its lines were worked out: another
            # writer holding the database past the wait (Busy) named no line, and its
            # "nothing written" read as if the earlier batches were not kept either.
            raise ImportStopped.of(pending[0][0], exc, result.events + result.already
                                      ) from None
        engine._written(changes, before, owned=True)  # kept once committed, not before
        return written, already, skipped

    def apply_and_write(parsed: list[tuple[int, dict[str, Any] | None, Any]],
                        as_given: dict[str, str]
                        ) -> tuple[int, int, list[tuple[int, str]], list[Change],
                                   dict[str, Known]]:
        recorded = engine.store.recorded_events(
            [key for _, data, key in parsed if data is not None])
        _recorded_before(engine, parsed, recorded, as_given)
        state = _Batch(engine)
        # The stored cases the batch's events name, read together: one at a time, a file in
        # date order (each case's events far apart) read each case again with five statements.
        # Not those the batch opens (in a file in case order, nearly all it names), nor those
        # of lines already recorded (a file imported again reads none); a case_id that is no
        # string (a list, an object) is its line's error. Whether the ids it opens are taken
        # is read together too (a look-up each cost about 0.2 % of a line); not an id with a
        # character that is not printable, which its line refuses before it is looked for
        # (a lone surrogate cannot even be given to SQLite).
        named: dict[str, None] = {}
        opened: set[str] = set()
        for _, data, key in parsed:
            if data is None or key in recorded:
                continue
            if data.get("op") == "fire":
                if type(case_id := data.get("case_id")) is str:
                    named[case_id] = None
            elif type(case_id := data.get("id")) is str:
                opened.add(case_id)
        if opened:
            state.taken = engine.store.taken([i for i in opened if i.isprintable()])
        if named:
            state.read = engine._known_many([i for i in named if i not in opened])
        written, already, skipped = 0, 0, []
        stored = 0  # (lines of the batch so far recorded before it: in, whatever it does)
        for number, data, key in parsed:  # in file order, so the first bad line is reported
            try:
                if data is None:
                    raise key
                if key in recorded or key in state.keys:
                    # A key made from the line's content is the same line again; one given
                    # in the line may have been used by another call.
                    if data.get("key"):
                        first = recorded.get(key) or _as_recorded(engine, *state.keys[key])
                        _check_repeat(engine, data, key, first)
                    already += 1
                    stored += key in recorded
                    continue
                state.apply(data, key)
            except DoudiError as exc:
                why = for_a_line(str(exc), data or {})
                if not skip_invalid:
                    raise ImportStopped.of(number, exc, result.events + result.already,
                                          why, stored) from None
                skipped.append((number, why))
                continue
            written += 1
        changes = state.placed()
        if changes:
            writing[:] = changes  # (for flush to tell whether an interrupt came after COMMIT)
            engine._commit(changes)  # (its error is the batch's: see work_out_and_write)
        return written, already, skipped, changes, state.before

    def report(number: int) -> None:
        nonlocal reported
        if progress and number > reported:
            progress(number - reported)
            reported = number

    number = 0
    for number, text in enumerate(lines, start=1):
        if number == 1 and isinstance(text, _TEXT):
            # The file's byte order mark is no part of its first line: a file that is only
            # one (an empty file saved by Notepad), or whose first line is blank, has no bad
            # line 1 ("not valid JSON"); on a line of its own, as a str, it is taken too.
            # (bytes to bytes, str to str)
            text = text.removeprefix(_BOM if isinstance(text, bytes) else "\ufeff")  # type: ignore[arg-type]
        if isinstance(text, _TEXT):
            if not text.strip():
                continue
        elif type(text) is _LineTooLong and not skip_invalid:
            # It stops the import (flush raises): now, not once the rest of its batch is read
            # (the rest of /dev/zero's one line is endless).
            result.lines += 1
            pending.append((number, text))
            flush()
            continue
        result.lines += 1
        pending.append((number, text))
        if len(pending) >= batch:
            flush()
            report(number)
    if pending:
        flush()
    report(number)
    return result

