"""Province plugins: found through the ``doudi`` entry-point group, exactly like a third party's.

A province installed as its own distribution (a ``*.dist-info`` with an entry point, placed on
``sys.path`` here) must be found and usable without touching ``engine/``.
"""

from __future__ import annotations

import importlib
import textwrap
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.errors import EventRefused, InvalidInput, PluginError
from engine.plugins import get_plugin_manager
from engine.registry import Registry, assess_household, get_registry

# 海南: 黎族苗族传统节日“三月三” (农历三月初三) is a local day off, an overlay on the national
# calendar. In 2026 it falls on 2026-04-19 (a Sunday) — so the test plugin also declares a
# made-up local working day, to see both kinds of overlay change a count.
HAINAN = '''
from datetime import date
from engine import CalendarOverlay, Document, Parameter, Province, hookimpl

@hookimpl
def doudi_register_provinces(register):
    register(Province("hainan", "海南省", (Document("琼民规〔2099〕1号", "测试文件", None, "draft"),)))

@hookimpl
def doudi_parameters(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [Parameter("total", "25wd", "琼民规〔2099〕1号 第3条")]

@hookimpl
def doudi_calendar_overlays(province, county):
    if province != "hainan":
        return None
    return [CalendarOverlay(
        source="琼民规〔2099〕1号 第9条",
        days_off=[(date(2026, 3, 3), "测试地方假日")],
        working_days=[(date(2026, 3, 7), "测试地方调休上班")],
    )]
'''


def install(site, dist: str, module: str, source: str, entry_name: str) -> None:
    """Lay out an installed distribution on ``site``: its module and its dist-info."""
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[doudi]\n{entry_name} = {module}\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    importlib.invalidate_caches()
    return path


def test_a_separately_installed_province_is_found_and_usable(site, tmp_path):
    install(site, "doudi_hainan", "doudi_hainan", HAINAN, "hainan")
    registry = Registry(get_plugin_manager()).load()
    assert sorted(registry.provinces) == ["hainan", "jiangsu_draft", "shanxi", "tianjin"]
    assert registry.provinces["hainan"].plugin == "hainan"

    engine = Engine.open(str(tmp_path / "cases.db"), registry=registry)
    case = engine.open_case(province="hainan", on=date(2026, 2, 26))
    engine.fire(case.id, "accept", on=date(2026, 2, 27))
    total = next(v for v in engine.deadlines(case.id, as_of=date(2026, 2, 27))
                 if v.deadline.rule == "total")
    # 25 working days from Fri 2026-02-27 (start not counted), with the overlay:
    # 2/28 Sat national make-up day (1); 3/2 M(2) 3/3 local day off — skipped; 3/4 W(3) 3/5(4)
    # 3/6(5) 3/7 Sat local working day(6); 3/9-3/13 (7-11); 3/16-3/20 (12-16); 3/23-3/27
    # (17-21); 3/30 (22) 3/31 (23) 4/1 (24) 4/2 (25) → 2026-04-02.
    assert total.deadline.due_on == date(2026, 4, 2)
    assert total.deadline.citation == "琼民规〔2099〕1号 第3条"
    info = engine.calendar("hainan").day_info(date(2026, 3, 3))
    assert (info.working, info.source) == (False, "琼民规〔2099〕1号 第9条")
    # The national calendar is untouched by the overlay.
    assert engine.calendar().is_working_day(date(2026, 3, 3))


def test_duplicate_province_codes_fail_at_start_up_naming_both_plugins(site):
    clash = HAINAN.replace('Province("hainan"', 'Province("shanxi"')
    install(site, "doudi_clash", "doudi_clash", clash, "clash")
    with pytest.raises(PluginError) as caught:
        Registry(get_plugin_manager()).load()
    message = str(caught.value)
    assert "province code 'shanxi' registered by two plugins" in message
    assert "'shanxi'" in message and "'clash' (doudi_clash 1.0)" in message


@pytest.mark.parametrize("name, other", [("hainan", "doudi_hainan (doudi_hainan 1.0)"),
                                         ("shanxi", "plugins.shanxi (doudi ")])
