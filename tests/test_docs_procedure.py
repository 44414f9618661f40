"""docs/procedure.md against the workflows themselves, as every shipped province patches them
(the effective workflow, ``doudi workflow show NAME --province P``): each workflow's section
names every event and every deadline rule, its event tables name no event that does not exist,
and what a row says its event starts, stops or extends (with the length it gives) is what the
deadline rules say."""
import re
from pathlib import Path

import pytest

from engine.registry import get_registry
from engine.workflow import available_workflows, load_workflow

DOC = (Path(__file__).resolve().parents[1] / "docs" / "procedure.md").read_text(encoding="utf-8")
REGISTRY = get_registry()
PROVINCES = sorted(REGISTRY.provinces)
WORKFLOWS = available_workflows()


def _sections() -> dict[str, str]:
    sections = {}
    for part in re.split(r"^## ", DOC, flags=re.M)[1:]:
        match = re.match(r"Workflow `(\w+)`", part)
        if match:
            sections[match.group(1)] = part
    return sections


SECTIONS = _sections()


def _effective(name: str):
    return [REGISTRY.workflow(province, name) for province in PROVINCES]


def _events(name: str) -> set[str]:
    return {t.event for w in _effective(name) for t in w.transitions}


def _rules(name: str) -> dict[str, list]:
    """Each rule name with its rule in every province that has it."""
    rules: dict[str, list] = {}
    for w in _effective(name):
        for rule in w.deadlines:
            rules.setdefault(rule.rule, []).append((w, rule))
    return rules


def _ticked(text: str) -> set[str]:
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", text))


def _rows(section: str):
    """(events of the first column, last column) of each row of the section's event tables."""
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        yield re.findall(r"`(\w+)`", cells[0]), cells[-1]


VERB = re.compile(r"\b(starts|stops|extends)\b(?: the(?: next)?)? "
                  r"(`\w+`(?:(?:\([^)]*\)|[^;`(])*?(?:,| and) `\w+`)*)")
DURATION = re.compile(r"(\d+)\s*(wd|days?|months?)\b")


def _claims(events: list[str], cell: str):
    """(event, verb, rule, what follows the rule name up to the next one) for each claim of a
    row: "starts `total` (30wd; 20wd delegated) and `investigation_start` (3wd, …)". A clause
    (between semicolons outside parentheses) that opens with one of the row's events is said
    of that event alone (“`reject` (from the investigation on) starts `refusal_notice`”)."""
    for clause in re.split(r";\s*(?![^(]*\))", cell):
        subject = re.match(r"`(\w+)`", clause)
        who = [subject.group(1)] if subject and subject.group(1) in events else events
        for match in VERB.finditer(clause):
            verb, names = match.groups()
            tail = clause[match.end(2):]
            ticks = list(re.finditer(r"`(\w+)`", names))
            for k, tick in enumerate(ticks):
                after = names[tick.end():ticks[k + 1].start()] if k + 1 < len(ticks) else tail
                for event in who:
                    yield event, verb, tick.group(1), after


def _durations(text: str) -> set[str]:
    """The lengths a claim gives right after the rule name: "(30wd; 20wd delegated)",
    ": 3 months", " to 45wd"."""
    head = re.match(r"\s*(?:\(([^)]*)\)|:\s*([^,;(]*)|to (\S+))", text)
    if not head:
        return set()
    said = " ".join(g for g in head.groups() if g)
    unit = {"wd": "wd", "day": "d", "days": "d", "month": "m", "months": "m"}
    return {n + unit[u] for n, u in DURATION.findall(said)}


def _values(name: str, params: set[str]) -> set[str]:
    """The values the parameters take nationally (the table's "national default") or in any
    shipped province."""
    workflows = [load_workflow(name), *_effective(name)]
    return {w.parameters[p].value for w in workflows for p in params if p in w.parameters}


def test_a_section_for_every_workflow_and_none_other():
    assert sorted(SECTIONS) == WORKFLOWS


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_event_and_rule_is_in_its_section(name):
    ticked = _ticked(SECTIONS[name])
    assert sorted(_events(name) - ticked) == []
    assert sorted(set(_rules(name)) - ticked) == []


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_event_a_table_names_exists(name):
    named = {e for events, _ in _rows(SECTIONS[name]) for e in events}
    assert named, name  # the section has its table of events
    assert sorted(named - _events(name)) == []


@pytest.mark.parametrize("name", WORKFLOWS)
def test_what_a_row_says_its_event_starts_stops_or_extends_is_so(name):
    rules = _rules(name)
    for events, cell in _rows(SECTIONS[name]):
        for event, verb, rule, after in _claims(events, cell):
            assert rule in rules, (event, verb, rule)
            if verb == "starts":
                assert any(event in r.starts for _, r in rules[rule]), (event, verb, rule)
                params = {r.param for _, r in rules[rule]}
                params |= {v.param for _, r in rules[rule] for v in r.variants}
            elif verb == "stops":
                assert any(event in r.stops for _, r in rules[rule]), (event, verb, rule)
                params = set()
            else:
                extensions = [x for _, r in rules[rule] for x in r.extensions if event in x.events]
                assert extensions, (event, verb, rule)
                params = {x.param for x in extensions}
            said = _durations(after)
            assert sorted(said - _values(name, params)) == [], (event, verb, rule, after)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_start_stop_and_extension_is_in_its_events_row(name):
    said = {(e, v, r) for events, cell in _rows(SECTIONS[name])
            for e, v, r, _ in _claims(events, cell)}
    rows = {e for events, _ in _rows(SECTIONS[name]) for e in events}
    missing = set()
    for rule, found in _rules(name).items():
        for _, r in found:
            # "open" is the case's opening, said in the prose ("runs from the opening")
            missing |= {(e, "starts", rule) for e in r.starts if e != "open"}
            missing |= {(e, "stops", rule) for e in r.stops}
            missing |= {(e, "extends", rule) for x in r.extensions for e in x.events}
    missing = {m for m in missing if m[0] in rows} - said
    assert sorted(missing) == []


