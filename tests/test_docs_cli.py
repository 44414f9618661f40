"""docs/cli.md against the command itself: its synopsis names every command and every option
of each (as ``--help`` lists them), and no option that the command does not take."""
import re
from pathlib import Path

import click

from engine.cli import cli

DOC = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
SYNOPSIS = DOC.split("```\n")[1]


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(cli))


def _chunks() -> dict[str, str]:
    """Each command's synopsis line and the indented lines under it."""
    chunks: dict[str, str] = {}
    current = None
    for line in SYNOPSIS.splitlines():
        if line.startswith("doudi "):
            words = line.split()[1:]
            current = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in COMMANDS),
                           None)
            if current is not None:
                chunks[current] = ""
        if current is not None:
            chunks[current] += line + "\n"
    return chunks


def _documented(name: str, chunk: str) -> set[str]:
    options = set(re.findall(r"--[a-z][a-z-]*", chunk))
    if "[filters]" in chunk:  # report at-risk: the filters of report breaches
        options |= {"--province", "--workflow", "--county"}
    # the note under `case fire`: "`case open`, `fire`, `accept`, `assess`, `correct` and
    # `parameter set|unset` also take --actor TEXT"
    if name in {"case open", "case accept", "case assess", "case correct", "parameter set",
                "parameter unset"}:
        options.add("--actor")
    return options - {"--db"}  # every command's, said once above the synopsis


def test_every_command_is_in_the_synopsis():
    assert set(COMMANDS) - set(_chunks()) == set()


def test_every_option_documented_and_none_that_does_not_exist():
    chunks = _chunks()
    for name, command in COMMANDS.items():
        options = {o for p in command.params for o in getattr(p, "opts", ()) if o.startswith("--")}
        options -= {"--help", "--db"}
        documented = _documented(name, chunks[name])
        assert (name, sorted(options - documented)) == (name, [])
        assert (name, sorted(documented - options)) == (name, [])


def _documented_keys(name: str) -> set[str]:
    """The keys of the first JSON object the synopsis gives under command ``name``."""
    chunk = _chunks()[name]
    return set(re.findall(r'"([a-z_]+)"', chunk[chunk.index("{"):chunk.index("}")]))


def test_the_json_shapes_in_the_synopsis_are_what_the_commands_print(tmp_path):
    """Each object the synopsis spells out has exactly the keys the command prints (found by
    review: `calendar due --explain --format json` adds "explain", which the page left out)."""
    import json

    from click.testing import CliRunner

    db = str(tmp_path / "d.db")

    def printed(*args):
        result = CliRunner().invoke(cli, [*args, "--format", "json", "--db", db])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert set(printed("calendar", "due", "2026-03-03", "3wd")) == _documented_keys("calendar due")
    explained = set(printed("calendar", "due", "2026-03-03", "3wd", "--explain"))
    assert explained - _documented_keys("calendar due") == {"explain"}
    assert '"explain"' in _chunks()["calendar due"]
    run = CliRunner().invoke
    assert run(cli, ["demo", "--db", db, "--as-of", "2026-06-30", "--cases", "40"]).exit_code == 0
    for args in (["case", "open", "--province", "shanxi", "--workflow", "benefit", "--id", "B",
                  "--on", "2026-01-10", "--set", "amount=900", "--set", "paid_from=2026-02"],
                 ["case", "fire", "B", "fraud_found", "--on", "2026-05-10",
                  "--set", "since=2026-03-01"]):
        assert run(cli, [*args, "--db", db]).exit_code == 0
    assert run(cli, ["parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                     "--county", "甲县", "--basis", "甲县〔2026〕1号", "--on", "2026-01-05",
                     "--db", db]).exit_code == 0
    for name, args in [("report breaches", ["--as-of", "2026-06-30"]),
                       ("report sanctions", []), ("parameter list", ["--as-of", "2026-06-30"]),
                       ("report unpublished", ["--as-of", "2026-06-30"])]:
        rows = printed(*name.split(), *args)
        assert rows, name
        assert (name, set(rows[0])) == (name, _documented_keys(name))


