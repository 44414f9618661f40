"""Bad surroundings, not bad arguments: a --db that is not a doudi database, a read-only
database, a third-party plugin that raises or answers garbage. Each ends as one line on stderr
naming the culprit, exit 1 (2 for a usage error), no traceback, and nothing written.

(Broken workflow TOML files are covered in test_workflow_load.py.)
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date

import click
import pytest
import sqlite_utils
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.errors import InvalidInput, PluginError, UnknownName, shortened
from engine.plugins import get_plugin_manager
from engine.registry import Registry
from engine.store import Store
from helpers import NAMED, doudi_with_closed, dump_file, error_line, run

# -- a --db that is not a doudi database ---------------------------------------------------------

COMMANDS = [
    ("case", "show", "X-1"),
    ("case", "fire", "X-1", "accept", "--on", "2026-01-28"),
    ("case", "open", "--province", "shanxi", "--on", "2026-01-26"),
    ("case", "advance", "--as-of", "2026-03-01"),
    ("report", "breaches", "--as-of", "2026-03-01"),
    ("report", "sanctions"),
    ("audit", "verify"),
]


def files_in(directory):
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_text_file_as_database_is_refused_by_name_and_left_unchanged(tmp_path, args):
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库 — meeting notes\n", encoding="utf-8")
    before = path.read_bytes()
    result = run(str(path), *args)
    assert result.exit_code == 1, result.output
    line = error_line(result, starts_with="Error: ")
    assert str(path) in line and "is not a doudi database" in line
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["notes.db"]  # no -wal, -shm or journal left behind


def another_programs_database(path, *statements):
    """An SQLite file at ``path`` made by ``statements``, as another program would."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_another_programs_sqlite_database_is_not_migrated_into_a_doudi_one(tmp_path, args):
    """Opening a database migrates it (creates doudi's tables): never on someone else's."""
    path = another_programs_database(tmp_path / "accounts.sqlite",
                                     "create table ledger (id integer primary key, amount real)",
                                     "insert into ledger (amount) values (12.5)")
    before = dump_file(str(path))
    result = run(str(path), *args)
    assert result.exit_code == 1, result.output
    line = error_line(result, starts_with="Error: ")
    assert str(path) in line and "not a doudi one" in line
    assert dump_file(str(path)) == before


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_another_programs_database_with_a_cases_table_is_left_alone_too(tmp_path, args):
    """A table named ``cases`` does not make a database doudi's: its record of its own
    migrations does. The file is not switched to WAL nor given a migrations table."""
    path = another_programs_database(tmp_path / "crm.sqlite", "create table cases (x text)",
                                     "insert into cases values ('a customer case')")
    before = path.read_bytes()
    result = run(str(path), *args)
    assert result.exit_code == 1, result.output
    assert "not a doudi one: not touching it" in error_line(result, starts_with="Error: ")
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["crm.sqlite"]


@pytest.mark.parametrize("spelling", ["//{}", "{}", "./{}"])
def test_the_database_check_holds_however_the_path_is_spelt(tmp_path, monkeypatch, spelling):
    # Found by review: "//tmp/…" was read as a URI with a host, the check's read failed and
    # a report turned another program's database into a doudi one.
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "crm?x#y.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("create table cases (x text)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    given = spelling.format(str(path).lstrip("/") if spelling.startswith("//") else path.name)
    result = run(given, "report", "breaches", "--as-of", "2026-03-01")
    assert result.exit_code == 1, result.output
    assert "not a doudi one: not touching it" in error_line(result, starts_with="Error: ")
    assert path.read_bytes() == before


@pytest.mark.parametrize("args", [a for a in COMMANDS if a[:2] != ("case", "open")],
                         ids=lambda a: " ".join(a[:2]))
def test_an_empty_file_is_no_database_for_a_command_that_only_reads(tmp_path, args):
    """A 0-byte file (made by mktemp, say) is not turned into a database by a report; only a
    command that records makes one there."""
    path = tmp_path / "empty.db"
    path.touch()
    result = run(str(path), *args)
    assert result.exit_code == 1, result.output
    assert error_line(result, starts_with="Error: ") == (
        f"Error: {path} holds no doudi database yet (open a case first, or pass --db)")
    assert path.read_bytes() == b""
    assert files_in(tmp_path) == ["empty.db"]


def test_a_case_opened_on_an_empty_file_makes_it_the_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    result = run(str(path), *COMMANDS[2])
    assert result.exit_code == 0, result.output
    assert run(str(path), "report", "breaches", "--as-of", "2026-01-26").exit_code == 0


