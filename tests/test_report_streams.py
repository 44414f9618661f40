"""Reports and listings over a province (issue 7): the breach and at-risk reports are sorted
on disk and written out a chunk of rows at a time, so their memory does not grow with the rows
they list (--include-late at a million cases lists half a million deadlines: 1.1 GB at its peak
when they were held, and again as one text); audit heads writes its heads as it reads them."""

from __future__ import annotations

import json
import os
import sys
import tracemalloc

import pytest
from test_bench_data import load_bench

from engine import Engine
from engine.cli import cli, options
from helpers import error_line, run


@pytest.fixture(scope="module")
def report_dbs(tmp_path_factory):
    """Two benchmark databases as of the benchmark's date, one ten times the other."""
    bench = load_bench()
    folder = tmp_path_factory.mktemp("streams")
    paths = {}
    for cases in (400, 4000):
        paths[cases] = str(folder / f"report-{cases}.db")
        bench.build_report_db(paths[cases], cases=cases, breaches=cases // 100, pools=(120, 12))
    return bench.AS_OF, paths


def _cli_peak(args, monkeypatch) -> int:
    """Peak bytes Python allocated running ``doudi args`` with its output to /dev/null."""
    with open(os.devnull, "w", encoding="utf-8") as null, monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", null)
        tracemalloc.start()
        try:
            with pytest.raises(SystemExit) as exited:
                cli.main(list(args), standalone_mode=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert exited.value.code in (0, None)
    return peak


def _spied_bars(monkeypatch, module, drawn_as: bool | None = True) -> tuple[list, list]:
    """``progress_bar`` replaced, where ``module`` draws one itself and where its bars moved
    every 1/500th are drawn (``engine.cli.options.stepped_progress``), by click's real bar
    that records each bar drawn, (label, length) (and how it was asked to be shown, when
    ``drawn_as`` is None: as asked), and each step it is moved; the two lists."""
    import engine.cli.options as options

    drawn: list[tuple] = []
    steps: list[int] = []
    real = options.progress_bar

    def recorded(length, label, shown=None):
        drawn.append((label, length) if drawn_as is not None else (label, length, shown))
        bar = real(length, label, drawn_as if drawn_as is not None else shown)
        update = bar.update
        bar.update = lambda n: (steps.append(n), update(n))
        return bar

    monkeypatch.setattr(options, "progress_bar", recorded)
    monkeypatch.setattr(module, "progress_bar", recorded, raising=False)
    return drawn, steps


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_late_report_s_memory_does_not_grow_with_its_rows(report_dbs, monkeypatch, fmt):
    """report breaches --include-late lists about half the deadlines; ten times the cases
    peak within twice the smaller report (they were held: about ten times)."""
    as_of, paths = report_dbs
    monkeypatch.setattr(options, "EMIT_CHUNK", 50, raising=False)
    small, large = (_cli_peak(["report", "breaches", "--as-of", str(as_of), "--include-late",
                               "--format", fmt, "--db", paths[n]], monkeypatch)
                    for n in (400, 4000))
    listed = len(Engine.open(paths[4000]).breaches(as_of, include_late=True))
    assert listed > 1500  # (the measure has rows to tell by)
    assert large < 2 * small, (small, large)


def test_sorted_rows_come_back_in_the_report_s_order(report_dbs):
    """The rows read back from disk are the report's own, in its order (most overdue first,
    then by due date, case and rule), and again when read a second time."""
    as_of, paths = report_dbs
    engine = Engine.open(paths[4000])
    for held, rows in ((engine.breaches(as_of, include_late=True),
                        engine.breach_rows(as_of, include_late=True)),
                       (engine.at_risk(as_of, within=5), engine.at_risk_rows(as_of, within=5))):
        with rows:
            assert len(rows) == len(held) > 0
            assert list(rows) == [b.to_json() for b in held]
            assert list(rows) == [b.to_json() for b in held]  # (read again: the table's widths)


def test_json_written_a_chunk_at_a_time_is_echo_json_s_text(monkeypatch, capsys):
    """The JSON of a report written a chunk of rows at a time is the text of the whole list
    written at once (a nested list, a non-finite number as null, no rows)."""
    rows = [{"a": i, "b": [1, {"c": "县"}], "d": float("nan") if i == 2 else None}
            for i in range(7)]
    monkeypatch.setattr(options, "EMIT_CHUNK", 3)
    for given in (rows, []):
        options.emit(iter(given), "json")
        streamed = capsys.readouterr().out
        options.echo_json(given)
        assert streamed == capsys.readouterr().out
    assert json.loads(streamed) == []



@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_rows_read_once_with_no_columns_given_keep_their_first_row(capsys, fmt):
    """emit reads the columns off the first row when none are given: from rows that can be
    read only once (an iterator), that row was taken for its keys and never written."""
    rows = [{"case_id": "A-1", "rule": "publicity"}, {"case_id": "B-2", "rule": "total"}]
    options.emit(list(rows), fmt)
    whole = capsys.readouterr().out
    options.emit(iter(rows), fmt)
    assert capsys.readouterr().out == whole
    assert "A-1" in whole and "B-2" in whole

def test_audit_heads_memory_does_not_grow_with_the_cases(report_dbs, monkeypatch, tmp_path):
    """audit heads of ten times the cases peaks within twice the smaller list (the lines were
    held, then joined into one text: 353 MB at a million cases); what it prints is a line a
    case, as before."""
    from engine import maintenance
    from engine.cli import audit

    _, paths = report_dbs
    monkeypatch.setattr(audit, "HEADS_WRITTEN", 50, raising=False)
    monkeypatch.setattr(maintenance, "HEADS_CHUNK", 100)  # (the heads read at a time)
    small, large = (_cli_peak(["audit", "heads", "--db", paths[n]], monkeypatch)
                    for n in (400, 4000))
    assert large < 2 * small, (small, large)
    out = run(paths[400], "audit", "heads")
    assert out.exit_code == 0 and out.stdout.endswith("\n")
    heads = Engine.open(paths[400]).chain_heads()
    assert out.stdout == "".join(f"{c}\t{s}\t{h}\n" for c, s, h in heads)
    assert out.stdout.count("\n") == 400


def test_verify_with_kept_heads_does_not_hold_them(report_dbs, monkeypatch, tmp_path):
    """audit verify --heads FILE reads the kept heads from the file again where it checks
    them, rather than holding them (twice: the lines read, then the engine's copy): 379 MB
    at its peak at a million cases. With 4,000 heads it peaks within a third more than
    without them (it was nearly twice); a head altered since is still named, from a file and
    from stdin."""
    from engine import maintenance

    _, paths = report_dbs
    monkeypatch.setattr(maintenance, "READ_CHUNK", 50)  # (the cases checked at a time)
    kept = tmp_path / "heads.txt"
    kept.write_text(run(paths[4000], "audit", "heads").stdout, encoding="utf-8")
    without = _cli_peak(["audit", "verify", "--db", paths[4000]], monkeypatch)
    given = _cli_peak(["audit", "verify", "--heads", str(kept), "--db", paths[4000]],
                      monkeypatch)
    assert given < 1.33 * without, (without, given)
    lines = kept.read_text(encoding="utf-8").splitlines(keepends=True)
    case_id, seq, _ = lines[7].split("\t")
    lines[7] = f"{case_id}\t{seq}\t{'0' * 64}\n"
    kept.write_text("".join(lines), encoding="utf-8")
    for result in (run(paths[4000], "audit", "verify", "--heads", str(kept)),
                   run(paths[4000], "audit", "verify", "--heads", "-", input="".join(lines))):
        assert result.exit_code == 1
        assert result.stdout == (f"case {case_id}: event seq {seq} altered since its hash "
                                 f"{'0' * 64} was kept\n")


@pytest.mark.parametrize("command", [["breaches", "--include-late"], ["at-risk", "--within", "5"]])
def test_a_report_draws_a_progress_bar_on_a_terminal(report_dbs, monkeypatch, command):
    """report breaches --include-late reads half a million stored deadlines at a million cases
    (about 20 s) and showed nothing meanwhile. On a terminal it draws click's bar over the
    deadlines it reads (counted first), finished before the report is written, and drawn
    again every 1/500th of them (at each case, the bar took 6 s of 23 at a million cases);
    elsewhere none, and they are not counted. The report itself is the same."""
    from engine.cli import reports

    as_of, paths = report_dbs
    args = ["report", *command, "--as-of", str(as_of), "--format", "csv"]
    plain = run(paths[4000], *args)
    assert plain.exit_code == 0 and plain.stderr == ""
    drawn, steps = _spied_bars(monkeypatch, reports)
    assert run(paths[4000], *args).stdout == plain.stdout and drawn == []  # (no terminal)
    monkeypatch.setattr(reports, "on_a_terminal", lambda: True)
    result = run(paths[4000], *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout
    (label, length), = drawn
    assert label == "Reading the deadlines" and length >= plain.stdout.count("\n") - 1 > 0
    assert result.stderr.startswith("Reading the deadlines")
    assert sum(steps) == length and len(steps) > 2  # (every row counted was read, case by case)
    cases = len({line.split(",")[0] for line in plain.stdout.splitlines()[1:]})
    # (each update but the last covers 1/500th of the rows or more: fewer than one a case)
    assert len(steps) <= length // max(1, length // 500) + 1
    assert len(steps) < cases or command[0] == "at-risk", (len(steps), cases)


def test_the_publication_draws_a_progress_bar_on_a_terminal(monkeypatch, tmp_path):
    """notice publication of a county of 13,334 households took about 3 s (40,000: 9 s) and
    showed nothing meanwhile. On a terminal it draws click's bar over the county's cases it
    reads (its dibao cases and its benefit cases, counted first); the notice is the same."""
    from engine.cli import reports

    lines = tmp_path / "cases.jsonl"
    load_bench().write_import_file(lines, 30)  # (10 households in each of three counties)
    db = str(tmp_path / "publication.db")
    assert run(db, "import", str(lines)).exit_code == 0
    args = ["notice", "publication", "--county", "甲县", "--as-of", "2026-06-30"]
    plain = run(db, *args)
    assert plain.exit_code == 0 and plain.stdout.count("申请人") == 12  # (10, the header, the footer)
    drawn, steps = _spied_bars(monkeypatch, reports)
    monkeypatch.setattr(reports, "on_a_terminal", lambda: True)
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout
    assert drawn == [("Reading the cases", 20)]  # (10 dibao cases, 10 benefit cases)
    assert sum(steps) == 20 and result.stderr.startswith("Reading the cases")


@pytest.fixture(scope="module")
def unpublished_dbs(tmp_path_factory):
    """Two databases whose confirmed cases have no 公布 recorded (a province that records
    none), one ten times the other: every one is in report unpublished."""
    bench, folder, paths = load_bench(), tmp_path_factory.mktemp("unpublished"), {}
    for cases in (200, 2000):
        lines = folder / f"cases-{cases}.jsonl"
        bench.write_import_file(lines, cases)
        kept = [line for line in lines.read_text(encoding="utf-8").splitlines(keepends=True)
                if '"event": "publish"' not in line]
        lines.write_text("".join(kept), encoding="utf-8")
        paths[cases] = str(folder / f"unpublished-{cases}.db")
        assert run(paths[cases], "import", str(lines)).exit_code == 0
    return paths


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_unpublished_report_s_memory_does_not_grow_with_its_rows(unpublished_dbs,
                                                                      monkeypatch, fmt):
    """Found at a province's scale: report unpublished held its rows (and the store its
    candidates) and sorted them, +32 MB for 40,000 cases waiting, hundreds of MB where a
    province records no 公布. Sorted on disk and written a chunk at a time, ten times the
    rows peak within twice the smaller report (they were three to nine times)."""
    monkeypatch.setattr(options, "EMIT_CHUNK", 50, raising=False)
    args = ["report", "unpublished", "--as-of", "2026-06-30", "--format", fmt]
    small, large = (_cli_peak([*args, "--db", unpublished_dbs[n]], monkeypatch)
                    for n in (200, 2000))
    assert large < 2 * small, (small, large)
    listed = run(unpublished_dbs[2000], *args[:-2], "--format", "csv")
    assert listed.stdout.count("\n") == 2001  # (the header, then every case)


def test_the_unpublished_report_draws_a_progress_bar_on_a_terminal(unpublished_dbs,
                                                                    monkeypatch):
    """2,000 cases waiting, each read as of the date (about 0.15 ms each: 600,000 waiting
    took minutes with nothing shown). On a terminal, click's bar over them, counted first;
    the same report, oldest confirmation first."""
    from engine.cli import reports

    args = ["report", "unpublished", "--as-of", "2026-06-30", "--format", "csv"]
    plain = run(unpublished_dbs[2000], *args)
    drawn, steps = _spied_bars(monkeypatch, reports)
    monkeypatch.setattr(reports, "on_a_terminal", lambda: True)
    result = run(unpublished_dbs[2000], *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout
    assert drawn == [("Reading the cases", 2000)] and sum(steps) == 2000
    approved = [line.split(",")[4] for line in plain.stdout.splitlines()[1:]]
    assert approved == sorted(approved)


def test_audit_heads_draws_a_progress_bar_while_the_list_goes_to_a_file(report_dbs,
                                                                       monkeypatch):
    """audit heads of a million cases took 6 s, nothing shown. On a terminal, with the list
    going to a file (not over it on the terminal), click's bar over the cases; not for one
    case; the same list."""
    from engine.cli import audit

    _, paths = report_dbs
    plain = run(paths[400], "audit", "heads")
    drawn, steps = _spied_bars(monkeypatch, audit, drawn_as=None)
    monkeypatch.setattr(audit, "HEADS_WRITTEN", 50)
    monkeypatch.setattr(audit, "on_a_terminal", lambda: True)
    result = run(paths[400], "audit", "heads")
    assert result.exit_code == 0 and result.stdout == plain.stdout
    assert drawn == [("Listing", 400, True)] and sum(steps) == 400 and len(steps) == 8
    assert result.stderr.startswith("Listing")
    case_id = plain.stdout.split("\t")[0]
    drawn.clear()
    assert run(paths[400], "audit", "heads", "--case", case_id).stdout.startswith(case_id)
    assert drawn == [("Listing", 0, False)]


def _temporary_files_full(monkeypatch):
    """SQLite's temporary files as a full disk (or a folder it cannot write) leaves them:
    the private temporary database holds no page."""
    import sqlite3

    connect = sqlite3.connect

    def full(database, *args, **kwargs):
        db = connect(database, *args, **kwargs)
        if database == "":
            db.execute("pragma max_page_count = 1")
        return db

    monkeypatch.setattr(sqlite3, "connect", full)


@pytest.mark.parametrize("command", [["breaches", "--include-late"], ["at-risk"],
                                     ["unpublished"]])
def test_a_report_that_cannot_write_its_temporary_file_says_so(report_dbs, monkeypatch, command):
    """A report sorts its rows in SQLite's temporary folder: one it cannot write there (a
    full disk, no folder writable) says so in one line, exit 1, not "database error: disk
    I/O error", which read as the database itself damaged."""
    as_of, paths = report_dbs
    _temporary_files_full(monkeypatch)
    result = run(paths[400], "report", *command, "--as-of", str(as_of))
    assert result.exit_code == 1, result.output
    line = error_line(result, "Error: could not sort the report's rows in a temporary file "
                              "(database or disk is full)")
    assert "TMPDIR" in line and "database error" not in line


def test_report_rows_read_after_they_are_closed_is_one_clear_error(report_dbs):
    """Rows read (or added) after close(), or closed while they are read, are an
    InvalidInput saying so, not sqlite3's "Cannot operate on a closed database"; read twice
    before, they are the same."""
    from engine.errors import InvalidInput

    as_of, paths = report_dbs
    engine = Engine.open(paths[400])
    with engine.breach_rows(as_of, include_late=True) as rows:
        assert len(rows) > 1 and list(rows) == list(rows)
        reading = iter(rows)
        next(reading)
    for read in (lambda: list(rows), lambda: next(reading), lambda: rows.add((0, "", "", ""), {})):
        with pytest.raises(InvalidInput, match="the report's rows were closed"):
            read()
    rows.close()  # (again: nothing)


def test_verify_refuses_a_heads_list_changed_while_it_was_read(report_dbs, monkeypatch, tmp_path):
    """audit verify --heads FILE checks the list's lines, then reads them again where it
    checks them: a list written again over it meanwhile (`audit heads > FILE` from a cron
    job: the file cut to its first lines) would have had only those heads checked, and
    passed. It is one line saying so, exit 1."""
    from engine.cli import audit

    _, paths = report_dbs
    kept = tmp_path / "heads.txt"
    text = run(paths[400], "audit", "heads").stdout
    kept.write_text(text, encoding="utf-8")
    opened = audit.open_engine

    def written_over(db_path):
        with open(kept, "w", encoding="utf-8") as again:  # (the same file, cut and written)
            again.write(text.splitlines(keepends=True)[0])
        return opened(db_path)

    monkeypatch.setattr(audit, "open_engine", written_over)
    result = run(paths[400], "audit", "verify", "--heads", str(kept))
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: {kept} changed while it was read (written again over "
                                  "it?): the heads checked are not the list's; run it again on "
                                  "a list not being written")


def test_verify_refuses_a_heads_list_that_is_not_utf_8(report_dbs, tmp_path):
    """A heads list saved again in another encoding (GBK: a case id 甲县-1) is one line naming
    the file, exit 2, from a file and from stdin: it was a UnicodeDecodeError
    traceback."""
    _, paths = report_dbs
    lines = run(paths[400], "audit", "heads").stdout.splitlines(keepends=True)
    data = "".join(lines[:2]).encode() + "甲县-1\t0\t".encode("gbk") + b"0" * 64 + b"\n"
    kept = tmp_path / "heads.txt"
    kept.write_bytes(data)
    for result, name in ((run(paths[400], "audit", "verify", "--heads", str(kept)), str(kept)),
                         (run(paths[400], "audit", "verify", "--heads", "-", input=data), "-")):
        assert result.exit_code == 2, result.output
        assert error_line(result) == (f"Error: {name}: not UTF-8 (`doudi audit heads` "
                                      "writes UTF-8: save it so)")


@pytest.mark.parametrize("fails", ["created", "written"])
def test_verify_says_a_heads_list_from_stdin_could_not_be_copied(report_dbs, monkeypatch, fails):
    """A list on stdin is copied to a temporary file to be read again: a copy that cannot be
    made (no folder tempfile may write; the disk full) says so in one line, exit 1; a full
    disk was "<stdin> could not be read at line 1: No space left on device", the list blamed."""
    import errno
    import io
    import tempfile

    _, paths = report_dbs
    text = run(paths[400], "audit", "heads").stdout

    class Full(io.StringIO):
        def write(self, s):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def temporary(*args, **kwargs):
        if fails == "created":
            raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found")
        return Full()

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary)
    read, write = os.pipe()  # (a pipe, as stdin is one: click's test runner's can be sought)
    try:
        os.write(write, text.encode())  # (400 lines: within the pipe's buffer)
        os.close(write)
        piped = f"/dev/fd/{read}"
        result = run(paths[400], "audit", "verify", "--heads", piped)
    finally:
        os.close(read)
    assert result.exit_code == 1, result.output
    problem = ("No usable temporary directory found" if fails == "created"
               else "No space left on device")
    assert error_line(result) == (f"Error: {piped} could not be copied to a temporary file, to read it "
                                  f"again: {problem} (it goes in $TMPDIR, else /tmp; or give the "
                                  "list as a file)")


@pytest.mark.parametrize(("module", "args", "label"), [
    ("audit", ["audit", "verify"], "Verifying"),
    ("bulk", ["recompute"], "Recomputing"),
    ("cases", ["case", "advance", "--as-of", "2026-06-30"], "Advancing"),
])
def test_a_bar_over_the_cases_is_drawn_again_every_500th_of_them(report_dbs, monkeypatch,
                                                                 tmp_path, module, args, label):
    """audit verify, recompute and case advance moved their bar at each case: about 1 % of
    their time at a million cases (the reports' bars had cost 6 s of 23). Over 4,000 cases
    the bar is moved every 8 cases (1/500th of them), 500 times, and ends at 4,000 (100 %)."""
    import importlib
    import shutil

    _, paths = report_dbs
    db = str(tmp_path / "copy.db")  # (recompute and advance may write: not the shared one)
    shutil.copy(paths[4000], db)
    drawn, steps = _spied_bars(monkeypatch, importlib.import_module(f"engine.cli.{module}"))
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert drawn == [(label, 4000)] and result.stderr.startswith(label)
    assert sum(steps) == 4000 and len(steps) == 500 and set(steps) == {8}


@pytest.mark.parametrize(("module", "args"), [
    ("audit", ["audit", "verify"]),
    ("bulk", ["recompute"]),
    ("cases", ["case", "advance", "--as-of", "2026-06-30"]),
    ("reports", ["report", "breaches", "--include-late", "--as-of", "2026-06-30"]),
    ("reports", ["report", "at-risk", "--as-of", "2026-06-30"]),
    ("reports", ["report", "unpublished", "--as-of", "2026-06-30"]),
])
def test_no_bar_is_drawn_over_nothing(monkeypatch, tmp_path, module, args):
    """A database with no case: on a terminal, a report listing nothing drew its bar at 0 %
    (`Reading the deadlines  [-----]  0%`), and audit verify, recompute and case advance
    theirs, as if work were left undone. Nothing to count draws no bar; the output is as
    it was."""
    import importlib

    db = str(tmp_path / "empty.db")
    Engine.open(db).close()
    plain = run(db, *args)
    assert plain.exit_code == 0, plain.output
    cli_module = importlib.import_module(f"engine.cli.{module}")
    drawn, _ = _spied_bars(monkeypatch, cli_module)
    monkeypatch.setattr(cli_module, "on_a_terminal", lambda: True, raising=False)
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert [length for _, length in drawn] == [0]  # (asked for, over nothing: not drawn)
    assert (result.stdout, result.stderr) == (plain.stdout, plain.stderr)