def test_case_show_json_has_the_keys_the_synopsis_spells_out(tmp_path):
    """`case show --format json`: the object, its history entries and its deadlines have
    exactly the keys the synopsis lists (`payments` only on a case that pays, as it says)."""
    import json

    from click.testing import CliRunner

    chunk = _chunks()["case show"]
    shape = chunk[chunk.index("{"):chunk.index('"links": [...]}') + len('"links": [...]}')]
    history = shape[shape.index('"history": [{'):shape.index("}]")]
    deadlines = shape[shape.index('"deadlines": [{'):]
    deadlines = deadlines[:deadlines.index("}]")]
    keys = re.compile(r'"([a-z_]+)"')
    entry_keys = set(keys.findall(history[len('"history": [{'):]))
    deadline_keys = set(keys.findall(deadlines[len('"deadlines": [{'):]))
    top = set(keys.findall(shape.replace(history, '"history"').replace(deadlines, '"deadlines"')))

    db = ["--db", str(tmp_path / "d.db")]
    run = CliRunner().invoke
    for args in (["case", "open", "--province", "shanxi", "--id", "A", "--on", "2026-03-02"],
                 ["case", "fire", "A", "accept", "--on", "2026-03-03"],
                 ["case", "open", "--province", "shanxi", "--workflow", "benefit", "--id", "B",
                  "--on", "2026-01-10", "--set", "amount=900", "--set", "paid_from=2026-02"]):
        assert run(cli, [*args, *db]).exit_code == 0
    for case_id, extra in (("A", set()), ("B", {"payments"})):
        shown = json.loads(run(cli, ["case", "show", case_id, "--format", "json", *db]).stdout)
        assert set(shown) == top | extra
        assert {frozenset(h) for h in shown["history"]} == {frozenset(entry_keys)}
        assert shown["deadlines"]
        assert {frozenset(d) for d in shown["deadlines"]} == {frozenset(deadline_keys)}
    assert {"id", "as_of", "links"} <= top and {"corrects", "derived"} <= entry_keys
    assert {"subject", "computation"} <= deadline_keys


def test_calendar_due_explain_is_a_list_of_lines_and_not_csv_as_the_synopsis_says(tmp_path):
    """Found by review: the page said "explain" held the lines "as text", read as one string,
    where the JSON holds a list of them, and said nothing of --explain with --format csv,
    which is refused (exit 2)."""
    import json

    from click.testing import CliRunner

    chunk = _chunks()["calendar due"]
    assert '"explain": the lines of the day-by-day count, a list of strings' in chunk
    assert "--explain with --format\n    csv is refused, exit 2" in chunk
    run = CliRunner().invoke
    args = ["calendar", "due", "2026-03-02", "1wd", "--explain", "--db", str(tmp_path / "d.db")]
    shown = json.loads(run(cli, [*args, "--format", "json"]).stdout)
    # 1wd from Mon 2026-03-02: the start day not counted (第201条), due Tue 03-03
    assert shown["due"] == "2026-03-03"
    assert isinstance(shown["explain"], list) and len(shown["explain"]) == 3
    assert all(isinstance(line, str) for line in shown["explain"])
    assert shown["explain"][1].strip().startswith("2026-03-03 周二 工作日")
    refused = run(cli, [*args, "--format", "csv"])
    assert refused.exit_code == 2 and "--explain" in refused.output