def test_the_demo_never_overwrites_a_text_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("keep me\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "1"])
    assert result.exit_code == 1
    assert "not a doudi demo database" in error_line(result, starts_with="Error: ")
    assert path.read_text(encoding="utf-8") == "keep me\n"
    assert files_in(tmp_path) == ["notes.db"]


@pytest.mark.parametrize("command", [["case", "show", "X-1"], ["demo", "--cases", "1"]])
def test_an_empty_db_path_is_a_usage_error(command):
    """``--db ''`` would otherwise fall back to $DOUDI_DB: a command writing to a file it was
    not given (and ``case open``'s clean-up of a failed first command missing it)."""
    result = CliRunner().invoke(cli, [*command, "--db", ""])
    assert result.exit_code == 2
    assert "--db" in error_line(result, starts_with="Error: ")


def test_a_database_in_a_missing_directory_is_one_line_and_creates_nothing(tmp_path):
    path = tmp_path / "no" / "such" / "cases.db"
    opened = run(str(path), "case", "open", "--province", "shanxi", "--on", "2026-01-26")
    assert opened.exit_code == 1
    assert str(path) in error_line(opened, starts_with="Error: ")
    demo = CliRunner().invoke(cli, ["demo", "--db", str(path), "--cases", "1"])
    assert demo.exit_code == 1
    assert str(path) in error_line(demo, starts_with="Error: ")
    assert files_in(tmp_path) == []


def test_a_database_name_too_long_for_the_file_system_is_one_line_and_creates_nothing(tmp_path):
    # (found by the CLI fuzz: os.replace's "File name too long" was a traceback)
    path = tmp_path / ("長" * 300)
    opened = run(str(path), "case", "open", "--province", "shanxi", "--on", "2026-01-26")
    assert opened.exit_code == 1
    assert error_line(opened, starts_with="Error: ").endswith(
        ": the database cannot be created (File name too long)")
    assert files_in(tmp_path) == []


# -- a read-only database ------------------------------------------------------------------------


@pytest.fixture
def one_case(tmp_path):
    path = str(tmp_path / "cases.db")
    engine = Engine.open(path)
    engine.open_case(province="shanxi", on=date(2026, 1, 26), case_id="RO-1")
    engine.store.db.close()
    return path


def test_a_read_only_connection_reads_and_refuses_to_write_in_one_line(one_case, monkeypatch):
    """SQLite's own read-only mode (``?mode=ro``), which holds for root too: what a user
    without write permission gets. Reads work; a write is one line, exit 1, nothing written."""

    def read_only(cls, path, durability="full"):
        return cls(sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True)))

    monkeypatch.setattr(Store, "open", classmethod(read_only))
    before = dump_file(one_case)
    shown = run(one_case, "case", "show", "RO-1")
    assert shown.exit_code == 0, shown.output
    assert run(one_case, "report", "breaches", "--as-of", "2026-03-01").exit_code == 0
    for args in (("case", "fire", "RO-1", "accept", "--on", "2026-01-28"),
                 ("case", "open", "--province", "shanxi", "--on", "2026-01-26")):
        result = run(one_case, *args)
        assert result.exit_code == 1, result.output
        assert "readonly database" in error_line(result, starts_with="Error: ")
    assert dump_file(one_case) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through 0o444: file permissions "
                    "cannot make a database read-only for root (see the ?mode=ro test above)")
def test_a_read_only_database_file_refuses_writes_in_one_line(one_case):
    os.chmod(one_case, 0o444)
    try:
        before = dump_file(one_case)
        result = run(one_case, "case", "fire", "RO-1", "accept", "--on", "2026-01-28")
        assert result.exit_code == 1, result.output
        error_line(result, starts_with="Error: ")
        assert dump_file(one_case) == before
        # Reading may or may not be possible (WAL needs its -shm file): never a traceback.
        shown = run(one_case, "case", "show", "RO-1")
        assert shown.exit_code in (0, 1), shown.output
        if shown.exit_code:
            error_line(shown, starts_with="Error: ")
    finally:
        os.chmod(one_case, 0o644)


def test_as_root_file_permissions_do_not_make_a_database_read_only(one_case):
    """What does apply as root, stated rather than skipped: a 0o444 file is still written."""
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    os.chmod(one_case, 0o444)
    try:
        result = run(one_case, "case", "fire", "RO-1", "accept", "--on", "2026-01-28")
        assert result.exit_code == 0, result.output
    finally:
        os.chmod(one_case, 0o644)


# -- a third-party plugin that raises or answers garbage ----------------------------------------
# (``install``, in conftest.py, lays out a throwaway plugin registering 海南 "hainan")

RAISES = '''
@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan":
        raise RuntimeError("boom: parameters table missing")
'''


def test_a_plugin_hook_that_raises_is_one_line_naming_the_plugin(install, db):
    install(RAISES)
    shown = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert shown.exit_code == 1, shown.output
    line = error_line(shown, starts_with="Error: ")
    assert NAMED in line
    assert "doudi_parameters" in line and "RuntimeError: boom: parameters table missing" in line
    opened = run(db, "case", "open", "--province", "hainan", "--on", "2026-01-26")
    assert opened.exit_code == 1
    assert NAMED in error_line(opened, starts_with="Error: ")
    assert not os.path.exists(db)  # a failed first command leaves no database
    # The broken plugin does not take the other provinces down with it.
    assert run(db, "case", "open", "--province", "shanxi", "--on", "2026-01-26").exit_code == 0


def test_a_plugin_that_raises_while_registering_is_one_line_naming_it(install):
    install('''
    @hookimpl
    def doudi_register_guards(register):
        raise KeyError("no such table")
    ''')
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1
    line = error_line(result, starts_with="Error: ")
    assert NAMED in line and "doudi_register_guards" in line and "KeyError" in line


def test_a_plugin_that_fails_to_import_is_one_line_naming_it(install):
    install("raise ImportError('needs libfoo')\n")
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1
    line = error_line(result, starts_with="Error: ")
    assert "plugin 'broken'" in line and "needs libfoo" in line


def test_a_plugin_that_raises_inside_an_event_names_itself_and_writes_nothing(install, db):
    """doudi_phaseout_schedule runs inside ``income_exceeds`` (a firstresult hook, called
    through pluggy directly): the failure names the plugin and the event is not recorded."""
    install('''
    @hookimpl
    def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
        if province == "hainan":
            return 1 / 0
    ''')
    opened = run(db, "case", "open", "--province", "hainan", "--workflow", "benefit",
                 "--on", "2026-01-05", "--set", "amount=900", "--set", "paid_from=2026-02")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    before = dump_file(db)
    fired = run(db, "case", "fire", case_id, "income_exceeds", "--on", "2026-03-02",
                "--set", "per_capita_income=1200", "--set", "standard=900")
    assert fired.exit_code == 1, fired.output
    line = error_line(fired, starts_with="Error: ")
    assert NAMED in line and "doudi_phaseout_schedule" in line and "ZeroDivisionError" in line
    assert dump_file(db) == before


