"""The CLI never shows a traceback, whatever its arguments (hypothesis).

Argument lists are built from the real command names, their real options and positional
arguments, mixed with garbage: unknown options, valid and invalid dates, unicode, control
characters, undecodable bytes (surrogate escapes, as Python hands a non-UTF-8 argv over),
negative and huge numbers, empty and very long strings, ``--set`` with odd KEY=VALUE. Each
example runs on its own copy of a database holding a few cases, in its own working directory.

The contract (engine/cli/__init__.py): exit status 0, 1 (domain) or 2 (usage); on failure,
exactly one line on stderr, starting with ``Error:``; never an uncaught exception. One
exception, as click itself has it: a group invoked without a subcommand (``doudi``, ``doudi
case``, …) prints its help — Usage and the list of subcommands — on stderr and exits 2.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import string
import tempfile
import traceback
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.cli import cli
from helpers import dump_file

HOUSEHOLD = {
    "standard": 900,
    "members": [{"id": "m1", "age": 34, "income": {"other": 100}},
                {"id": "m2", "age": 66, "income": {"pension": 2400}}],
}
CASE_IDS = ["S-1", "S-2", "B-1", "T-1", "NO-SUCH"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with a few cases (dibao at several stages, benefit, temporary) and some
    input files, all copied into each example's own directory."""
    root = tmp_path_factory.mktemp("fuzz-template")
    engine = Engine.open(str(root / "cases.db"))
    engine.open_case(province="shanxi", on=date(2026, 1, 26), case_id="S-1",
                     attributes={"county": "太原市小店区", "household_size": 3})
    for event, on in [("accept", date(2026, 1, 28)), ("start_investigation", date(2026, 2, 2)),
                      ("request_verification", date(2026, 2, 4)),
                      ("start_verification", date(2026, 2, 10)),
                      ("post_publicity", date(2026, 2, 12))]:
        engine.fire("S-1", event, on=on)
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="S-2")
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5), case_id="B-1",
                     attributes={"amount": 900, "paid_from": "2026-02"})
    engine.fire("B-1", "income_exceeds", on=date(2026, 3, 2),
                payload={"per_capita_income": 1200, "standard": 900})
    engine.open_case(province="jiangsu_draft", workflow="temporary", on=date(2026, 9, 28),
                     case_id="T-1")
    engine.fire("T-1", "pay_urgent", on=date(2026, 9, 28), payload={"amount": 800, "reason": "火灾"})
    engine.store.db.close()  # checkpoints the WAL: the file alone is the database
    (root / "household.json").write_text(json.dumps(HOUSEHOLD), encoding="utf-8")
    (root / "residence.json").write_text(json.dumps(
        {"members": [{"id": "a", "registered_in": "太原市小店区", "lives_in": "小店区"}]},
        ensure_ascii=False), encoding="utf-8")
    (root / "list.json").write_text("[1, 2]", encoding="utf-8")
    (root / "broken.json").write_text('{"standard": ', encoding="utf-8")
    (root / "latin1.json").write_bytes(b'{"standard": "\xe9"}')
    (root / "deep.json").write_text("[" * 100_000, encoding="utf-8")
    (root / "notes.txt").write_text("这不是数据库\n", encoding="utf-8")
    return root


# -- values ----------------------------------------------------------------------------------

GOOD_DATES = ["2026-01-26", "2026-02-25", "2026-03-17", "2026-12-31", "2018-01-01", "2060-12-31"]
BAD_DATES = ["2026-02-30", "20260128", "2026-1-5", "0001-01-01", "9999-12-31", "2017-12-31",
             "2061-01-01", "２０２６-01-01", "2026-01-01T00:00", "-2026-01-01", "today", ""]
DURATIONS = ["30wd", "7d", "3m", "1wd", "0d", "-1d", "3", "wd", "99999999999d", "99999999999m",
             "99999999999wd", "1e3d", "١٠wd", "7 d", "3M"]
EVENTS = ["pay_urgent", "complete_formalities", "accept", "start_investigation",
          "request_verification", "start_verification", "post_publicity", "raise_objection",
          "extend", "submit_to_county", "approve",
          "reject", "notify_refusal", "publish", "withdraw", "terminate", "assess", "review",
          "member_died", "income_exceeds", "phase_out_end", "change_found", "fraud_found",
          "leave", "found_ineligible", "open", "refer_collective", "collective_decided"]
PROVINCES = ["shanxi", "tianjin", "jiangsu_draft", "hainan", "SHANXI", "山西"]
WORKFLOWS = ["dibao", "benefit", "temporary", "marginal", "nope"]
FORMATS = ["table", "json", "csv", "mermaid", "text", "html", "xml"]
NUMBERS = ["0", "3", "-1", "-99999", "10", "99999999999999999999", "1e999", "nan", "inf", "1.5",
           "0x10", "三"]
