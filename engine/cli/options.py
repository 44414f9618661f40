"""Shared click parameter types and options of the ``doudi`` commands."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import math
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from engine import arguments
from engine.arguments import visible
from engine.errors import FREE_SPACE, Busy, DiskFull, DoudiError

if TYPE_CHECKING:
    from engine.maintenance import LeftCases

DEFAULT_DB = "doudi.db"


class ISODate(click.ParamType):
    """A date written YYYY-MM-DD; anything else is a usage error naming the value."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, date):
            return value
        from engine.periods import iso_date  # (not at start-up: --help stays quick)

        try:
            return iso_date(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


ISO_DATE = ISODate()


class WholeNumber(click.IntRange):
    """``click.IntRange`` (the same help) whose refusal names what is expected: click said
    "'x' is not a valid integer range." (or "-1 is not in the range x>=0."). Digits only, as
    written: int() would also read "1_0" as 10, and other scripts' digits."""

    def __init__(self, what: str, min: int | None = None, max: int | None = None) -> None:
        super().__init__(min=min, max=max)
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            self.fail(f"{value!r} is not {self.what}", param, ctx)
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{value!r} is not {self.what}", param, ctx)


WORKING_DAYS = "a number of working days (a whole number, 0 or more)"


class InputFile(click.File):
    """``click.File`` for a file the command reads, ``-`` for stdin. With stdin closed (``<&-``:
    a cron job's, a daemon's; sys.stdin is None) ``-`` is a usage error naming the argument:
    click ended in a traceback (a RuntimeError; an AttributeError for a text file)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if value == "-" and sys.stdin is None:
            self.fail("stdin is closed: nothing to read (give the file, or pipe it in)", param, ctx)
        return super().convert(value, param, ctx)


def today_option(flag: str, dest: str, help: str):
    """A date option that defaults to today in China (:func:`engine.clock.china_today`)."""
    from engine.clock import china_today

    return click.option(flag, dest, type=ISO_DATE, default=lambda: china_today().isoformat(),
                        show_default="today in China", help=help)


def file_name(file: Any) -> str:
    """An opened file's name as an error line gives it (stdin's: "<stdin>", or "-" where it
    has none)."""
    name = getattr(file, "name", None)
    return name if isinstance(name, str) else "-"


def load_json(file: Any) -> Any:
    """A JSON file named on the command line (opened ``click.File("rb")``), read as UTF-8
    with or without a byte order mark (as ``import`` reads its lines: Notepad saves one);
    bad JSON (NaN and Infinity too, which JSON has not), bytes that are not UTF-8, nesting
    too deep or a file larger than ``arguments.LARGEST_READ`` is a usage error naming the
    file."""
    from engine.arguments import file_text, finite_float, not_json, not_json_text, read_whole, unique_keys
    from engine.errors import DoudiError, InvalidInput

    name = file_name(file)
    try:
        data = read_whole(file, name)
    except OSError as exc:  # (opened, but a read failed: a bad disk, /proc/self/mem)
        raise DoudiError(f"{name} could not be read: {exc.strerror or exc}") from None
    text = file_text(data, name) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_constant=not_json, parse_float=finite_float,
                          object_pairs_hook=unique_keys)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"{name}: {not_json_text(exc)}") from None


def refuse_repeated_options(parser: Any, ctx: click.Context) -> Any:
    """``parser`` (a command's, from ``make_parser``) made to refuse an option that takes one
    value given more than once (``--on 2026-03-03 --on 2026-03-04``, ``--db a --db b``):
    click keeps the last one silently, so a script that added an option to a line already
    holding it recorded or read something else than one of the two meant. A usage error
    naming the option (exit 2). Options that gather several values (``--set``) and flags
    (given twice, they say the same) are left as they are."""
    parse = parser.parse_args

    def parse_args(args: list[str]) -> Any:
        opts, rest, order = parse(args)
        if not ctx.resilient_parsing:  # (shell completion: partial lines are its input)
            seen: set[click.Parameter] = set()
            for param in order:
                if (not isinstance(param, click.Option) or param.multiple or param.count
                        or param.is_flag):
                    continue
                if param in seen:
                    raise click.UsageError(f"Option {param.get_error_hint(ctx)} is given twice: "
                                           "it takes one value, give it once", ctx)
                seen.add(param)
        return opts, rest, order

    parser.parse_args = parse_args
    return parser


def negative_numbers_as_arguments(parser: Any) -> Any:
    """``parser`` (a command's, from ``make_parser``) made to take a word written as a minus
    sign and a digit (``-1``, ``-3wd``, ``-0.5``) where an option may start as an argument, as
    argparse does where no option is spelt so: click read it as an option ("No such option
    '-1'"), so ``case correct C -1`` or ``parameter set N -5`` never reached the argument's
    own check, whose line says what is expected. No doudi option is spelt so; a word after
    an option that takes a value is that value, as before, and an unknown option
    (``--bogus``) is still one. (Click has no public hook for it: its parser's
    ``_process_opts`` is where a word is found to start an option. A click without it
    leaves the parser as it is: its own "No such option" line, not a traceback at every
    command's start.)"""
    process = getattr(parser, "_process_opts", None)
    if process is None:
        return parser

    def process_opts(arg: str, state: Any) -> None:
        if arg[1:2].isascii() and arg[1:2].isdigit():
            state.largs.append(arg)
            return
        process(arg, state)

    parser._process_opts = process_opts
    return parser


def check_db_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # An empty path would be taken by Engine.open as "the default database" ($DOUDI_DB):
    # a command would then write to a file other than the one it was given. A blank one
    # (DOUDI_DB=' ') made a file named " ".
    # A folder: refused here rather than by click's type, whose line named --db when the
    # path came from $DOUDI_DB, and which refused it on a command that never reads it.
    if not value.strip() or os.path.isdir(value):
        got = ("an empty path" if not value else f"a blank path, {value!r}" if not value.strip()
               else f"a folder, {value!r}")
        # (from $DOUDI_DB only where the default is it: `doudi demo`'s is its own file)
        if (ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT
                and value == os.environ.get("DOUDI_DB")):
            raise click.UsageError(f"$DOUDI_DB must name a file (it is {got}); unset it, or "
                                   "pass --db", ctx)
        raise click.BadParameter(f"must name a file (got {got})", ctx, param)
    return value


def read_db_path(db_path: str) -> str:
    """``db_path`` checked as :func:`check_db_path` checks it, for a command that reads
    ``--db`` only with another option (``db_option(only_with=…)``), once it reads it: click
    does not check it there, and an empty path was "no database at " (exit 1), or with
    ``calendar due --county`` no database at all."""
    ctx = click.get_current_context()
    param = next(p for p in ctx.command.params if p.name == "db_path")
    return check_db_path(ctx, param, db_path)


def not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option that, given, says something: ``--actor ''`` was recorded as an empty
    actor, which reads as recorded by someone unnamed rather than by nobody said."""
    if value is not None and not value.strip():
        raise click.BadParameter("must not be blank (leave the option out for none)", ctx, param)
    return value


def one_line(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option quoted as it is in what it decides (a ``--basis``, the basis of every
    date it sets): printable, on one line, told as the option (the API's name for it,
    ``citation``, was the one said)."""
    if value is not None:
        try:
            arguments.shown(value, param.opts[0])
        except DoudiError as exc:
            raise click.UsageError(str(exc), ctx) from None
    return value


def actor_option(func):
    return click.option("--actor", callback=not_blank, help="Who recorded it.")(func)


def row_id(given: str, what: str, example: int, hint: str,
           beyond: Callable[[str], Exception]) -> int:
    """The id of a stored row as an operator gives it (3 or #3, as errors and audit verify
    name it): a usage error where it is no number (``what``: "setting id"), ``beyond`` of its
    first digits where it is larger than SQLite stores (int() refuses more than 4,300 digits
    anyway)."""
    from engine.arguments import LARGEST_INTEGER_DIGITS

    number = given.removeprefix("#")
    if not (number.isascii() and number.isdigit()):
        raise click.BadParameter(f"{given!r} is no {what} (a number, as #{example} or {example})",
                                 param_hint=hint)
    if len(number.lstrip("0")) > LARGEST_INTEGER_DIGITS:
        raise beyond(f"{number[:10]}…")
    return int(number)


def given(ctx: click.Context, name: str) -> bool:
    """Whether the option ``name`` (its parameter name) was given, not left to its default."""
    return ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)


def db_option(func=None, *, creates: bool = False, only_with: str | None = None):
    """``--db``; ``creates``: the command records, and makes the database if it is missing
    (the others need an existing one); ``only_with``: the option for which the command reads
    it (it is then checked only when used)."""
    if only_with:
        help_text = f"Case database, read only with {only_with}."
    else:
        help_text = "Case database" + (" (created if missing)." if creates else
                                       " (must exist: open a case or import first).")

    def decorate(func):
        return click.option(
            "--db",
            "db_path",
            type=click.Path(),  # (checked by check_db_path, once it is read)
            callback=None if only_with else check_db_path,
            default=lambda: os.environ.get("DOUDI_DB", DEFAULT_DB),
            show_default="$DOUDI_DB, else ./doudi.db",
            help=help_text,
        )(func)

    return decorate if func is None else decorate(func)


def no_db_option(func):
    """``--db`` on a command that reads no database: the contract says every command takes
    it, so a script may pass it to all of them. Accepted, and not used."""
    return click.option(
        "--db",
        type=click.Path(),  # (any path: it is not read)
        expose_value=False,
        help="Not used: this command reads no database (accepted like on every command).",
    )(func)


def format_option(*choices: str, default: str = "table"):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


#: The process's stdout while a command runs: sys.stdout is then stderr, so that whatever a
#: plugin prints (a guard, an effect, a hook) cannot land in the command's JSON or CSV.
_COMMAND_STDOUT: list[Any] = []


@contextlib.contextmanager
def plugins_print_to_stderr() -> Iterator[None]:
    """Run a command with sys.stdout pointed at stderr; its own output goes out through
    :func:`echo`, :func:`echo_all` and :func:`emit`, which write to the real stdout. Once per
    command (nothing on the event path), and only the command line: a host embedding the
    engine keeps its own stdout."""
    _COMMAND_STDOUT.append(sys.stdout)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = _COMMAND_STDOUT.pop()


def command_stdout() -> Any:
    """The process's stdout, also while a command runs (sys.stdout is then stderr)."""
    return _COMMAND_STDOUT[-1] if _COMMAND_STDOUT else sys.stdout


@contextlib.contextmanager
def _on_stdout() -> Iterator[None]:
    """sys.stdout the process's stdout again, for the command's own output."""
    aside, sys.stdout = sys.stdout, command_stdout()
    try:
        yield
    finally:
        sys.stdout = aside


def echo(message: str = "", nl: bool = True) -> None:
    """A line of the command's output on stdout (``click.echo`` would follow sys.stdout, which
    is stderr while a command runs: :func:`plugins_print_to_stderr`)."""
    with _on_stdout():
        click.echo(message, nl=nl)


_STDERR: Any = object()  # (on_a_terminal's stream when none is given: sys.stderr as it is then)


def on_a_terminal(stream: Any = _STDERR) -> bool:
    """Whether ``stream`` (stderr when not given) is a terminal, where a progress bar or a
    note of a step at work is drawn."""
    stream = sys.stderr if stream is _STDERR else stream
    return stream is not None and stream.isatty()  # (None: started with 2>&-)


def progress_bar(length: int, label: str, shown: bool | None = None):
    """click's progress bar on stderr, drawn only on a terminal (or as ``shown`` says), so
    a script reading the output gets none of it; never over nothing (``length`` 0: a bar at
    0 % beside an empty report, an empty database's check, read as work left undone)."""
    if shown is None:
        shown = on_a_terminal()
    return click.progressbar(length=length, label=label, file=sys.stderr,
                             hidden=not shown or length <= 0)


#: A bar is drawn again once 1/REDRAWN_EVERY of its length is counted since it last was.
REDRAWN_EVERY = 500


class InSteps:
    """``bar.update``, passed on once 1/500th of the bar's length has been counted since it
    last was, and (:meth:`finish`) what is left when the work ends, so the bar ends at its
    count. Moved at each case, click's bar (which works out its line at each move) took
    6 s of a report of 23 s at a million cases, about 1 % of audit verify's, recompute's or
    case advance's."""

    def __init__(self, bar) -> None:
        self.bar, self.pending = bar, 0
        self.step = max(1, bar.length // REDRAWN_EVERY)

    def __call__(self, count: int) -> None:
        self.pending += count
        if self.pending >= self.step:
            self.bar.update(self.pending)
            self.pending = 0

    def finish(self) -> None:
        if self.pending:
            self.bar.update(self.pending)
            self.pending = 0


@contextlib.contextmanager
def stepped_progress(length: int, label: str, shown: bool | None = None) -> Iterator[InSteps]:
    """:func:`progress_bar` for the block, moved through :class:`InSteps` (every 1/500th of
    its length), finished at its end (stopped or not: the bar shows all that was counted)."""
    with progress_bar(length, label, shown) as bar:
        steps = InSteps(bar)
        try:
            yield steps
        finally:
            steps.finish()


@contextlib.contextmanager
def working(text: str, stream: Any = None) -> Iterator[None]:
    """``text`` on stderr while a long step with no count of its own runs (SQLite's check of
    a whole file: about 10 s at a million cases, silent before), erased when it ends; only
    on a terminal, as :func:`progress_bar` is drawn."""
    stream = sys.stderr if stream is None else stream
    shown = on_a_terminal(stream)
    if shown:
        stream.write(text)
        stream.flush()
    try:
        yield
    finally:
        if shown:
            stream.write("\r\x1b[K")  # (to the line's start, erased to its end)
            stream.flush()


def echo_beside(bar, text: str) -> None:
    """Print a line on stdout while ``bar`` is drawn on stderr. On one terminal the line
    would otherwise begin after the bar's text, and the bar redraw over it: the bar's line
    is cleared first and drawn again beneath."""
    with _on_stdout():  # (sys.stdout None: started with it closed, >&-)
        drawn = (not bar.hidden and sys.stderr.isatty() and sys.stdout is not None
                 and sys.stdout.isatty())
    if drawn:
        sys.stderr.write("\r\x1b[K")  # (to the line's start, erased to its end)
        sys.stderr.flush()
    echo(text)
    if drawn:
        sys.stderr.write("\r" + bar.format_progress_line())
        sys.stderr.flush()


def echo_all(text: str, nl: bool = True) -> None:
    """Print ``text`` on stdout, every byte or an error. Written through Python's buffered
    stdout at once, a large text that the disk or the reader took only part of was cut short
    without an error (exit 0): the buffered writer loses a failure after a partial write of a
    block larger than its buffer (whose size is the file's, 4 KiB on some). Written to the
    file descriptor, a write that cannot go on raises its OSError."""
    text += "\n" if nl else ""
    with _on_stdout():
        _write_all(sys.stdout, text)


def _write_all(stream: Any, text: str) -> None:
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # (not a file: tests, a pipe
        click.echo(text, nl=False)                             # object given by a host)
        return
    stream.flush()  # (what was printed before goes first)
    encoding, errors = stream.encoding or "utf-8", stream.errors or "strict"
    if codecs.lookup(encoding).name == "ascii":  # (LC_ALL=C: UTF-8 anyway, as click.echo does)
        encoding, errors = "utf-8", "replace"
    data = memoryview(text.encode(encoding, errors))
    while data:
        data = data[os.write(fd, data):]


def counted(number: int, noun: str, nouns: str | None = None) -> str:
    """``number`` and the noun, singular for one: "1 case", "2 cases" (``nouns``: a plural
    other than noun + s)."""
    return f"{number} {noun if number == 1 else nouns or noun + 's'}"


def echo_json(data: Any) -> None:
    """``data`` as indented JSON, Chinese as itself, on stdout (:func:`echo_all`). A number
    that is not finite (NaN, infinity: held by data doudi recorded before 2026-11-23, which
    took them) is written as null: Python writes NaN, which is not JSON, and a platform's
    reader refused the whole output. What is stored stays as it is."""
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:  # (the rare case: the data is gone through again)
        text = json.dumps(_finite(data), ensure_ascii=False, indent=2, allow_nan=False)
    echo_all(text)


def _finite(value: Any) -> Any:
    """``value`` with each number that is not finite in it None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


#: Rows :func:`emit` writes out at a time (CSV, JSON): a report of the province is not
#: turned into one text.
EMIT_CHUNK = 1000


def emit(rows: Iterable[dict], fmt: str, columns: Sequence[str] | None = None) -> None:
    """Print ``rows`` as a table, CSV or JSON (JSON: the rows as given, a list), written
    :data:`EMIT_CHUNK` rows at a time as they are read, so rows read from disk (a report's
    :class:`~engine.reports.SortedRows`) are never all held. A table is read twice (its
    columns' widths, then its lines): rows that can be read only once are held for it."""
    if fmt == "json":
        _emit_json(rows)
        return
    if columns is None:
        read = iter(rows)
        first = next(read, None)
        columns = list(first.keys()) if first is not None else []
        if read is rows and first is not None:  # (read once: the first row is put back)
            rows = itertools.chain([first], read)
    columns = list(columns)
    if fmt == "csv":
        buffer = _CsvRows()
        writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for chunk in _chunks(rows):
            writer.writerows({c: _csv_cell(r.get(c)) for c in columns} for r in chunk)
            echo_all(buffer.getvalue(), nl=False)
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():  # (the header of no rows)
            echo_all(buffer.getvalue(), nl=False)
        return
    if iter(rows) is rows:  # (read once: held, as the table reads its rows twice)
        rows = list(rows)
    widths, empty = [_width(c) for c in columns], True
    for r in rows:
        empty = False
        widths = [max(w, _width(visible(_cell(r.get(c))))) for w, c in zip(widths, columns,
                                                                          strict=True)]
    if empty:
        echo("(none)")
        return
    echo("  ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip())
    echo("  ".join("-" * w for w in widths))
    for r in rows:
        echo("  ".join(_pad(visible(_cell(r.get(c))), w)
                       for c, w in zip(columns, widths, strict=True)).rstrip())


def _chunks(rows: Iterable[dict]) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == EMIT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _emit_json(rows: Iterable[dict]) -> None:
    """The rows as :func:`echo_json` writes a list of them, the same text, a chunk at a time."""
    def dumped(row: dict) -> str:
        try:
            text = json.dumps(row, ensure_ascii=False, indent=2, allow_nan=False)
        except ValueError:  # (a number that is not finite: null, as echo_json writes it)
            text = json.dumps(_finite(row), ensure_ascii=False, indent=2, allow_nan=False)
        return "  " + text.replace("\n", "\n  ")

    opening = "[\n"
    for chunk in _chunks(rows):
        echo_all(opening + ",\n".join(dumped(r) for r in chunk), nl=False)
        opening = ",\n"
    echo_all("[]" if opening == "[\n" else "\n]")


class _CsvRows(io.StringIO):
    """CSV rows, each ending in "\n". The writer is given "\r\n" to end them with, because it
    quotes only a cell holding a character of its line ending: with "\n" alone, a carriage
    return in a cell (a reason of several lines, allowed) was written bare, and a reader took
    it for the row's end. The writer writes a row in one call, which gets "\n" back."""

    def write(self, row: str) -> int:
        return super().write(row[:-2] + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):  # (JSON, as the json format has it: not Python's repr)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        # (data recorded before 2026-11-23: NaN, Infinity, as case show writes it, and as
        # in a dict or list cell; not Python's nan and inf)
        return json.dumps(value)
    return str(value)


def as_text(value: Any) -> str:
    """A value written out: text as it is, anything else as JSON (true, 900.0, {"kind": …}),
    never Python's repr."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def attribute_text(value: Any) -> str:
    """An attribute on a line of text (:func:`as_text`, made :func:`visible`)."""
    return visible(as_text(value))


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…)):
# text from a case (a county, a name) is quoted with a leading ' so it shows as typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    # (a number that is not finite, from data recorded before 2026-11-23, is left blank as
    # JSON's null is, and JSON in a cell is strict: a reader took "nan" for text, and NaN in
    # a cell's JSON for no JSON at all)
    if isinstance(value, float | dict | list):
        value = _finite(value)
    text = _cell(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def database_error(exc: sqlite3.Error, path: str | None) -> str:
    """The error line of the database failing in a command: a page found damaged once the
    file was open (SQLite's SQLITE_CORRUPT, its pages broken: the first look at a file reads
    only its schema) said as a file found damaged on opening it is said (engine.db_files),
    naming ``path`` (None: the database); another as SQLite words it."""
    if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF == sqlite3.SQLITE_CORRUPT:
        return f"{path or 'the database'} is damaged ({exc}): restore it from a backup"
    return f"database error: {exc}"


def stopped_part_way(exc: DoudiError | sqlite3.Error, written: str, command: str,
                     path: str | None = None) -> DoudiError:
    """The error of ``command`` writing in batches (recompute, advance) that failed after
    some were committed (a disk failing, another writer holding the database): its own line
    alone would read as nothing recorded, so ``written`` says what is. (A case it cannot read
    or work out does not stop it: see :func:`say_cases_left`.)"""
    if isinstance(exc, Busy | DiskFull) and exc.cause:
        # Not the single call's "nothing written; try again" (or "free space and try
        # again"), which the batches written contradict (an import stopped so says it
        # alike: ImportStopped); a full disk's space freed first.
        first = FREE_SPACE if isinstance(exc, DiskFull) else ""
        failed = DoudiError(f"{exc.cause}; {written}; {first}run {command} again to finish")
        failed.exit_code = exc.exit_code
        return failed
    cause = (exc.command_line or str(exc) if isinstance(exc, DoudiError)
             else database_error(exc, path))
    failed = DoudiError(f"{cause} ({written})")
    failed.exit_code = exc.exit_code if isinstance(exc, DoudiError) else 1
    return failed


def left_cases() -> LeftCases:
    """An ``on_skipped`` for ``recompute`` or ``case advance``: the cases left, counted."""
    from engine.maintenance import LeftCases

    return LeftCases()


def say_cases_left(left: LeftCases, command: str) -> None:
    """One error line (exit 1), once the others are written: how many cases ``command`` left
    as they were, and the first with its problem; where one was left for a row changed outside
    doudi, that ``audit verify`` lists them (a province whose plugin is not loaded is no such
    change: the first's own line says to install it)."""
    if left.first is not None:
        hint = "; doudi audit verify lists every case changed outside doudi" if left.damaged else ""
        raise DoudiError(left.said(command, lambda e: e.command_line or str(e)) + hint)