def test_a_plugin_guard_or_effect_that_raises_names_the_plugin(install):
    install('''
    @hookimpl
    def doudi_register_guards(register):
        register("hainan_ledger_checked", lambda ctx: ctx.no_such_field)

    @hookimpl
    def doudi_register_effects(register):
        register("hainan_notify", lambda ctx, outcome: {}["x"])
    ''')
    registry = Registry(get_plugin_manager()).load()
    with pytest.raises(PluginError, match=r"plugin 'broken' \(doudi_broken 1\.0\) failed in "
                       r"guard 'hainan_ledger_checked': AttributeError"):
        registry.guards["hainan_ledger_checked"](object())
    with pytest.raises(PluginError, match=r"failed in effect 'hainan_notify': KeyError"):
        registry.effects["hainan_notify"](object(), object())


GARBAGE = {
    "patches-not-patch": ("doudi_workflow_patches", '["x"]', "'x'"),
    "patches-not-list": ("doudi_workflow_patches", "5", "5"),
    "parameters-not-parameter": ("doudi_parameters", '["total=25wd"]', "'total=25wd'"),
    "parameters-a-dict": ("doudi_parameters", '{"total": "25wd"}', "{'total': '25wd'}"),
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_a_plugin_hook_that_returns_garbage_is_a_plugin_error_naming_it(install, case):
    hook, value, shown = GARBAGE[case]
    install(f'''
    @hookimpl
    def {hook}(province, workflow):
        if province == "hainan":
            return {value}
    ''')
    with pytest.raises(PluginError) as caught:
        Registry(get_plugin_manager()).load().workflow("hainan", "dibao")
    message = str(caught.value)
    assert message.startswith(f"{NAMED} returned {shown} from {hook}, not a list of")
    result = CliRunner().invoke(cli, ["workflow", "show", "dibao", "--province", "hainan"])
    assert result.exit_code == 1
    assert error_line(result, starts_with="Error: ") == f"Error: {message}"


@pytest.mark.parametrize("value", ['"x"', '["x"]'])
def test_a_calendar_overlay_hook_that_returns_garbage_names_the_plugin(install, value):
    install(f'''
    @hookimpl
    def doudi_calendar_overlays(province, county):
        if province == "hainan":
            return {value}
    ''')
    result = CliRunner().invoke(cli, ["calendar", "due", "2026-03-02", "3wd",
                                      "--province", "hainan"])
    assert result.exit_code == 1
    line = error_line(result, starts_with="Error: ")
    assert NAMED in line and "doudi_calendar_overlays" in line and "CalendarOverlay" in line


FORGETFUL = {  # a plugin that forgot "if province != CODE: return None"
    "doudi_parameters": ('''
    from engine import Parameter

    @hookimpl
    def doudi_parameters(province, workflow):
        return [Parameter("total", "25wd", "琼民规〔2099〕1号 四")]
    ''', ["workflow", "show", "dibao", "--province", "shanxi"]),
    "doudi_assessment_rules": ('''
    @hookimpl
    def doudi_assessment_rules(province, parameters):
        from engine.assessment import AssessmentRules
        return AssessmentRules()
    ''', ["assess", "HOUSEHOLD", "--province", "shanxi"]),
}


@pytest.mark.parametrize("hook", sorted(FORGETFUL))
def test_a_plugin_that_answers_for_another_province_is_one_line_naming_it(install, db, tmp_path,
                                                                          hook):
    source, args = FORGETFUL[hook]
    install(source)
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    result = run(db, *[str(household) if a == "HOUSEHOLD" else a for a in args])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (
        f"Error: {NAMED} answered {hook} for province 'shanxi', registered by 'shanxi': a "
        "plugin answers only for its own provinces")
    # Its own province it may answer for.
    own = run(db, *[str(household) if a == "HOUSEHOLD" else a.replace("shanxi", "hainan")
                    for a in args])
    assert own.exit_code == 0, own.output


def test_a_plugin_named_like_a_built_in_one_is_still_held_to_its_own_provinces(install, db,
                                                                              tmp_path):
    install(FORGETFUL["doudi_assessment_rules"][0], entry="doudi.rogue")
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    result = run(db, "assess", str(household), "--province", "shanxi")
    assert result.exit_code == 1, result.output
    assert "plugin 'doudi.rogue' (doudi_broken 1.0) answered doudi_assessment_rules for " \
           "province 'shanxi'" in error_line(result)


def test_a_hook_wrapper_observes_first_answer_hooks_and_tracing_shows_them(install, db, tmp_path):
    install('''
    @hookimpl(hookwrapper=True)
    def doudi_assessment_rules(province, parameters):
        yield
    ''')
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    result = run(db, "assess", str(household), "--province", "shanxi",
                 env={"DOUDI_TRACE_PLUGINS": "1"})
    assert result.exit_code == 0, result.output
    assert "doudi_assessment_rules" in result.stderr


def test_tracing_in_a_command_started_without_stderr_records_the_event(db, tmp_path,
                                                                       monkeypatch):
    # Found by review: with DOUDI_TRACE_PLUGINS=1, `doudi case assess … 2>&-` (a cron job's)
    # wrote the trace to the missing stderr: exit 1, nothing recorded, no word anywhere.
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    for event in ("accept", "start_investigation"):
        engine.fire("C1", event, on=date(2026, 3, 3))
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    monkeypatch.setenv("DOUDI_TRACE_PLUGINS", "1")
    done = doudi_with_closed(2, "case", "assess", "C1", str(household), "--on", "2026-03-03",
                             "--db", db)
    assert done.returncode == 0
    assert done.stdout == "C1: per capita 0, standard 900 → dibao\n"
    assert [e.event for e in Engine.open(db).store.history("C1")][-1] == "assess"


WRAPPERS = {  # a hook wrapper's body, and what the error line says after the plugin's name
    "raises-before": ("wrapper=True", 'raise RuntimeError("no log file")\n    return (yield)',
                      " failed in doudi_assessment_rules (a hook wrapper): RuntimeError: no log "
                      "file"),
    "raises-after": ("wrapper=True", 'yield\n    raise KeyError("k")',
                     " failed in doudi_assessment_rules (a hook wrapper): KeyError: 'k'"),
    "old-style-raises-after": ("hookwrapper=True", "yield\n    1 / 0",
                               " failed in doudi_assessment_rules (a hook wrapper): "
                               "ZeroDivisionError: division by zero"),
    # (pluggy's new-style wrapper gives the answer it returns: a bare yield gave None)
    "forgets-return": ("wrapper=True", "yield",
                       " hook wrapper doudi_assessment_rules changed the answer from "
                       "AssessmentRules to None: a hook wrapper observes the call (return "
                       "(yield)), it does not answer"),
    "answers": ("wrapper=True", 'yield\n    return {"single_person": True}',
                " hook wrapper doudi_assessment_rules changed the answer from AssessmentRules "
                "to dict: "),
    "old-style-forces": ("hookwrapper=True", 'outcome = yield\n    '
                         'outcome.force_result({"single_person": True})',
                         " hook wrapper doudi_assessment_rules changed the answer from "
                         "AssessmentRules to dict: "),
}


@pytest.mark.parametrize("mistake", sorted(WRAPPERS))
def test_a_hook_wrapper_that_fails_or_changes_the_answer_names_the_plugin(install, db, tmp_path,
                                                                         mistake):
    """A wrapper that raised ended ``assess`` in a traceback; one that answered in the
    province's place (or, new style, forgot ``return (yield)`` and gave None) bypassed the
    checks of the answer: a dict or None taken for a province's AssessmentRules, or another
    province's rules changed, whichever province was asked."""
    kind, body, shown = WRAPPERS[mistake]
    install(f"@hookimpl({kind})\ndef doudi_assessment_rules(province, parameters):\n"
            f"    {body}\n")
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    result = run(db, "assess", str(household), "--province", "shanxi")
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: {NAMED}{shown}"), result.stderr
    assert result.stdout == ""


def test_a_new_style_hook_wrapper_that_returns_what_it_was_given_observes(install, db, tmp_path):
    install('''
    import sys
    @hookimpl(wrapper=True)
    def doudi_assessment_rules(province, parameters):
        print("asked for", province, file=sys.stderr)
        return (yield)
    ''')
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    result = run(db, "assess", str(household), "--province", "shanxi")
    assert result.exit_code == 0, result.output
    assert "asked for shanxi" in result.stderr


ANSWER_ONCE = {
    "assessment_rules": ('''
    @hookimpl
    def doudi_assessment_rules(province, parameters):
        if province == "hainan":
            return {"single_person": True}
    ''', "doudi_assessment_rules", "{'single_person': True}", "AssessmentRules"),
    "place_rules": ('''
    @hookimpl
    def doudi_place_rules(province, parameters):
        if province == "hainan":
            return "county"
    ''', "doudi_place_rules", "'county'", "PlaceRules"),
    "phaseout": ('''
    @hookimpl
    def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
        if province == "hainan":
            return [1.0, 1.0, 0.5]
    ''', "doudi_phaseout_schedule", "[1.0, 1.0, 0.5]", "PhaseOut"),
}


@pytest.mark.parametrize("case", sorted(ANSWER_ONCE))
def test_a_first_answer_hook_that_answers_garbage_is_one_line_naming_the_plugin(install, db,
                                                                                tmp_path, case):
    source, hook, shown, kind = ANSWER_ONCE[case]
    install(source)
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "members": [{"id": "a", "age": 40}]}')
    residence = tmp_path / "residence.json"
    residence.write_text('{"members": [{"id": "a", "registered_in": "x", "lives_in": "x"}]}')
    opened = run(db, "case", "open", "--province", "hainan", "--on", "2026-01-05",
                 *(["--workflow", "benefit", "--set", "amount=900", "--set", "paid_from=2026-02"]
                   if case == "phaseout" else ["--set", "county=x"]))
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    before = dump_file(db)
    calls = {
        "assessment_rules": ["assess", str(household), "--province", "hainan"],
        "place_rules": ["case", "accept", case_id, str(residence), "--on", "2026-01-05"],
        "phaseout": ["case", "fire", case_id, "income_exceeds", "--on", "2026-03-02",
                     "--set", "per_capita_income=1200", "--set", "standard=900"],
    }
    result = run(db, *calls[case])
    assert result.exit_code == 1, result.output
    assert error_line(result) == (f"Error: {NAMED} returned {shown} from {hook}, not an "
                                  f"instance of {kind}")
    assert dump_file(db) == before