SETTINGS = ["county=小店区", "delegated=true", "delegated=false", "delegated=maybe",
            "household_size=3", "household_size=-1", "household_size=1.5", "amount=900",
            "amount=-5", "amount=1e999", "amount=nan", "amount=99999999999999999999999",
            "channel=村务公开栏", "channel=", "outcome=raise", "outcome=agree", "died_on=2026-03-01",
            "died_on=garbage", "occurred_on=2018-01-01", "since=0001-01-01", "reason=火灾", "subject=张某",
            "signed=true", "paid_from=2026-13",
            "per_capita_income=x", "standard=0", "unstable_income=true", "severe_member=yes",
            "=x", "x", "=", "a==b", "a b=c", "county=[", "county=[1,2]", "county={}",
            "household=[]", "assessment=1", "exception_route=x", "k\n=v", "county=a\nb",
            "x" * 3000 + "=1", "county=" + "长" * 3000]
REASONS = ["人户分离", "异地申办", "调查难度大", "because", ""]
WEIRD = st.sampled_from(["", " ", "-", "--", "-x", "\n", "a\nb", "\t", "\x00", "\udcff\udcfe",
                         "'", '"', "\\", "%s", "{}", "💥", "長" * 5000, "x" * 20000, "../../etc",
                         "--db", "--help"])
TEXT = st.one_of(WEIRD, st.text(st.characters(exclude_characters="\x00"), max_size=40),
                 st.text(alphabet=string.ascii_letters + "-_=", max_size=12))
FILES = ["household.json", "list.json", "broken.json", "latin1.json", "deep.json",
         "missing.json", "-",
         "notes.txt", "."]


def pick(good, bad=()):
    """Mostly one of the ``good`` values; now and then a ``bad`` one, or garbage."""
    choices = [st.sampled_from(good)] * 6 + [TEXT] + ([st.sampled_from(bad)] if bad else [])
    return st.sampled_from(choices).flatmap(lambda strategy: strategy)  # (one_of would dedupe)


DATE = pick(GOOD_DATES, BAD_DATES)
# Values by option name and by positional argument name; a choice option draws from its
# choices; a name not listed gets garbage.
VALUES = {
    "--on": DATE,
    "--as-of": DATE,
    "--since": DATE,
    "--until": DATE,
    "--province": pick(PROVINCES[:3], PROVINCES[3:]),
    "--county": pick(["太原市小店区", "小店区"], [""]),
    "--workflow": pick(WORKFLOWS[:3], WORKFLOWS[3:]),
    "--id": pick(["NEW-1", "NEW-2"], ["new id", "", *CASE_IDS]),
    "--case": pick(CASE_IDS),
    "--actor": pick(["张三", "窗口 2"], ["", "x" * 5000]),
    "--reason": pick(REASONS[:3], REASONS[3:]),
    "--set": pick(SETTINGS),
    "--window": pick(NUMBERS[:2], NUMBERS[2:]),
    "--within": pick(NUMBERS[:2], NUMBERS[2:]),
    "--idempotency-key": pick(["k1", "k1", "k2"], [""]),
    "--db": pick(["cases.db"], ["fresh.db", "notes.txt", ".", "sub/x.db"]),
    "--nope": TEXT,
    "-x": TEXT,
    "case_id": pick(CASE_IDS[:4], CASE_IDS[4:]),
    "event": pick(EVENTS),
    "household_file": pick(FILES[:1], FILES[1:]),
    "residence_file": pick(["residence.json"], FILES),
    "start": DATE,
    "duration": pick(DURATIONS[:4], DURATIONS[4:]),
    "name": pick(WORKFLOWS[:3], WORKFLOWS[3:]),
    "seq": pick(NUMBERS[:2], NUMBERS[2:]),
}
FLAGS = ["--explain", "--include-late", "--help", "--version"]
# Left out: ``demo`` (builds a 240-case database by default: seconds per example).
SKIPPED = {("demo",)}


