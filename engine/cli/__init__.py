"""The ``doudi`` command line: noun groups (calendar, case, report, parameter, workflow, …).

Every error a user can cause ends as one line on stderr and the contract's exit status
(1 domain, 2 usage), never a traceback; a failed command writes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import sys

import click

from engine.errors import LONGEST_MESSAGE, DoudiError, shortened  # noqa: F401 (engine.cli names them too)

# click ≥ 8.2 raises it for a group invoked without its subcommand; 8.1 prints the help itself.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def error(message: str) -> None:
    """``Error: message`` on stderr, on one line whatever the message holds (a value the user
    typed may contain a line break or a terminal escape: it is shown escaped), and at most
    :data:`LONGEST_MESSAGE` characters of it (:func:`shortened`)."""
    from engine.arguments import visible

    click.echo(f"Error: {visible(shortened(message))}", err=True)


class _OptionsOnce:
    """A command or group whose parser refuses an option given twice
    (:func:`engine.cli.options.refuse_repeated_options`)."""

    def make_parser(self, ctx: click.Context):
        from engine.cli.options import refuse_repeated_options

        # (a mixin: of click's Command or Group, which makes the parser)
        return refuse_repeated_options(super().make_parser(ctx), ctx)  # type: ignore[misc]


class DoudiCommand(_OptionsOnce, click.Command):
    """A command whose run has sys.stdout pointed at stderr: what a plugin prints while it
    runs (a guard, an effect, a hook) stays out of its JSON or CSV; the command's own output
    goes to stdout (:func:`engine.cli.options.echo`). Its options are parsed, and ``--help``
    printed, before. A negative number is an argument, not an option
    (:func:`engine.cli.options.negative_numbers_as_arguments`)."""

    def make_parser(self, ctx: click.Context):
        from engine.cli.options import negative_numbers_as_arguments

        return negative_numbers_as_arguments(super().make_parser(ctx))

    def invoke(self, ctx: click.Context):
        from engine.cli.options import plugins_print_to_stderr

        with plugins_print_to_stderr():
            return super().invoke(ctx)


class DoudiGroup(_OptionsOnce, click.Group):
    """A click group that turns every expected error into one line and its exit status."""

    command_class = DoudiCommand
    group_class = type  # (its groups are DoudiGroups, their commands DoudiCommands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # No command line can hold a NUL (argv is C strings); a caller passing one in gets a
        # usage error rather than a ValueError from deep inside (open(), sqlite3).
        for arg in args:
            if "\x00" in arg:
                raise click.UsageError(f"argument {arg!r} contains a NUL character", ctx)
        return super().parse_args(ctx, args)

    def make_context(self, info_name, args, parent=None, **extra):
        with _reader_gone():  # (doudi --help, --version: printed while parsing)
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context):
        try:
            with _reader_gone():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            # Ctrl-C in a command: click would print an empty line before its Abort; main
            # says it in one line.
            raise click.exceptions.Abort() from None

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs["standalone_mode"] = False
        _RECORDED.clear()
        _ENGINES.clear()
        _tolerant_output()
        try:
            result = super().main(*args, **kwargs)
            if sys.stdout is not None:  # (None when started with stdout closed: >&-)
                sys.stdout.flush()  # a full disk is found here, not at exit as a traceback
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except _NO_ARGS_IS_HELP as exc:
            # A group without its subcommand (``doudi case``): its help, as click prints it
            # (Usage, the subcommands) on stderr, exit 2. A request for help, not an error line.
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            error(exc.format_message())
            sys.exit(exc.exit_code)
        except _ReaderGone:
            _drop_stdout()
            sys.exit(1)
        except click.exceptions.Abort:
            # Ctrl-C (click's Abort): a command's one transaction rolled back, or committed
            # as the interrupt came (then said: _interrupted); the batched ones (import,
            # recompute, advance) say for themselves what they kept.
            error(_interrupted())
            sys.exit(1)
        except DoudiError as exc:
            error(exc.command_line or str(exc))  # (in the command's words: --county, not county)
            sys.exit(exc.exit_code)
        except UnicodeEncodeError as exc:
            if _has_surrogate(exc.object):
                # An argument that is not text: bytes that are not UTF-8 reach Python as lone
                # surrogates (and only arguments do), which cannot be stored or compared.
                # Nothing was written.
                error(f"{exc.object!r} is not valid UTF-8 text")
                sys.exit(2)
            # Output the stream cannot encode (a stream the operator configured otherwise
            # than _tolerant_output could mend): not a bad argument, and what the command
            # recorded stays recorded.
            _drop_stdout()
            error(f"could not write the output: {exc.reason}{_what_was_recorded()}")
            sys.exit(1)
        except sqlite3.Error as exc:
            # The database itself failed (read-only, locked, disk full, damaged); open_engine
            # names the file when it cannot be opened at all. Nothing was written.
            from engine.cli.options import database_error

            error(database_error(exc, _ENGINES[-1].store.path if _ENGINES else None))
            sys.exit(1)
        except OSError as exc:
            # Writing the output failed (> /dev/full, a pipe whose reader went away): what
            # the command recorded stays recorded; only its printing is cut short.
            _drop_stdout()
            if isinstance(exc, BrokenPipeError):  # (| head: the reader has what it wanted)
                sys.exit(1)
            if exc.filename:
                error(f"{exc.filename}: {exc.strerror or exc}")
            elif exc.errno in _OUTPUT_ERRORS:
                error(f"could not write the output: {exc.strerror or exc}{_what_was_recorded()}")
            else:  # (reading a file that fails half way: /proc/self/mem, a bad disk)
                error(f"input/output failed: {exc.strerror or exc}")
            sys.exit(1)
        if isinstance(result, int) and result:
            sys.exit(result)
        sys.exit(0)


class _ReaderGone(Exception):
    """stdout's reader went away (``| head``), an EPIPE: main ends the command quietly, exit 1.
    Not left to click's main, which wraps sys.stdout and sys.stderr for the flush at exit:
    a stderr closed from the start (``2>&-``, None) wrapped failed that flush, exit 120."""


@contextlib.contextmanager
def _reader_gone():
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        raise _ReaderGone() from exc


#: What a write to a full or closed output fails with (a read does not).
_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EPIPE, errno.EFBIG, errno.EDQUOT})

#: What the running command has recorded so far (:func:`recorded`), for an error line about
#: output that could not be written after it.
_RECORDED: list[str] = []


def recorded(what: str) -> None:
    """Say that the running command has recorded ``what`` ("the event is recorded"): should
    its output then fail to be written, the error line says so, as the operator would
    otherwise take the command for failed and run it again."""
    _RECORDED.append(what)


#: The engines the running command opened (:func:`opened`): Ctrl-C's line says what their
#: single write stored.
_ENGINES: list = []


def opened(engine) -> None:
    """Note the engine the running command opened (engine.cli.cases.open_engine): should
    Ctrl-C stop the command, its error line says what the engine's write stored
    (:attr:`Engine.stored_write`)."""
    _ENGINES.append(engine)


def _interrupted() -> str:
    """The error line's text for Ctrl-C: what the command's single write (case open, fire,
    accept, assess, correct, parameter set|unset|void, calendar add|void) stored, where the
    interrupt came as its COMMIT returned or after (re-run, a `case fire` given no key would record its event
    twice); else what the command said it recorded (:func:`recorded`: the demo's database,
    once built); else that nothing more was recorded. Read from the engine, not the database:
    a first command's clean-up has closed it (engine.cli.cases.no_database_left_on_failure)."""
    for engine in _ENGINES:
        stored = engine.stored_write
        if stored is not None:
            return f"interrupted, but {_stored(stored)}"
    if _RECORDED:  # (what a command said it recorded, then stopped: demo's database, built)
        return f"interrupted, but {'; '.join(_RECORDED)}"
    return "interrupted: nothing more was recorded"