@pytest.mark.parametrize("args", [
    ["provinces"], ["calendar", "due", "2025-01-20", "10wd"],
    ["workflow", "show", "dibao", "--province", "shanxi"],
])
def test_every_command_takes_db_even_where_it_reads_none(tmp_path, args):
    # contract.md: "Every command takes --db PATH"; a script passing it to all of them
    # failed on these with "No such option". Accepted, and nothing is created.
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path) == []


def test_an_empty_read_only_file_is_said_to_hold_no_database_not_an_old_one(tmp_path,
                                                                             monkeypatch):
    """Found by review: a 0-byte --db on a read-only place was "read-only, and made by an
    older doudi: open it once where it can be written". It holds no database at all.
    (SQLite's refusal to write is what a non-root user gets; root is refused the same way.)"""
    path = tmp_path / "empty.db"
    path.touch()

    def refuses_to_write(self, db, durability="full"):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "__init__", refuses_to_write)
    result = run(str(path), "case", "open", "--province", "shanxi", "--on", "2026-01-26")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {path} holds no doudi database, and is read-only: "
                                  "give --db a file where one can be made")
    assert path.read_bytes() == b""


# -- a file to read given as -, stdin closed ----------------------------------------------------


@pytest.mark.parametrize("command, shown", [
    (["assess", "-", "--province", "shanxi"], "HOUSEHOLD_FILE"),
    (["case", "accept", "C1", "-", "--on", "2026-03-03"], "[RESIDENCE_FILE]"),
    (["case", "assess", "C1", "-", "--on", "2026-03-03"], "HOUSEHOLD_FILE"),
    (["case", "fire", "C1", "accept", "--data", "-", "--on", "2026-03-03"], "--data"),
    (["case", "correct", "C1", "0", "--data", "-", "--on", "2026-03-03", "--reason", "x"],
     "--data"),
    (["audit", "verify", "--heads", "-"], "--heads"),
])
def test_a_file_read_from_stdin_started_without_stdin_is_one_line_and_nothing_written(db, command,
                                                                                      shown):
    # Found by review: `doudi assess - <&-` (a cron job's, a daemon's) ended in click's
    # RuntimeError traceback (sys.stdin is None), `audit verify --heads - <&-` in an
    # AttributeError, as `doudi import - <&-` did.
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1",
                              attributes={"county": "甲县"})
    before = dump_file(db)
    done = doudi_with_closed(0, *command, "--db", db)
    assert done.returncode == 2
    assert done.stderr == (f"Error: Invalid value for '{shown}': stdin is closed: nothing to "
                           "read (give the file, or pipe it in)\n")
    assert dump_file(db) == before