def leaf_commands(group=cli, path=()):
    """Every runnable command of the CLI, by its words, with its click parameters."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        elif (*path, name) not in SKIPPED:
            yield (*path, name), command


COMMANDS = dict(leaf_commands())
GROUPS = [(), ("case",), ("report",), ("calendar",), ("workflow",), ("audit",), ("notice",)]
WRONG = [("cases",), ("case", "delete"), ("report", "")]
ALL_OPTIONS = sorted([k for k in VALUES if k.startswith("-")] + ["--format", "--kind"])


def value_for(param):
    name = param.opts[0] if isinstance(param, click.Option) else param.name
    if name in VALUES:
        return VALUES[name]
    if isinstance(param.type, click.Choice):
        return pick(list(param.type.choices), ["xml", ""])
    return TEXT


@st.composite
def argv(draw):
    """Mostly well-formed calls (the required arguments there, values mostly good), sometimes
    chaos (any option, stray tokens, missing values)."""
    choice = draw(st.integers(0, 19))
    if choice == 0:
        return list(draw(st.sampled_from(GROUPS + WRONG)))
    words = draw(st.sampled_from(sorted(COMMANDS)))
    command = COMMANDS[words]
    args = list(words)
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    options = [p for p in command.params if isinstance(p, click.Option)]
    chaos = choice <= 4
    count = len(arguments)
    if chaos:
        count = draw(st.sampled_from([count, count, 0, count + 1]))
    for i in range(count):
        args.append(draw(value_for(arguments[i]) if i < len(arguments) else TEXT))
    chosen = [o for o in options if o.required or (o.opts[0] == "--db" and not chaos)]
    chosen += draw(st.lists(st.sampled_from(options), max_size=4)) if options else []
    for option in chosen:
        name = option.opts[0]
        args.append(name)
        if not option.is_flag:
            args.append(draw(value_for(option)))
    if chaos:
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["option", "flag", "token", "bare"]))
            if kind == "token":
                args.append(draw(TEXT))
            elif kind == "flag":
                args.append(draw(st.sampled_from(FLAGS)))
            else:
                name = draw(st.sampled_from(ALL_OPTIONS))
                value = VALUES.get(name, st.sampled_from([*FORMATS, "stop", "fine"]))
                args += [name] if kind == "bare" else [name, draw(value)]
    return args


BARE_GROUPS = set(GROUPS)


def check(result, args):
    shown = (f"doudi {args!r}\nexit {result.exit_code}\nstdout {result.stdout[:500]!r}\n"
             f"stderr {result.stderr[:2000]!r}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{shown}\n{trace}")
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output, shown
    if result.exit_code == 0:
        if "--format" in args and result.stdout[:1] in ("[", "{"):
            # JSON output is strict JSON: no NaN or Infinity (--set amount=nan, 1e999).
            json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name}\n{shown}"))
        return
    if tuple(args) in BARE_GROUPS:
        # A group without its subcommand: its help (Usage, the subcommands) on stderr, exit 2,
        # as click ≥ 8.2 does — a request for help, not an error line.
        assert result.exit_code == 2, shown
        assert result.stderr.startswith("Usage: "), shown
        assert "Commands:" in result.stderr, shown
        return
    # One line as a terminal shows it: no line feed or carriage return inside it.
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, shown
    assert "\r" not in result.stderr, shown
    assert result.stderr.startswith("Error: "), shown


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(args=argv())
def test_no_argument_list_makes_the_cli_show_a_traceback(template, monkeypatch, args):
    monkeypatch.delenv("DOUDI_DB", raising=False)
    monkeypatch.delenv("DOUDI_LOAD_PLUGINS", raising=False)
    with tempfile.TemporaryDirectory() as work, contextlib.chdir(work):
        for item in template.iterdir():
            shutil.copy(item, Path(work) / item.name)
        result = CliRunner().invoke(cli, args, env={"DOUDI_DB": "default.db"})
        check(result, args)
        if result.exit_code != 0:
            # A failed command writes nothing: the database and the files are as they were,
            # and no database was left behind.
            assert dump_file("cases.db") == template_dump(template), args
            left = {p.name for p in Path(work).iterdir()} - {"cases.db-wal", "cases.db-shm"}
            assert left == {p.name for p in template.iterdir()}, args
            assert Path("notes.txt").read_bytes() == (template / "notes.txt").read_bytes()


@functools.cache
def template_dump(template):
    return dump_file(str(template / "cases.db"))


@pytest.mark.parametrize("words", sorted(BARE_GROUPS))
def test_a_group_without_its_subcommand_prints_its_help_and_exits_2(words):
    result = CliRunner().invoke(cli, list(words))
    check(result, list(words))
    if not hasattr(click.exceptions, "NoArgsIsHelpError"):  # click 8.1: help on stdout, exit 0
        assert result.exit_code == 0 and result.stdout.startswith("Usage: ")
        return
    assert result.exit_code == 2
    assert not result.stderr.startswith("Error")


def test_bad_json_on_standard_input_is_one_line(tmp_path):
    """Found by the fuzz test: `assess -` given bad JSON on a standard input without a name
    (as a host embedding the CLI may give it) raised AttributeError in the error's own
    message."""
    result = CliRunner().invoke(cli, ["assess", "-", "--province", "shanxi"], input=b'{"x":')
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: -: not valid JSON (Expecting value")
    assert result.stderr.count("\n") == 1