def test_two_plugins_of_one_name_fail_at_start_up_naming_both(site, name, other):
    """The entry point's name is the plugin's: a second distribution giving the same name (a
    fork of a province, or a third party's ``shanxi``) was passed over without a word, as if
    it were the first seen twice on sys.path, and which one ran followed sys.path."""
    if name == "hainan":
        install(site, "doudi_hainan", "doudi_hainan", HAINAN, "hainan")
    fork = HAINAN.replace('Province("hainan"', 'Province("qionghai"').replace(
        'province == "hainan"', 'province == "qionghai"').replace(
        'province != "hainan"', 'province != "qionghai"')
    install(site, "doudi_fork", "doudi_fork", fork, name)
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    message = str(caught.value)
    assert message.startswith(f"plugin name {name!r} is given by two installed plugins: ")
    assert other in message and "doudi_fork (doudi_fork 1.0)" in message
    assert message.endswith("the entry point's name is the plugin's, so each needs its own "
                            "(rename one, or uninstall it)")
    get_registry.cache_clear()  # (as a new process: not the registry an earlier test made)
    result = CliRunner().invoke(cli, ["provinces"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.parametrize("package, listed_in", [("workflows", "top_level.txt"),
                                                ("plugins", "RECORD")])
def test_a_plugin_installing_a_package_named_as_doudi_s_own_stops_start_up(site, package,
                                                                           listed_in):
    """A plugin shipping its own ``workflows/dibao.toml`` (or laid out as the repository is,
    ``plugins/hainan/``) installs a top-level package of the name doudi's is: whichever Python
    found first was used, so doudi's workflows were replaced without a word (or the shipped
    provinces failed to load, each blamed in turn)."""
    install(site, "doudi_hainan", "doudi_hainan", HAINAN, "hainan")
    info = site / "doudi_hainan-1.0.dist-info"
    if listed_in == "top_level.txt":  # (setuptools writes it, for an editable install too)
        (info / "top_level.txt").write_text(f"doudi_hainan\n{package}\n")
    else:  # (what any wheel's installer writes)
        (info / "RECORD").write_text(f"doudi_hainan.py,,\n{package}/__init__.py,,\n"
                                     f"{package}/dibao.toml,,\n")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    assert str(caught.value) == (
        f"plugin 'hainan' (doudi_hainan 1.0) installs a package named {package!r}, which is "
        "doudi's own: Python imports one of the two, so it would replace doudi's (a plugin's "
        "code is a package of its own name, as doudi_hainan, and it changes a workflow with "
        "doudi_workflow_patches; see docs/provinces.md)")
    (info / listed_in).write_text("doudi_hainan\n" if listed_in == "top_level.txt"
                                  else "doudi_hainan.py,,\n")
    assert "hainan" in Registry(get_plugin_manager()).load().provinces


def test_a_plugin_implementing_no_hook_stops_start_up_naming_it(site):
    """An entry point naming a package whose hooks are in a module it does not import (an
    empty ``doudi_hainan/__init__.py`` beside ``hooks.py``) loaded nothing without a word: the
    province was missing, "unknown province 'hainan'" to every command."""
    # (a module name of its own: sys.modules keeps the doudi_hainan other tests load)
    install(site, "doudi_hainan", "doudi_hainan_hooks_elsewhere",
            '"""海南 (the hooks are in hooks.py)."""\n', "hainan")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    assert str(caught.value) == (
        "plugin 'hainan' (doudi_hainan 1.0): doudi_hainan_hooks_elsewhere implements no hook: the "
        "entry point "
        "names the module whose functions are marked @hookimpl (a province's: "
        "doudi_register_provinces at least)")


def test_a_misspelled_hook_is_caught_by_check_pending(site):
    typo = HAINAN.replace("def doudi_calendar_overlays", "def doudi_calender_overlays")
    install(site, "doudi_typo", "doudi_typo", typo, "typo")
    with pytest.raises(PluginError, match="plugin 'typo' implements an unknown hook"):
        get_plugin_manager()


def test_a_hook_function_not_marked_hookimpl_is_caught_at_start_up(site):
    # pluggy passes over it: the province silently kept the national total of 30wd.
    unmarked = HAINAN.replace("@hookimpl\ndef doudi_parameters", "def doudi_parameters")
    assert unmarked != HAINAN
    install(site, "doudi_unmarked", "doudi_unmarked", unmarked, "unmarked")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    assert str(caught.value) == ("plugin 'unmarked' (doudi_unmarked 1.0): doudi_parameters not "
                                 "marked @hookimpl, so doudi would never call it (from engine "
                                 "import hookimpl)")


def test_a_hook_with_an_argument_the_hook_does_not_pass_names_the_plugin(site):
    wrong = HAINAN.replace("def doudi_parameters(province, workflow)",
                           "def doudi_parameters(province, wf)")
    install(site, "doudi_wrong", "doudi_wrong", wrong, "wrong")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    message = str(caught.value)  # (the middle is pluggy's own wording, on one line)
    assert message.startswith("plugin 'wrong' (doudi_wrong 1.0): ")
    assert "doudi_parameters(province, wf)" in message and "\n" not in message
    assert message.endswith("(see engine/hookspecs.py)")


def test_a_plugin_that_exits_while_loading_is_a_plugin_error(site, monkeypatch):
    install(site, "doudi_exits", "doudi_exits", "import sys\nsys.exit(3)\n", "exits")
    with pytest.raises(PluginError, match=r"plugin 'exits' .* failed to load: SystemExit: 3") as caught:
        get_plugin_manager()
    # The way out names every other installed plugin, and taking it works.
    assert str(caught.value).endswith("(to run without it: "
                                      "DOUDI_LOAD_PLUGINS=jiangsu_draft,shanxi,tianjin)")
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", "jiangsu_draft,shanxi,tianjin")
    assert sorted(Registry(get_plugin_manager()).load().provinces) == [
        "jiangsu_draft", "shanxi", "tianjin"]
    # A list already in force stays the list: the way out drops only the broken plugin.
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", "tianjin,exits")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    assert str(caught.value).endswith("(to run without it: DOUDI_LOAD_PLUGINS=tianjin)")


def test_a_guard_answering_other_than_none_or_text_names_the_plugin(site, tmp_path):
    guard = HAINAN + textwrap.dedent('''
        from engine import Transition, WorkflowPatch

        @hookimpl
        def doudi_register_guards(register):
            register("hainan_always_true", lambda ctx: True)

        @hookimpl
        def doudi_workflow_patches(province, workflow):
            if province == "hainan" and workflow == "dibao":
                return [WorkflowPatch("琼民规〔2099〕1号", add_guards=(("accept", "hainan_always_true"),))]
        ''')
    install(site, "doudi_guard", "doudi_guard", guard, "guard")
    engine = Engine.open(str(tmp_path / "g.db"), registry=Registry(get_plugin_manager()).load())
    case = engine.open_case(province="hainan", on=date(2026, 2, 26))
    with pytest.raises(PluginError, match=r"plugin 'guard' \(doudi_guard 1\.0\) guard "
                                          r"'hainan_always_true' returned True"):
        engine.fire(case.id, "accept", on=date(2026, 2, 27))
    assert engine.case(case.id).state == "applied"


def test_allow_list_limits_which_plugins_load(monkeypatch):
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", "tianjin")
    registry = Registry(get_plugin_manager()).load()
    assert list(registry.provinces) == ["tianjin"]
    # A misspelt name is refused, not a province silently left out.
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", "tianjin,shanxii")
    with pytest.raises(PluginError) as caught:
        get_plugin_manager()
    assert str(caught.value) == ("DOUDI_LOAD_PLUGINS names shanxii, which no installed plugin is "
                                 "(installed: jiangsu_draft, shanxi, tianjin)")


@pytest.mark.parametrize("allowed, known", [
    ("", "none loaded; DOUDI_LOAD_PLUGINS='' limits the plugins loaded"),
    ("tianjin", "tianjin; DOUDI_LOAD_PLUGINS='tianjin' limits the plugins loaded")])
def test_a_province_left_out_by_the_allow_list_is_not_said_to_be_uninstalled(monkeypatch, tmp_path,
                                                                             allowed, known):
    """An empty DOUDI_LOAD_PLUGINS (an unset shell variable) loads no plugin: every province
    was "unknown (known: none installed)", of provinces installed all along."""
    monkeypatch.setenv("DOUDI_LOAD_PLUGINS", allowed)
    get_registry.cache_clear()
    db = str(tmp_path / "cases.db")
    result = CliRunner().invoke(cli, ["case", "open", "--province", "shanxi", "--on",
                                      "2026-03-02", "--db", db])
    get_registry.cache_clear()
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: unknown province 'shanxi' (known: {known})\n"
    assert not (tmp_path / "cases.db").exists()


def test_built_in_provinces_load_through_the_entry_point_group():
    from importlib import metadata

    names = {ep.name: ep.value for ep in metadata.entry_points(group="doudi")}
    assert names["shanxi"] == "plugins.shanxi"
    assert names["tianjin"] == "plugins.tianjin"
    assert names["jiangsu_draft"] == "plugins.jiangsu_draft"
    pm = get_plugin_manager()
    assert {"shanxi", "tianjin", "jiangsu_draft"} <= {name for name, _ in pm.list_name_plugin()}


def test_every_hook_is_documented_and_implemented_by_some_plugin():
    from engine import hookspecs

    pm = get_plugin_manager()
    for name in dir(hookspecs):
        if not name.startswith("doudi_"):
            continue
        assert getattr(hookspecs, name).__doc__, f"{name} has no docstring"
        implemented = getattr(pm.hook, name).get_hookimpls()
        if name != "doudi_calendar_overlays":  # no built-in province has local days yet
            assert implemented, f"no plugin implements {name}"


def test_the_engine_names_no_province():
    from pathlib import Path

    import engine

    root = Path(engine.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for code in ("shanxi", "tianjin", "jiangsu", "山西", "天津", "江苏"):
            assert code not in text, f"{path.relative_to(root)} names {code}"


def test_the_documented_pyproject_is_one_pip_can_install():
    """docs/provinces.md's pyproject.toml once held the entry-point table alone, which pip
    refuses ("`project` must contain ['name'] properties"): a provincial team copying it could
    not install its plugin."""
    import re
    import tomllib
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "provinces.md").read_text(encoding="utf-8")
    section = text.split("## Writing a province plugin", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```toml\n(.*?)```", section, re.S)
    config = tomllib.loads(block)
    assert config["build-system"]["build-backend"] == "setuptools.build_meta"
    assert (config["project"]["name"], config["project"]["version"]) == ("doudi-hainan", "0.1.0")
    # the module the Python blocks are written as ("# doudi_hainan/__init__.py")
    assert config["project"]["entry-points"]["doudi"] == {"hainan": "doudi_hainan"}
    assert "# doudi_hainan/__init__.py" in section
    pyproject = pytest.importorskip("setuptools.config.pyprojecttoml")
    assert pyproject.validate(config, "pyproject.toml")


def test_the_documented_plugin_example_loads_and_does_what_it_says(site, tmp_path):
    """docs/provinces.md "Writing a province plugin", its Python blocks as one module, installed as a
    newcomer would: they must load and work (the classes it names once had to be found in
    engine.* submodules)."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "docs" / "provinces.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a province plugin", 1)[1].split("\n## ", 1)[0]
    source = "\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    install(site, "doudi_hainan", "doudi_hainan_readme", source, "hainan")
    registry = Registry(get_plugin_manager()).load()
    engine = Engine.open(str(tmp_path / "cases.db"), registry=registry)
    near = engine.open_case(province="hainan", on=date(2026, 4, 1))
    remote = engine.open_case(province="hainan", on=date(2026, 4, 1),
                              attributes={"remote": True})
    for case in (near, remote):
        engine.fire(case.id, "accept", on=date(2026, 4, 2))
    due = {(case.id, v.deadline.rule): v.deadline for case in (near, remote)
           for v in engine.deadlines(case.id, as_of=date(2026, 4, 2))}
    # "total" 25wd from Thu 4/2 (not counted): 4/3 (1); 清明 4/4–4/6 off; 4/7–4/10 (2–5);
    # 4/13–4/17 (6–10); 4/20–4/24 (11–15); 4/27–4/30 (16–19); 劳动节 5/1–5/5 off; 5/6–5/8
    # (20–22); Sat 5/9 make-up working day (23); 5/11 (24); 5/12 (25).
    assert (due[near.id, "total"].due_on, due[near.id, "total"].citation) == \
        (date(2026, 5, 12), "琼民发〔2023〕X号 四(二)")
    # 村级评议 5wd: 4/3 (1), 4/7–4/10 (2–5) → 4/10; remote, 8wd: 4/13 (6) 4/14 (7) 4/15 (8).
    assert due[near.id, "village_review"].due_on == date(2026, 4, 10)
    assert due[remote.id, "village_review"].due_on == date(2026, 4, 15)
    # The province's own step, an event that leaves the case accepted and meets its deadline
    # (8wd, due 4/15) on 4/14.
    held = engine.fire(remote.id, "hold_village_review", on=date(2026, 4, 14))
    review = next(v for v in held.deadlines if v.deadline.rule == "village_review")
    assert (held.state, review.deadline.stopped_on, review.status) == \
        ("accepted", date(2026, 4, 14), "met")
    # Its effect records the day, an attribute declared "decided": a clerk's value for it,
    # in an event's data or at opening, is refused (undeclared, it was taken and shown).
    assert held.case.attributes["village_reviewed_on"] == "2026-04-14"
    for call in (lambda: engine.fire(remote.id, "start_investigation", on=date(2026, 4, 14),
                                     payload={"village_reviewed_on": "2026-04-01"}),
                 lambda: engine.open_case(province="hainan", on=date(2026, 4, 1),
                                          attributes={"village_reviewed_on": "2026-04-01"})):
        with pytest.raises(InvalidInput, match=r"^village_reviewed_on is decided by doudi "
                                               r"\(村级评议日期\), not given: leave it out$"):
            call()
    # remote is declared (a bool): "yes" is bad input, not a case silently given the 5wd
    with pytest.raises(InvalidInput, match='remote must be true or false, got "yes"'):
        engine.open_case(province="hainan", on=date(2026, 4, 1), attributes={"remote": "yes"})
    # The overlay: 三月三 (2025-03-31, a Monday) is a day off in the province only.
    assert not engine.calendar("hainan").is_working_day(date(2025, 3, 31))
    assert engine.calendar().is_working_day(date(2025, 3, 31))
    for event, on in (("start_investigation", 7), ("request_verification", 8),
                      ("start_verification", 9), ("post_publicity", 10),
                      ("submit_to_county", 20), ("county_home_visit", 22)):
        engine.fire(near.id, event, on=date(2026, 4, on))
    with pytest.raises(EventRefused, match=r"approve refused: 琼民发〔2023〕X号 四\(三\): "
                                           r"approve needs --set home_visit=true"):
        engine.fire(near.id, "approve", on=date(2026, 4, 23), payload={"amount": 500})
    # The attribute the patch declares: a value of the wrong kind is bad input, in the
    # engine's words, before the guard.
    assert registry.workflow("hainan", "dibao").attributes["home_visit"].type == "bool"
    with pytest.raises(InvalidInput) as caught:
        engine.fire(near.id, "approve", on=date(2026, 4, 23),
                    payload={"amount": 500, "home_visit": "yes"})
    assert str(caught.value) == 'home_visit must be true or false, got "yes"'
    approved = engine.fire(near.id, "approve", on=date(2026, 4, 23),
                           payload={"amount": 500, "home_visit": True})
    [link] = approved.links
    # 渐退 from the month after the income change: 100 % for 3 months, then 60 % of 500.
    view = engine.fire(link["case_id"], "income_exceeds", on=date(2026, 6, 10),
                       payload={"per_capita_income": 900, "standard": 800})
    assert [(p.month, p.amount) for p in view.payments][2:] == [
        ("2026-07", 500.0), ("2026-08", 500.0), ("2026-09", 500.0), ("2026-10", 300.0),
        ("2026-11", 300.0), ("2026-12", 300.0)]
    # 20 % of the standard 800 (160) off earnings of 1500: 1340 for a household of 2.
    household = {"standard": 800, "applicant": "m1", "members": [
        {"id": "m1", "age": 40, "employed": True, "income": {"employment": 1500}},
        {"id": "m2", "age": 10}]}
    assert assess_household(registry, "hainan", household).countable_income == 1340