def test_a_file_failing_half_read_by_a_command_started_without_stdout_is_one_line(db):
    # Found by review: `doudi audit verify --heads F >&-`, F failing to be read (a bad disk;
    # /proc/self/mem here), said so and then ended in a traceback: the error's path pointed
    # the missing stdout at /dev/null.
    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    done = doudi_with_closed(1, "audit", "verify", "--heads", "/proc/self/mem", "--db", db)
    assert done.returncode == 1
    assert done.stderr == "Error: /proc/self/mem could not be read at line 1: Input/output error\n"


# -- options that were silently ignored or taken as given ----------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["workflow", "show", "dibao", "--province", "shanxi", "--as-of", "2026-01-01"],
     "Error: --as-of is read only with --county (the county's settings in force that day); "
     "the province's workflow has no date"),
    (["parameter", "list", "--history", "--as-of", "2026-01-01"],
     "Error: --as-of does not apply to --history, which lists every setting recorded, "
     "whatever its date"),
    (["parameter", "list", "--as-of", "2017-01-01"],
     "Error: 2017-01-01 is outside the calendar (2018-01-01 to 2060-12-31)"),
    (["parameter", "list", "--as-of", "2099-01-01"],
     "Error: 2099-01-01 is outside the calendar (2018-01-01 to 2060-12-31)"),
])
def test_an_option_that_would_be_ignored_or_a_date_outside_the_calendar_is_refused(db, args,
                                                                                  message):
    """Found by review: each was accepted, and the output did not depend on it."""
    Engine.open(db).store.db.close()
    result = run(db, *args)
    assert result.exit_code == 2, result.output
    assert error_line(result) == message


@pytest.mark.parametrize("args", [
    ["case", "open", "--province", "shanxi", "--on", "2026-01-26", "--actor", ""],
    ["case", "fire", "X-1", "accept", "--on", "2026-01-28", "--actor", " "],
    ["case", "fire", "X-1", "extend", "--on", "2026-01-28", "--reason", ""],
    ["case", "correct", "X-1", "1", "--on", "2026-01-28", "--reason", " "],
    ["parameter", "set", "investigation_start", "2wd", "--province", "shanxi", "--county", "甲县",
     "--basis", "甲县〔2026〕1号", "--actor", ""],
], ids=lambda a: " ".join(a[:2] + a[-2:-1]))
def test_a_blank_actor_or_reason_is_refused_not_recorded(tmp_path, args):
    """Found by review: `--actor ''` and `--reason ''` were saved as ''."""
    path = str(tmp_path / "cases.db")
    engine = Engine.open(path)
    engine.open_case(province="shanxi", on=date(2026, 1, 26), case_id="X-1")
    engine.store.db.close()
    before = dump_file(path)
    result = run(path, *args)
    assert result.exit_code == 2, result.output
    option = args[-2]
    assert error_line(result) == (f"Error: Invalid value for '{option}': must not be blank "
                                  "(leave the option out for none)")
    assert dump_file(path) == before


def _value_options(group, path=()):
    """(command path, option) for every option of every command that takes one value."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _value_options(command, (*path, name))
            continue
        for param in command.params:
            if isinstance(param, click.Option) and not (param.multiple or param.is_flag):
                yield (*path, name), param.opts[0]


@pytest.mark.parametrize(("command", "option"), list(_value_options(cli)),
                         ids=lambda x: " ".join(x) if isinstance(x, tuple) else x)
def test_an_option_that_takes_one_value_given_twice_is_a_usage_error(tmp_path, command, option):
    """Found by review: `--on 2026-03-03 --on 2026-03-04`, `--db a --db b`, `--format json
    --format csv` took the last silently. Every command's one-value options: exit 2, one line
    naming the option, before anything is read or made."""
    path = str(tmp_path / "given-twice.db")
    result = CliRunner().invoke(cli, [*command, option, "x", option, "y"],
                                env={"DOUDI_DB": path})
    assert result.exit_code == 2, result.output
    assert error_line(result) == (f"Error: Option '{option}' is given twice: it takes one "
                                  "value, give it once")
    assert files_in(tmp_path) == []


def test_a_repeated_option_records_nothing_and_set_still_gathers_values(tmp_path):
    path = str(tmp_path / "cases.db")
    engine = Engine.open(path)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="X-1")
    engine.store.db.close()
    before = dump_file(path)
    result = run(path, "case", "fire", "X-1", "accept", "--on", "2026-03-03", "--on", "2026-03-04")
    assert result.exit_code == 2, result.output
    assert error_line(result) == ("Error: Option '--on' is given twice: it takes one value, "
                                  "give it once")
    assert dump_file(path) == before
    opened = run(path, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                 "--set", "county=小店区", "--set", "village=东村")
    assert opened.exit_code == 0, opened.output
    assert Engine.open(path).case(opened.stdout.strip()).case.attributes == {
        "county": "小店区", "village": "东村"}


def test_a_blank_doudi_db_is_refused_and_makes_no_file(tmp_path, monkeypatch):
    """Found by review: DOUDI_DB=' ' made a database file named " "."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["case", "open", "--province", "shanxi", "--on",
                                      "2026-01-26"], env={"DOUDI_DB": " "})
    assert result.exit_code == 2
    assert error_line(result) == ("Error: $DOUDI_DB must name a file (it is a blank path, ' '); "
                                  "unset it, or pass --db")
    given = CliRunner().invoke(cli, ["case", "open", "--province", "shanxi", "--on",
                                     "2026-01-26", "--db", "  "])
    assert given.exit_code == 2
    assert error_line(given) == ("Error: Invalid value for '--db': must name a file (got a "
                                 "blank path, '  ')")
    assert files_in(tmp_path) == []