def test_case_fire_json_is_the_case_as_of_the_event_as_the_synopsis_says(tmp_path):
    """Found by review: the page gave `case fire` a --format json and never said what it
    prints: the case in `case show`'s shape, its deadlines judged as of the event's date."""
    import json

    from click.testing import CliRunner

    assert "--format json: the case as the event left it, in the shape of `case show`" in (
        _chunks()["case fire"])
    db = ["--db", str(tmp_path / "d.db")]
    run = CliRunner().invoke
    assert run(cli, ["case", "open", "--province", "shanxi", "--id", "A", "--on", "2026-03-02",
                     *db]).exit_code == 0
    fired = json.loads(run(cli, ["case", "fire", "A", "accept", "--on", "2026-03-02",
                                 "--format", "json", *db]).stdout)
    shown = json.loads(run(cli, ["case", "show", "A", "--format", "json", *db]).stdout)
    assert set(fired) == set(shown)
    assert fired["as_of"] == "2026-03-02"
    # investigation_start, 3wd (57号 第15条) from Mon 03-02: due Thu 03-05, within the 3-day
    # window on 03-02 (at_risk); today (2026-12 or later) long breached
    judged = {d["rule"]: (d["due_on"], d["status"]) for d in fired["deadlines"]}
    assert judged["investigation_start"] == ("2026-03-05", "at_risk")
    assert {d["rule"]: d["status"] for d in shown["deadlines"]}["investigation_start"] == "breached"


def test_every_option_that_says_today_says_it_is_the_date_in_china():
    """docs/cli.md: '"today" (the default `--as-of`, and the latest date an event may carry) is
    the date in China (UTC+8), whatever the machine's time zone; `--help` on each explains
    it'. Found by review: `case show --as-of` said "(default: today, …)" and `assess
    --county` "in force today", where every other date says "today in China"."""
    plain = []
    for name, command in COMMANDS.items():
        context = click.Context(command, info_name=name)
        for param in command.params:
            record = param.get_help_record(context) if isinstance(param, click.Option) else None
            if record and "today" in record[1].replace("today in China", ""):
                plain.append((name, record[0], record[1]))
    assert plain == []


def test_the_shapes_of_provinces_report_exceptions_and_report_stations_are_on_the_page(tmp_path):
    """Found by review: the README sends a reader to this page for "each command's output
    shape", and `provinces`, `report exceptions` and `report stations` had none. Each object
    the synopsis now spells out has exactly the keys the command prints: the demo's 江苏
    一事一议 cases for exceptions, and a 天津 village of 201 recipients, more than its 200
    (津民发〔2023〕13号 五(四)), for stations."""
    import json

    from click.testing import CliRunner

    db = ["--db", str(tmp_path / "d.db")]
    run = CliRunner().invoke

    def printed(*args):
        result = run(cli, [*args, "--format", "json", *db])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    keys = re.compile(r'"([a-z_]+)"')
    provinces = _chunks()["provinces"]
    documents = provinces[provinces.index('"documents": [{'):]
    documents = documents[:documents.index("}]") + 2]
    listed = printed("provinces")
    assert {frozenset(p) for p in listed} == {
        frozenset(keys.findall(provinces.replace(documents, '"documents"')))}
    assert {frozenset(d) for p in listed for d in p["documents"]} == {
        frozenset(keys.findall(documents[len('"documents": '):]))}

    assert run(cli, ["demo", *db, "--as-of", "2026-12-01"]).exit_code == 0
    exceptions = printed("report", "exceptions")
    assert any(row["route"] == "一事一议" for row in exceptions)
    assert {frozenset(row) for row in exceptions} == {frozenset(_documented_keys("report exceptions"))}

    assert run(cli, ["case", "open", "--province", "tianjin", "--workflow", "benefit", "--on",
                     "2026-01-05", "--set", "county=和平区", "--set", "village=新村", "--set",
                     "household_size=201", "--set", "amount=1000", "--set", "paid_from=2026-02",
                     *db]).exit_code == 0
    stations = printed("report", "stations")
    assert [(row["village"], row["recipients"], row["threshold"]) for row in stations] == [
        ("新村", 201, 200)]
    assert set(stations[0]) == _documented_keys("report stations")