def _stored(stored) -> str:
    """``stored`` (an engine's StoredWrite) in words, as a clause "… was recorded …"."""
    import json

    from engine.maintenance import AUTO_ACTOR
    from engine.workflow import CORRECTION_EVENT, OPEN_EVENT

    if stored.years:
        years = [f"#{y.id} ({y.year}, {y.record.notice})" for y in stored.years]
        return (f"calendar year{'s' * (len(years) > 1)} {', '.join(years)} "
                f"{'were' if len(years) > 1 else 'was'} recorded")
    if stored.year_set_aside is not None:
        return (f"the set-aside of calendar year #{stored.year_set_aside['calendar_year']} "
                f"({stored.year_set_aside['citation']}) was recorded")
    if stored.set_aside is not None:
        return (f"the set-aside of county setting #{stored.set_aside['setting']} "
                f"({stored.set_aside['citation']}) was recorded")
    if stored.setting is not None:
        s = stored.setting
        place = f"{s.county} ({s.province}) {s.workflow} {s.name}"
        if s.value is None:
            return (f"the removal of {place} ({s.citation}) was recorded, from "
                    f"{s.on.isoformat()}: the province's value again")
        return (f"{place} = {json.dumps(s.value, ensure_ascii=False)} ({s.citation}) was "
                f"recorded, from {s.on.isoformat()}")
    entries = stored.entries
    if entries[-1].event == OPEN_EVENT:
        return (f"case {stored.case_id} was opened on {entries[-1].on.isoformat()} (seq 0): "
                "it is recorded")
    said = []
    for entry in entries:
        what = (f"correction of event {entry.corrects}" if entry.event == CORRECTION_EVENT
                else entry.event)
        by_itself = " (by itself)" if entry.actor == AUTO_ACTOR else ""
        said.append(f"{what} on {entry.on.isoformat()}{by_itself}")
    seqs = ", ".join(str(entry.seq) for entry in entries)
    were = "was" if len(entries) == 1 else "were"
    return f"case {stored.case_id}'s {' and '.join(said)} {were} recorded (seq {seqs})"