#: Commands that read no database here (calendar due, workflow show and assess read it only
#: with --county): each as it runs with DOUDI_DB unset.
NO_DATABASE = [
    ("--help",),
    ("provinces",),
    ("calendar", "due", "2026-03-02", "30wd"),
    ("workflow", "show", "dibao", "--province", "shanxi"),
    ("assess", "HOUSEHOLD", "--province", "shanxi", "--format", "json"),
]


@pytest.mark.parametrize("args", NO_DATABASE, ids=lambda a: " ".join(a[:2]))
def test_a_folder_in_doudi_db_is_ignored_by_a_command_that_reads_no_database(tmp_path,
                                                                             monkeypatch, args):
    """Found by review: DOUDI_DB naming a folder made `calendar due`, `workflow show` and
    `assess` (without --county) fail, "Invalid value for '--db': File '…' is a directory",
    exit 2, though they never read it; `provinces --db FOLDER` likewise."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "cases"
    folder.mkdir()
    household = tmp_path / "household.json"
    household.write_text('{"standard": 900, "applicant": "a", "members": [{"id": "a", "age": 40, '
                         '"income": {"employment": 300}}]}', encoding="utf-8")
    args = [str(household) if a == "HOUSEHOLD" else a for a in args]
    unset = CliRunner().invoke(cli, args, env={"DOUDI_DB": None})
    assert unset.exit_code == 0, unset.output
    result = CliRunner().invoke(cli, args, env={"DOUDI_DB": str(folder)})
    assert (result.exit_code, result.stdout) == (0, unset.stdout), result.output
    if args[0] != "--help":  # (a command's, not the group's: --db is one of its options)
        given = CliRunner().invoke(cli, [*args, "--db", str(folder)], env={"DOUDI_DB": None})
        assert (given.exit_code, given.stdout) == (0, unset.stdout), given.output
    assert files_in(folder) == []
    assert files_in(tmp_path) == ["cases", "household.json"]


@pytest.mark.parametrize("args", [*COMMANDS, ("calendar", "due", "2026-03-02", "30wd",
                                              "--province", "shanxi", "--county", "甲县")],
                         ids=lambda a: " ".join(a[:2]))
def test_a_folder_in_doudi_db_or_db_is_refused_by_a_command_that_reads_it(tmp_path, args):
    """One line naming where the folder came from, exit 2, nothing made in it (the line said
    "--db" for a folder in $DOUDI_DB)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    result = CliRunner().invoke(cli, args, env={"DOUDI_DB": str(folder)})
    assert result.exit_code == 2, result.output
    assert error_line(result) == (f"Error: $DOUDI_DB must name a file (it is a folder, "
                                  f"{str(folder)!r}); unset it, or pass --db")
    given = CliRunner().invoke(cli, [*args, "--db", str(folder)], env={"DOUDI_DB": None})
    assert given.exit_code == 2, given.output
    assert error_line(given) == (f"Error: Invalid value for '--db': must name a file (got a "
                                 f"folder, {str(folder)!r})")
    assert files_in(folder) == []
    assert files_in(tmp_path) == ["cases"]


def test_an_amount_below_the_fen_is_refused_and_nothing_is_written(db):
    # Amounts are yuan to the fen: 650.005 would be paid as 650.00 or 650.01 and posted in
    # the 公示 as "650.005元". Refused wherever an amount or a standard is given.
    from engine import InvalidInput

    engine = Engine.open(db)
    with pytest.raises(InvalidInput, match=r"^amount is yuan to the fen, at most two decimals, "
                                           r"got 650\.005$"):
        engine.open_case("shanxi", on=date(2026, 3, 2), attributes={"amount": 650.005})
    result = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                 "--set", "amount=650.005")
    assert result.exit_code == 2
    assert "amount is yuan to the fen, at most two decimals, got 650.005" in result.output
    assert engine.store.db.execute("select count(*) from cases").fetchone()[0] == 0
    assert engine.open_case("shanxi", on=date(2026, 3, 2),
                            attributes={"amount": 650.01}).case.attributes["amount"] == 650.01
    with pytest.raises(InvalidInput, match="standard is yuan to the fen"):
        engine.open_case("shanxi", "temporary", on=date(2026, 3, 2),
                         attributes={"standard": 800.125})


