"""``doudi demo``: build a demo database of synthetic cases and print today's breach report."""

from __future__ import annotations

import os
import sqlite3

import click

from engine.cli import cli, recorded
from engine.cli.options import (
    WholeNumber,
    check_db_path,
    counted,
    emit,
    format_option,
    stepped_progress,
    today_option,
)
from engine.cli.reports import COLUMNS
from engine.errors import DiskFull, DoudiError, OutsideCalendar, disk_full

MARKER = "_doudi_demo"


def _host_prefix(name: str) -> str:
    """What the scratch files of this host's demos of the database ``name`` begin with."""
    import socket

    host = socket.gethostname().replace("-", "_") or "host"
    return f".{name}.demo-{host}-"


def _scratch_prefix(db_path: str, pid: int | None = None) -> str:
    """The name the demo's scratch file begins with: the database's, this host's and this
    process's, so that a later demo can tell a killed one's file from a running one's."""
    return f"{_host_prefix(os.path.basename(db_path))}{os.getpid() if pid is None else pid}-"


def remove_left_behind(directory: str, name: str) -> list[str]:
    """Remove the scratch files (and their logs) of demos of ``name`` killed before they
    could (SIGKILL, a power cut): those made on this host by a process that is gone. A
    running demo's, or another host's (a shared directory), are left alone."""
    from engine.db_files import remove_files

    mine = _host_prefix(name)
    removed: list[str] = []
    try:
        entries = os.listdir(directory)
    except OSError:  # (no such folder, not readable: the scratch file's creation says so)
        return removed
    for entry in entries:
        if not (entry.startswith(mine) and entry.endswith(".db")):
            continue
        pid = entry[len(mine):].split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        remove_files(os.path.join(directory, entry))
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # (another user's process)
        return True
    return True


@cli.command()
@click.option("--db", "db_path", default="doudi-demo.db", show_default=True,
              type=click.Path(), callback=check_db_path,  # (a folder: check_db_path's line)
              help="Demo database to (re)build; an existing non-demo database is never touched.")
@today_option("--as-of", "as_of", help="Drive the cases up to this date and report as of it.")
@click.option("--cases", default=240, show_default=True,
              type=WholeNumber("a number of cases (a whole number, 1 or more)", min=1),
              help="How many synthetic applications to open.")
@click.option("--seed", default=2026, show_default=True,
              type=WholeNumber(f"a seed (a whole number from 0 to {2**63 - 1})", 0, 2**63 - 1),
              help="Random seed.")
@format_option("table", "csv", "json")
def demo(db_path, as_of, cases, seed, fmt) -> None:
    """Build a demo database across the provinces shipped with doudi and print its breach report.

    The cases run through the real procedure up to --as-of, with some offices late; the
    report lists every statutory deadline breached on --as-of, with its clause. Another
    installed province is left out, with a note on stderr: the synthetic cases follow the
    shipped provinces' rules, and its own may refuse them.
    """
    import sqlite_utils

    from engine.core import Engine
    from engine.db_files import as_made_in_place, make_way, remove_files

    if os.path.exists(db_path):
        try:
            existing = sqlite_utils.Database(db_path)
            try:
                tables = existing.table_names()
            finally:
                existing.close()  # (release, below, needs it to be the only connection)
        except sqlite3.DatabaseError:  # not an SQLite file at all
            tables = []
        if MARKER not in tables:
            raise DoudiError(f"{db_path} exists and is not a doudi demo database: not touching it")
    make_way(db_path)  # (refused now, if it cannot be replaced, rather than after the build)
    import tempfile  # (only the demo needs it: not imported for every command)

    directory = os.path.dirname(os.path.abspath(db_path))
    prefix = _scratch_prefix(db_path)
    remove_left_behind(directory, os.path.basename(db_path))
    try:
        handle, scratch = tempfile.mkstemp(prefix=prefix, suffix=".db", dir=directory)
    except OSError as exc:  # no such directory, not writable
        raise DoudiError(f"{db_path}: cannot write the demo database there ({exc.strerror}: "
                         f"{directory})") from None
    os.close(handle)
    as_made_in_place(scratch)  # (readable by whom the user's umask allows, as doudi.db is)
    engine = None
    try:
        engine = Engine.open(scratch, today=lambda: as_of)  # (synthetic: as if on --as-of)
        engine.store.db[MARKER].insert(  # type: ignore[union-attr]  # (a table)
            {"as_of": as_of.isoformat(), "seed": seed})
        from engine.demo import build_demo, demo_provinces
        from engine.plugins import distribution_of

        for province in demo_provinces(engine)[1]:
            click.echo(f"demo: no cases in {province.code} {province.name} (plugin "
                       f"{province.plugin!r}, {distribution_of(province.plugin)}): the demo's "
                       "synthetic cases follow only the provinces shipped with doudi", err=True)
        # One commit for the whole demo.
        with stepped_progress(cases, "Building demo cases") as told, engine.store.db.atomic():
            try:
                build_demo(engine, as_of, cases=cases, seed=seed, progress=told)
            except OutsideCalendar as exc:  # (a date the user never gave: say where it came from)
                raise OutsideCalendar(
                    f"--as-of {as_of.isoformat()} is too near the calendar's ends for the demo, "
                    "whose cases run from up to two years before it and count deadlines up to "
                    f"a year after ({exc})") from None
        engine.close()
        # A log beside the old file, or left where a removed one was, would be applied to
        # the new file by name: folded in first, or refused (again: time has passed).
        make_way(db_path)
        try:
            os.replace(scratch, db_path)  # the demo database appears whole or not at all
        finally:
            # (said once it is there, even where Ctrl-C came as the replace returned: an
            # interrupt from here on says the database is built, not "nothing more")
            if not os.path.exists(scratch):
                recorded(f"the demo database {db_path} is built")
    except sqlite3.OperationalError as exc:
        if not (isinstance(exc, DiskFull) or disk_full(exc)):
            raise
        # (named by the scratch file, which the user never named, and removed below)
        said = exc.sqlite if isinstance(exc, DiskFull) else str(exc)
        kept = " (the one there is left as it was)" if os.path.exists(db_path) else ""
        raise DoudiError(f"{db_path}: the disk is full (SQLite: {said}): the demo database was "
                         f"not built{kept} and its scratch file is removed; free space and try "
                         "again") from None
    finally:
        if engine is not None:
            engine.close()  # (again after success: closing twice is harmless)
        remove_files(scratch)
    engine = Engine.open(db_path)
    try:
        # Counted in the database: an approval opens the household's benefit case by itself,
        # and every case's opening is an event too.
        stored, events = engine.store.db.execute(
            "select (select count(*) from cases), (select count(*) from events)").fetchone()
        opened = counted(cases, "application or household", "applications and households")
        if stored > cases:
            opened += (", the rest benefit cases" if stored - cases > 1 else
                       ", the other a benefit case") + " opened by approval"
        click.echo(f"{db_path}: {counted(stored, 'case')} ({opened}), "
                   f"{counted(events, 'event')}; breaches as of {as_of.isoformat()}:", err=True)
        rows = [b.to_json() for b in engine.breaches(as_of)]
    finally:
        engine.close()  # (an embedding caller's next demo may replace the file)
    emit(rows, fmt, COLUMNS)
    click.echo(f"{counted(len(rows), 'breached deadline')}", err=True)