def _what_was_recorded() -> str:
    return f" ({'; '.join(_RECORDED)})" if _RECORDED else ""


def _has_surrogate(text: object) -> bool:
    return isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text)


def _tolerant_output() -> None:
    """Let stdout write what its encoding cannot (Chinese on PYTHONIOENCODING=latin-1) as
    escapes (\\u5bb6) rather than fail: a command that recorded an event and could not print
    it was reported as a bad argument (exit 2). An ASCII stdout gets UTF-8 (click.echo,
    :func:`engine.cli.options.echo_all`)."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", None) == "strict":
        with contextlib.suppress(ValueError, OSError):  # (closed: nothing will be printed)
            reconfigure(errors="backslashreplace")


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's flush at exit finds nothing to fail on.
    The process's stdout, also from inside a command, where sys.stdout is stderr (pointing
    that at /dev/null lost the error line saying what the command kept)."""
    import os

    from engine.cli.options import command_stdout

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, command_stdout().fileno())
    except (AttributeError, OSError, ValueError):
        pass  # (no real stdout, or none at all, started with it closed: nothing to flush either)


@click.group(cls=DoudiGroup)
@click.version_option(package_name="doudi")
def cli() -> None:
    """doudi (兜底): deadlines and procedure for 低保 and related social assistance.

    Dates are ISO YYYY-MM-DD. Every deadline is counted on the official Chinese
    working-day calendar and carries the clause behind it. Errors: one line on stderr,
    exit status 1 (domain) or 2 (usage), nothing written.

    \b
    Example:
      doudi case open --province P --on 2026-03-02 --set county=甲县
      doudi case fire P-2026-000001 accept --on 2026-03-03
      doudi case show P-2026-000001
      doudi report breaches
    (P: a province code, see doudi provinces; case open prints the case's id)
    """


def _register() -> None:
    # Commands register themselves on import.
    from engine.cli import (  # noqa: F401
        assess,
        audit,
        bulk,
        calendar,
        cases,
        demo,
        notices,
        parameters,
        reports,
        workflows,
    )


_register()