@pytest.mark.parametrize("kind", ["another program's", "a newer doudi's"])
def test_a_refused_wal_database_is_left_without_files_beside_it(tmp_path, kind):
    """Found by opening databases made by other versions: the look that refuses a database
    (another program's, or one a newer doudi upgraded) left a shared-memory file and an empty
    log beside it when the database was in WAL mode (as every doudi database is), though it
    said "not touching it": SQLite makes both for any reader of such a file, and a reader
    that may not write cannot remove them. No connection has the file open (no shared
    memory beside it), so it is read as it stands."""
    from engine.schema import migrations

    path = tmp_path / "their.db"
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    if kind == "another program's":
        db["ledger"].insert({"amount": 12.5})
        expected = f"Error: {path} is an SQLite database but not a doudi one: not touching it"
    else:
        migrations.apply(db)
        db[migrations.migrations_table].insert({"migration_set": "doudi", "name": "m099_future",
                                                "applied_at": "2027-01-01 00:00:00"})
        expected = (f"Error: {path} was upgraded by a newer doudi (migration m099_future), "
                    "which this version does not know: upgrade doudi to use it")
    db.close()
    assert files_in(tmp_path) == ["their.db"]
    before = path.read_bytes()
    for args in (("report", "breaches", "--as-of", "2026-03-10"), ("case", "show", "c1")):
        result = run(str(path), *args)
        assert result.exit_code == 1, result.output
        assert error_line(result) == expected
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["their.db"]


SEQ_EXPECTED = "is not an event's seq (a whole number, 0 or more, as `case show` lists it)"
WORKING_DAYS_EXPECTED = "is not a number of working days (a whole number, 0 or more)"


@pytest.mark.parametrize("args, line", [
    (["case", "correct", "C", "x"], f"Error: Invalid value for 'SEQ': 'x' {SEQ_EXPECTED}"),
    (["case", "correct", "C", "1_0"], f"Error: Invalid value for 'SEQ': '1_0' {SEQ_EXPECTED}"),
    (["case", "correct", "C", "#1"], f"Error: Invalid value for 'SEQ': '#1' {SEQ_EXPECTED}"),
    (["case", "correct", "C", "--", "-1"],
     f"Error: Invalid value for 'SEQ': '-1' {SEQ_EXPECTED}"),
    (["case", "correct", "C", "-1", "--on", "2026-03-04", "--reason", "x"],
     f"Error: Invalid value for 'SEQ': '-1' {SEQ_EXPECTED}"),
    (["parameter", "void", "-3", "--basis", "x"],
     "Error: Invalid value for SETTING: '-3' is no setting id (a number, as #3 or 3)"),
    (["case", "show", "C", "--window", "x"],
     f"Error: Invalid value for '--window': 'x' {WORKING_DAYS_EXPECTED}"),
    (["report", "at-risk", "--within", "-2"],
     f"Error: Invalid value for '--within': '-2' {WORKING_DAYS_EXPECTED}"),
    (["import", "-", "--batch", "0"], "Error: Invalid value for '--batch': '0' is not a number "
     "of lines (a whole number, 1 or more)"),
])
def test_a_bad_whole_number_says_what_is_expected(tmp_path, args, line):
    """Found by review: `case correct C x` said click's "Invalid value for 'SEQ': 'x' is not
    a valid integer range." (and "-1 is not in the range x>=0.", while "1_0" was read as
    event 10): the line names what the argument is and what it takes, exit 2, nothing
    written."""
    db = str(tmp_path / "cli.db")
    result = run(db, *args)
    assert result.exit_code == 2
    assert error_line(result) == line
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("args", [
    ["case", "correct", "C", "1", "--on", "2026-03-04", "--reason", "x", "--bogus"],
    ["case", "correct", "C", "--bogus", "1", "--on", "2026-03-04", "--reason", "x"],
    ["calendar", "due", "2026-03-04", "3wd", "--bogus"],
    ["calendar", "due", "--bogus", "2026-03-04", "3wd"],
])
def test_an_unknown_option_is_named_where_a_negative_number_is_an_argument(tmp_path, args):
    """A negative number is an argument (`case correct C -1` reaches SEQ's own check,
    above; `calendar due D -3wd` its duration's): an option no command has is still a usage
    error naming it, exit 2. `calendar due`, which took any unknown option as an argument
    for -3wd, said "Got unexpected extra argument (3wd)" or '"--bogus" is not a date'."""
    result = run(str(tmp_path / "cli.db"), *args)
    assert result.exit_code == 2
    assert error_line(result) == "Error: No such option '--bogus'."
    assert files_in(tmp_path) == []


def test_a_click_without_the_parser_hook_keeps_its_own_line(tmp_path, monkeypatch):
    """negative_numbers_as_arguments reaches into click's parser (``_process_opts``, no
    public hook): a click release without it must leave every command working with click's
    own "No such option" line for ``-1``, not fail at each command's start."""
    from engine.cli import options

    # (click's own parsing goes through the method: it is hidden from the hook alone)
    monkeypatch.setattr(options, "getattr", lambda obj, name, default: default, raising=False)
    result = run(str(tmp_path / "cli.db"), "case", "correct", "C", "-1", "--on", "2026-03-04",
                 "--reason", "x")
    assert result.exit_code == 2
    assert error_line(result) == "Error: No such option '-1'."
    result = run(str(tmp_path / "cli.db"), "calendar", "due", "2026-03-04", "3wd")
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path) == []


