"""``doudi calendar due``: output shapes, --explain, and one-line usage errors (exit status 2)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.calendar import PROJECTION_BASIS
from engine.cli import cli

JSON_KEYS = {"start", "duration", "due", "provisional", "basis"}
OPTIONAL_KEYS = {"articles"}


def run(*args: str):
    return CliRunner().invoke(cli, ["calendar", "due", *args])


def test_table_output():
    # +10 wd from 2025-01-20 → 2025-02-08 (国办发明电〔2024〕12号; counted in test_periods).
    result = run("2025-01-20", "10wd")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2025-02-08"
    assert "国办发明电〔2024〕12号" in result.stdout
    assert result.stderr == ""


def test_json_shape():
    result = run("2025-01-20", "10wd", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert JSON_KEYS <= set(payload) <= JSON_KEYS | OPTIONAL_KEYS
    assert payload["start"] == "2025-01-20"
    assert payload["duration"] == "10wd"
    assert payload["due"] == "2025-02-08"
    assert payload["provisional"] is False
    assert isinstance(payload["basis"], str) and "第201条" in payload["basis"]


def test_json_provisional_into_2027():
    # Monday 2026-12-28 +5 wd: 12/29, 12/30, 12/31, (2027-01-01 projected 元旦, weekend),
    # 1/4, 1/5 → 2027-01-05, beyond the last notice (国办发明电〔2025〕7号 is for 2026).
    result = run("2026-12-28", "5wd", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["due"] == "2027-01-05"
    assert payload["provisional"] is True


def test_json_basis_of_a_provisional_month_period_says_it_is_projected():
    # 《民法典》第202条: 2027-03-01 + 3 months → the corresponding day, Tue 2027-06-01, a
    # working day on the 2027 projection (端午 is 6/9): provisional, and its basis names the
    # projection as a working-day count's does (it named no calendar at all).
    result = run("2027-03-01", "3m", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["due"], payload["provisional"]) == ("2027-06-01", True)
    assert payload["basis"] == ("《民法典》第201条、第202条、第203条：起算日2027-03-01不计入，计3个月"
                                "；工作日依" + PROJECTION_BASIS)


def test_table_marks_provisional():
    result = run("2026-12-28", "5wd")
    assert result.exit_code == 0, result.output
    assert "provisional" in result.stdout.splitlines()[0]


def test_explain_prints_the_day_lines():
    result = run("2025-01-20", "10wd", "--explain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    # One line per day 2025-01-21..2025-02-08, the holiday skipped and the make-up day counted.
    for day in range(21, 32):
        assert f"2025-01-{day:02d}" in out
    for day in range(1, 9):
        assert f"2025-02-{day:02d}" in out
    line_128 = next(line for line in out.splitlines() if "2025-01-28" in line)
    assert "春节" in line_128 and "国办发明电〔2024〕12号" in line_128 and "不计" in line_128
    line_208 = next(line for line in out.splitlines() if line.strip().startswith("2025-02-08"))
    assert "调休上班" in line_208 and "第10个工作日" in line_208
    assert "到期日 2025-02-08" in out
    assert "依据" in out


def test_explain_in_json():
    result = run("2026-09-28", "7d", "--format", "json", "--explain")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    # 国办发明电〔2025〕7号: nominal last day 2026-10-05 is in 国庆 (10/1–10/7) → 10/8.
    assert payload["due"] == "2026-10-08"
    assert any("第203条" in line for line in payload["explain"])


def test_month_and_calendar_days():
    assert run("2026-01-31", "1m").stdout.splitlines()[0] == "2026-02-28"
    assert run("2026-09-28", "7d").stdout.splitlines()[0] == "2026-10-08"


def test_province_option_accepted():
    result = run("2025-01-20", "10wd", "--province", "shanxi", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["due"] == "2025-02-08"


@pytest.mark.parametrize(
    "args",
    [
        ("2025-01-20", "3x"),  # unknown unit
        ("2025-01-20", "-3wd"),  # negative count (click sees an option)
        ("2025-01-20", "--", "-3wd"),  # negative count, passed as an argument
        ("2025-01-20", "0d"),  # zero count
        ("2025-01-20", "abc"),  # malformed duration
        ("2025-01-20", "３wd"),  # a fullwidth digit (int() would read it as 3)
        ("2026-13-01", "3wd"),  # malformed date
        ("2025-02-30", "3wd"),  # no such day
        ("20250120", "3wd"),  # compact form: the contract says YYYY-MM-DD
        ("2017-06-01", "3wd"),  # before 2018
        ("2017-12-29", "7d"),  # before 2018
        ("2025-01-20", "10wd", "--format", "xml"),
        ("2025-01-20", "10wd", "--province", "nowhere"),
    ],
)
def test_bad_input_is_one_line_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_negative_count_message_names_the_duration():
    """`doudi calendar due 2025-01-20 -3wd` must say what is wrong with the duration.

    Click would read ``-3wd`` as an option ("No such option '-3'"); the command takes it
    as the duration so that the engine's message names the negative count.
    """
    result = run("2025-01-20", "-3wd")
    assert result.exit_code == 2
    assert "-3wd" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("2025-01-20", "3x"), "unknown unit"),
        (("2026-13-01", "3wd"), "2026-13-01"),
        (("2017-06-01", "3wd"), "2017-06-01"),
        (("2025-01-20", "0d"), "at least 1"),
        (("2025-01-20", "３wd"), "malformed duration '３wd': write it in ASCII"),
    ],
)
def test_error_messages_name_the_problem(args, needle):
    assert needle in run(*args).stderr


def _doudi_script() -> Path:
    script = Path(sys.executable).parent / "doudi"
    if script.exists():
        return script
    found = shutil.which("doudi")
    if found is None:
        pytest.fail("the doudi console script is not installed: pip install -e .")
    return Path(found)


def _run_script(*args: str) -> subprocess.CompletedProcess:
    """The installed ``doudi`` console script, run as a separate process."""
    return subprocess.run(
        [str(_doudi_script()), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_script():
    proc = _run_script("calendar", "due", "2025-01-20", "10wd")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "2025-02-08"


def test_console_script_bad_input():
    proc = _run_script("calendar", "due", "2017-06-01", "3wd")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error:") and len(proc.stderr.splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line_not_a_traceback():
    # A full disk under the output (> /dev/full): one line naming it, exit 1.
    with open("/dev/full", "w") as full:
        proc = subprocess.run([str(_doudi_script()), "calendar", "due", "2025-01-20", "10wd"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == "Error: could not write the output: No space left on device\n"


@pytest.mark.parametrize(("command", "size"), [
    (["calendar", "due", "2018-01-05", "2000wd", "--explain", "--format", "json"], 65536),
    (["calendar", "due", "2018-01-05", "2000wd", "--explain", "--format", "table"], 65536),
    (["workflow", "show", "dibao", "--province", "shanxi", "--format", "json"], 4096),
])
def test_output_cut_short_by_a_file_size_limit_is_an_error_not_success(tmp_path, command, size):
    # A 180 KB JSON (2,000 working days, day by day) into a file limited to 64 KiB: once written
    # at once, the part that did not fit was dropped without an error and the command exited 0.
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    with open(tmp_path / "out", "w") as out:
        proc = subprocess.run([str(_doudi_script()), *command], stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=limit)
    assert proc.returncode == 1
    assert proc.stderr == "Error: could not write the output: File too large\n"


def test_every_byte_of_a_long_chinese_text_is_written_or_the_write_fails(tmp_path):
    # Found by review: a last piece of 1,400 characters (4,200 bytes of Chinese) was above a
    # 4 KiB stdout buffer, and the write the file size limit cut short was lost again (exit 0).
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    with open(tmp_path / "out", "w") as out:
        proc = subprocess.run([sys.executable, "-c", "import sys; from engine.cli.options "
                               "import echo_all; echo_all('公' * 1400, nl=False); "
                               "sys.stdout.flush()"], stdout=out, stderr=subprocess.PIPE,
                              text=True, timeout=60, preexec_fn=limit)
    assert proc.returncode != 0
    assert "OSError: [Errno 27] File too large" in proc.stderr


def test_chinese_output_on_an_ascii_stdout_is_utf_8(tmp_path):
    # Found by review: written straight to the descriptor, JSON was encoded as the stream's
    # ASCII and failed (exit 2, the whole output in an error line); click.echo writes UTF-8.
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([str(_doudi_script()), "provinces", "--format", "json"],
                          capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "山西省" in proc.stdout.decode("utf-8")


def test_a_reader_that_goes_away_ends_the_command_quietly():
    # `doudi … | head -1`: the reader closed the pipe; no traceback, no error line.
    proc = subprocess.Popen([str(_doudi_script()), "calendar", "due", "2025-01-20", "10wd"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == ""


@pytest.mark.parametrize("command", [["calendar", "due", "2025-01-20", "10wd"],
                                     ["report", "breaches", "--help"], ["--help"], ["--version"]])
def test_a_reader_gone_away_ends_a_command_started_without_stderr_with_exit_1(command):
    # Found by review: `doudi … 2>&- | head -1` (a cron job's) exited 120, not 1: click meets a
    # closed pipe by wrapping sys.stdout and sys.stderr, None there, whose flush at exit failed.
    read, write = os.pipe()
    os.close(read)  # (the reader gone before the first line)
    try:
        proc = subprocess.run([str(_doudi_script()), *command], stdout=write, timeout=60,
                              preexec_fn=lambda: os.close(2))
    finally:
        os.close(write)
    assert proc.returncode == 1


def test_a_command_started_with_stdout_closed_runs_without_a_traceback():
    # `doudi … >&-` (a daemon without stdout): Python's sys.stdout is None; nothing to print to.
    proc = subprocess.run([str(_doudi_script()), "calendar", "due", "2025-01-20", "10wd"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=60, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def _case_to_fire(tmp_path) -> str:
    """A database with one accepted 天津 case (an engine of this process writes it)."""
    from datetime import date

    from engine import Engine

    path = str(tmp_path / "x.db")
    engine = Engine.open(path)
    view = engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="T-1")
    engine.fire(view.id, "accept", on=date(2026, 3, 2))
    engine.store.db.close()
    return path


def _events(path: str) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return [e for (e,) in conn.execute("select event from events order by seq")]
    finally:
        conn.close()


def test_an_event_recorded_on_a_stdout_that_cannot_encode_chinese_is_printed_escaped(tmp_path):
    # Found by review: with PYTHONIOENCODING=latin-1 the event was saved, and the command
    # said "… is not valid UTF-8 text", exit 2 (a bad argument), as every printing command did.
    db = _case_to_fire(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    proc = subprocess.run([str(_doudi_script()), "case", "fire", "T-1", "start_investigation",
                           "--on", "2026-03-03", "--db", db], capture_output=True, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("latin-1") == (
        "T-1: start_investigation on 2026-03-03: accepted → investigating "
        "(家庭经济状况调查)\n".encode("ascii", "backslashreplace").decode("ascii"))
    assert _events(db) == ["open", "accept", "start_investigation"]
    shown = subprocess.run([str(_doudi_script()), "case", "show", "T-1", "--db", db],
                           capture_output=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "\\u5bb6\\u5ead" in shown.stdout.decode("latin-1")


def test_an_argument_that_is_not_utf8_is_still_a_usage_error_on_such_a_stdout(tmp_path):
    db = _case_to_fire(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    proc = subprocess.run([str(_doudi_script()).encode(), b"case", b"show", b"\xff", b"--db",
                           db.encode()], capture_output=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode() == "Error: '\\udcff' is not valid UTF-8 text\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(("args", "said"), [
    (["case", "fire", "T-1", "start_investigation", "--on", "2026-03-03"],
     "the event is recorded"),
    (["case", "open", "--province", "tianjin", "--on", "2026-03-03", "--id", "T-2"],
     "case T-2 is opened"),
    (["parameter", "set", "investigation_start", "2wd", "--province", "tianjin", "--county",
      "甲县", "--basis", "甲县〔2026〕1号", "--on", "2026-03-03"], "the setting is recorded"),
])
def test_output_that_cannot_be_written_after_a_write_says_what_was_recorded(tmp_path, args, said):
    # Found by review: `case fire … > /dev/full` said only "could not write the output"; the
    # operator would take the event for not recorded, and record it again.
    db = _case_to_fire(tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([str(_doudi_script()), *args, "--db", db], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == f"Error: could not write the output: No space left on device ({said})\n"


def test_calendar_due_and_provinces_print_csv_as_the_contract_says():
    """contract.md: "--format table|json|csv where it prints data". A 公示 posted Mon
    2026-09-28: its 7th day, 10-05, is in 国庆 (10/1–10/7 off), so it ends 10-08 (第203条)."""
    due = CliRunner().invoke(cli, ["calendar", "due", "2026-09-28", "7d", "--format", "csv"])
    assert due.exit_code == 0, due.output
    rows = list(csv.DictReader(io.StringIO(due.output)))
    assert [(r["start"], r["duration"], r["due"], r["provisional"]) for r in rows] == [
        ("2026-09-28", "7d", "2026-10-08", "no")]
    assert json.loads(rows[0]["articles"]) == ["《民法典》第201条", "《民法典》第203条"]
    explained = CliRunner().invoke(cli, ["calendar", "due", "2026-09-28", "7d", "--format", "csv",
                                         "--explain"])
    assert explained.exit_code == 2
    provinces = CliRunner().invoke(cli, ["provinces", "--format", "csv"])
    assert provinces.exit_code == 0, provinces.output
    documents = {(r["code"], r["document"]) for r in csv.DictReader(io.StringIO(provinces.output))}
    assert {("shanxi", "晋民发〔2023〕31号"), ("tianjin", "津民发〔2023〕13号")} <= documents


def test_explain_says_why_a_late_december_date_is_provisional():
    """Found by review: 2026-12-23 + 3wd counts 12-24 (1), 12-25 (2), 12-28 (3), all in 2026,
    which has its notice (国办发明电〔2025〕7号); the date is provisional because the 2027 notice
    arranges 元旦 and may still move days from 12-25 on, not because 2026 has no notice."""
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-12-23", "3wd", "--explain"])
    assert result.exit_code == 0, result.output
    assert "到期日 2026-12-28（当日24时止，《民法典》第203条）" in result.output
    assert ("暂定：2026-12-25起的日子可由2027年国务院办公厅放假通知调整（其元旦安排），"
            "待该通知发布后重算") in result.output
    assert "尚无国务院办公厅通知的年份" not in result.output


def test_a_county_nothing_names_gets_the_note_workflow_show_gives(db):
    # Found by review: `calendar due … --county 无县` silently counted on the province's
    # calendar, where `workflow show --county 无县` notes a county no case or setting names.
    # 30 wd from 2026-09-29 (国办发明电〔2025〕7号: 10/1–10/7 off, Saturday 10/10 worked):
    # 9/30(1), 10/8(2), 10/9(3), 10/10(4), 10/12–16(5–9), five a week to 11/13(29),
    # 11/16(30) → 2026-11-16, as for the province.
    note = ("note: no case or setting names county '无县' in shanxi; the province's calendar "
            "is used: check the spelling\n")
    args = ["2026-09-29", "30wd", "--province", "shanxi", "--db", db]
    result = run(*args, "--county", "无县")
    assert (result.exit_code, result.stderr) == (0, note)
    assert result.stdout.splitlines()[0] == "2026-11-16"
    assert not os.path.exists(db)  # (no database: none is made, and nothing names the county)
    opened = CliRunner().invoke(cli, ["case", "open", "--province", "shanxi", "--on",
                                      "2026-03-02", "--set", "county=甲县", "--db", db])
    assert opened.exit_code == 0, opened.output
    named = run(*args, "--county", "甲县", "--format", "json")
    assert (named.exit_code, named.stderr) == (0, "")
    assert json.loads(named.stdout)["due"] == "2026-11-16"
    assert run(*args, "--county", "无县").stderr == note


@pytest.mark.parametrize("command", [
    ["calendar", "due", "2026-09-29", "30wd"],
    ["workflow", "show", "dibao", "--format", "json"],
    ["assess", "-"],
])
def test_an_empty_db_path_read_with_county_is_refused_as_by_other_commands(command):
    # Found by review: read only with --county, --db was not checked: `calendar due --county`
    # took --db '' for no database (a note, exit 0), `workflow show` and `assess` said
    # "no database at " (exit 1). Every command that reads it refuses an empty path, exit 2.
    args = [*command, "--province", "shanxi", "--county", "甲县"]
    given = CliRunner().invoke(cli, [*args, "--db", ""], input="{}")
    assert (given.exit_code, given.stderr) == (
        2, "Error: Invalid value for '--db': must name a file (got an empty path)\n")
    blank = CliRunner().invoke(cli, args, input="{}", env={"DOUDI_DB": " "})
    assert (blank.exit_code, blank.stderr) == (
        2, "Error: $DOUDI_DB must name a file (it is a blank path, ' '); unset it, or pass "
           "--db\n")
    assert run("2026-09-29", "30wd", "--db", "").exit_code == 0  # (not read without --county)