def test_the_parser_reads_the_claims_it_checks():
    """The checks above see what the page says: a row that says nothing it can read is not a
    row that agrees."""
    claims = dict(((e, r), (v, a)) for events, cell in _rows(SECTIONS["dibao"])
                  for e, v, r, a in _claims(events, cell))
    assert claims[("accept", "total")][0] == "starts"
    assert _durations(claims[("accept", "total")][1]) == {"30wd", "20wd"}
    assert _durations(claims[("post_publicity", "publicity")][1]) == {"7d"}
    assert _durations(claims[("extend", "total")][1]) == {"45wd"}
    assert claims[("reject", "county_confirmation")][0] == "stops"
    assert claims[("reject", "refusal_notice")][0] == "starts"
    benefit = {(e, v, r) for events, cell in _rows(SECTIONS["benefit"])
               for e, v, r, _ in _claims(events, cell)}
    assert ("review", "starts", "periodic_review") in benefit
    temporary = {(e, v, r) for events, cell in _rows(SECTIONS["temporary"])
                 for e, v, r, _ in _claims(events, cell)}
    assert ("reject", "starts", "refusal_notice") in temporary
    assert ("approve", "starts", "refusal_notice") not in temporary


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_lengths_the_prose_gives_a_rule_are_its_own(name):
    """ "`formalities` 10wd", "`investigation_start` and `refusal_notice` 3wd", "`publicity` 7
    days", "`death_review`: 3 months"."""
    rules = _rules(name)
    pattern = r"((?:`\w+`(?:,| and) )*`\w+`):? (\d+)\s*(wd|days?|months?)\b"
    for match in re.finditer(pattern, SECTIONS[name]):
        for rule in re.findall(r"`(\w+)`", match.group(1)):
            assert rule in rules, (name, match.group(0))
            params = {r.param for _, r in rules[rule]}
            params |= {v.param for _, r in rules[rule] for v in r.variants}
            said = _durations(": " + match.group(0).rsplit("`", 1)[1].lstrip(": "))
            assert sorted(said - _values(name, params)) == [], (name, match.group(0))


def test_the_periodic_review_runs_from_the_opening_as_the_page_says():
    """57号 第31条: 12 months, 6 where the income is unstable; the first from the opening."""
    match = re.search(r"`(\w+)` \([^)]*\) runs from the opening: (\d+) months, or (\d+) where\s+"
                      r"`(\w+)=true`", SECTIONS["benefit"])
    rule, months, unstable, attribute = match.groups()
    assert (rule, months, unstable, attribute) == ("periodic_review", "12", "6", "unstable_income")
    for w, r in _rules("benefit")[rule]:
        assert "open" in r.starts and "review" in r.starts
        assert w.parameters[r.param].value == f"{months}m"
        assert [(v.when, w.parameters[v.param].value) for v in r.variants] == [
            (attribute, f"{unstable}m")]


def test_the_household_and_residence_examples_do_what_the_page_says(tmp_path):
    """The page's household.json and residence.json, saved as it says and given to the commands
    it names (found by a reader running the page: the residence example named no province or
    county, and a case in 和平区, where the household lives, refuses it). 津民发〔2023〕13号
    四(三): a spouse from outside 天津 living there a year or more applies where the 天津 spouse
    is registered, 河西区; 晋民发〔2023〕31号 一(二): a 单人户 counts the applicant alone, 100 a
    month, and a sibling's support is exempt."""
    from click.testing import CliRunner

    from engine.cli import cli

    household, residence = re.findall(r"```json\n(.*?)```", DOC, re.S)
    (tmp_path / "household.json").write_text(household, encoding="utf-8")
    (tmp_path / "residence.json").write_text(residence, encoding="utf-8")
    db = ["--db", str(tmp_path / "d.db")]

    def run(*args):
        return CliRunner().invoke(cli, [*args, *db])

    said = re.search(r"`doudi assess household.json --province shanxi` ends `(.*?)`", DOC, re.S)
    result = run("assess", str(tmp_path / "household.json"), "--province", "shanxi")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == " ".join(said.group(1).split())
    assert " ".join(said.group(1).split()) == (
        "shanxi: countable income 100, household of 1, per capita 100, standard 900 → dibao")

    said = re.search(r"prints `(申请地: .*?)`", DOC, re.S).group(1)
    for county, case_id in (("河西区", "T1"), ("和平区", "T2")):
        assert run("case", "open", "--province", "tianjin", "--id", case_id, "--on", "2026-03-02",
                   "--set", f"county={county}").exit_code == 0
    accepted = run("case", "accept", "T1", str(tmp_path / "residence.json"), "--on", "2026-03-03")
    assert accepted.exit_code == 0, accepted.output
    assert " ".join(said.split()) in accepted.stdout
    assert "申请地: 河西区 — w的配偶户籍地 (津民发〔2023〕13号 四(三))" in accepted.stdout
    refused = run("case", "accept", "T2", str(tmp_path / "residence.json"), "--on", "2026-03-03")
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1 and "河西区" in refused.stderr