def test_a_value_given_at_length_is_shown_by_its_start_and_end_in_the_error_line(db, tmp_path):
    """Found by fuzzing: an import line's case id of 10 MB was echoed whole in the error line
    ("line 1: no case 'xxx…"), and in the --skip-invalid listing, ten megabytes on one line.
    An error line shows at most 4,000 characters of its message: the first 2,000 (the line,
    what is wrong), how many are left out, the last 2,000 (what the import did)."""
    assert run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02").exit_code == 0
    long_id = "甲" * 1_000_000
    path = tmp_path / "long.jsonl"
    line = {"op": "fire", "case_id": long_id, "event": "accept", "on": "2026-03-03"}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    stopped = run(db, "import", str(path))
    assert stopped.exit_code == 1
    message = f"line 1: no case '{long_id}' (import stopped: nothing is imported)"
    left_out = len(message) - 4_000
    assert error_line(stopped) == (f"Error: {message[:2_000]}… ({left_out:,} characters left "
                                   f"out) …{message[-2_000:]}")
    assert "(996,056 characters left out)" in error_line(stopped)
    skipping = run(db, "import", str(path), "--skip-invalid")
    assert skipping.exit_code == 0, skipping.output
    why = f"no case '{long_id}'"  # (996,010 characters left out)
    assert skipping.stdout.splitlines()[0] == (f"skipped line 1: {why[:2_000]}… (996,010 "
                                               f"characters left out) …{why[-2_000:]}")
    # On the command line (at most 128 KiB an argument): the id as repr writes it (\x1b,
    # \n: 4 and 2 characters), 100,014 characters in the message; 1,987 and 1,997 x shown.
    shown = run(db, "case", "show", "\x1b" + "x" * 99_998 + "\n")
    assert shown.exit_code == 1
    assert error_line(shown) == ("Error: no case '\\x1b" + "x" * 1_987 + "… (96,014 characters "
                                 "left out) …" + "x" * 1_997 + "\\n'")
    # A message of 4,000 characters is shown whole.
    whole = run(db, "case", "show", "x" * (4_000 - len("no case ''")))
    assert error_line(whole) == "Error: no case '" + "x" * 3_990 + "'"


def test_the_python_api_quotes_a_value_given_at_length_by_its_start_and_end(db):
    """Found by review: a case id or reason of 2 MB refused by the Python API gave an
    exception whose message quoted it whole, 2 MB on "one line for a person" (the command
    line shortened it only as it printed it). The message is shortened when made, as an error
    line shows it: its first 2,000 and last 2,000 characters, how many are left out between."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    before = dump_file(db)
    long = "x y" * 700_000  # (2,100,000 characters)
    with pytest.raises(InvalidInput) as refused:
        engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=long)
    whole = (f'case id "{long}" must be non-empty, without spaces or invisible characters, and '
             "not start with '-' (character U+0020)")
    assert str(refused.value) == (f"{whole[:2_000]}… ({len(whole) - 4_000:,} characters left out) "
                                  f"…{whole[-2_000:]}")
    with pytest.raises(InvalidInput) as refused:
        engine.fire(case.id, "withdraw", on=date(2026, 3, 3), reason="\x1b" + long)
    whole = f'reason must be printable text, got "\\u001b{long}" (character U+001B)'
    assert str(refused.value) == (f"{whole[:2_000]}… ({len(whole) - 4_000:,} characters left out) "
                                  f"…{whole[-2_000:]}")
    with pytest.raises(UnknownName) as refused:
        engine.fire(long, "accept", on=date(2026, 3, 3))
    assert len(str(refused.value)) == 4_000 + len("… (2,096,010 characters left out) …")
    assert dump_file(db) == before


def test_a_message_made_around_one_shortened_is_shortened_as_the_whole_would_be():
    # An import's "line 1: … (import stopped: …)" around its line's error, shortened when made:
    # shortened again, the characters cut are counted with the first cut, as if the message had
    # been made whole and shortened once.
    inner = "no case '" + "甲" * 1_000_000 + "'"
    outer = f"line 1: {inner} (import stopped: nothing is imported)"
    assert shortened(f"line 1: {shortened(inner)} (import stopped: nothing is imported)") == (
        shortened(outer)) == f"{outer[:2_000]}… (996,056 characters left out) …{outer[-2_000:]}"


# -- a file larger than any doudi reads whole ---------------------------------------------------

# A file given whole (a household's JSON, the members' residence, an event's data: a few KB)
# is read to at most arguments.LARGEST_READ, 8 MiB: beyond, one line naming the file and the
# limit, exit 2, nothing written. `assess /dev/zero` read until memory ran out.
TOO_LARGE = ("larger than 8,388,608 bytes (8 MiB), the most doudi reads of a file given whole (a "
             "calendar's years or a household's JSON are a few KB): is it the file meant?")


@pytest.mark.parametrize("command", [
    ["assess", "{f}", "--province", "shanxi"],
    ["case", "accept", "C1", "{f}", "--on", "2026-03-03"],
    ["case", "assess", "C1", "{f}", "--on", "2026-03-03"],
    ["case", "fire", "C1", "accept", "--data", "{f}", "--on", "2026-03-03"],
    ["case", "correct", "C1", "0", "--data", "{f}", "--on", "2026-03-03", "--reason", "x"],
], ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("source", ["/dev/zero", "big", "-"])
def test_a_json_file_larger_than_the_limit_is_refused_by_name(db, tmp_path, command, source):
    from engine.arguments import LARGEST_READ

    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1",
                              attributes={"county": "甲县"})
    before = dump_file(db)
    # (valid JSON, an object after 8 MiB of spaces: refused for its size alone)
    data = b" " * LARGEST_READ + b"{}"
    name = {"/dev/zero": "/dev/zero", "big": str(tmp_path / "big.json"), "-": "-"}[source]
    if source == "big":
        (tmp_path / "big.json").write_bytes(data)
    result = run(db, *[name if a == "{f}" else a for a in command],
                 input=data if source == "-" else None)
    assert result.exit_code == 2, result.output
    said = name  # (stdin: "-" under click's runner, whose stdin has no name; "<stdin>" in a shell)
    assert error_line(result) == f"Error: {said}: {TOO_LARGE}"
    assert dump_file(db) == before


def test_a_json_file_of_the_limit_is_read(db, tmp_path):
    from engine.arguments import LARGEST_READ

    Engine.open(db).open_case(province="shanxi", on=date(2026, 3, 2), case_id="C1")
    path = tmp_path / "data.json"
    path.write_bytes(b" " * (LARGEST_READ - 2) + b"{}")
    fired = run(db, "case", "fire", "C1", "accept", "--data", str(path), "--on", "2026-03-03")
    assert fired.exit_code == 0, fired.output
