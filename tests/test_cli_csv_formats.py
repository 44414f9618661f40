"""--format csv on the commands that print a case's data: case show, fire, accept and assess,
and assess. The contract (CLI): "Every command takes `--db PATH` … and `--format
table|json|csv` where it prints data"; these five refused csv ("'csv' is not one of 'table',
'json'", exit 2).

Dates are hand-counted on the 2026 official calendar (engine/data/calendar_cn.toml,
国办发明电〔2025〕7号). A case accepted Tue 2026-03-03:
- investigation_start, 民发〔2021〕57号 第15条 (3 working days): Wed 03-04, Thu 03-05,
  Fri 03-06 → due 2026-03-06.
- 山西's total, 晋民发〔2023〕31号 四(二) (30 working days): 03-04..06 (3), 03-09..13 (8),
  03-16..20 (13), 03-23..27 (18), 03-30..04-03 (23), then 04-04..06 off (清明: Sat, Sun and
  Mon 04-06, no make-up day), 04-07..10 (27), 04-13..15 (30) → due 2026-04-15.
- 天津's total, 津民发〔2023〕13号 四(一) (20 working days): 03-04..06 (3), 03-09..13 (8),
  03-16..20 (13), 03-23..27 (18), 03-30, 03-31 (20) → due 2026-03-31 (no day off in March
  but weekends).
"""

from __future__ import annotations

import csv
import io
import json

from helpers import run

HEADER = ["case_id", "rule", "title", "starts_on", "due_on", "stopped_on", "status", "basis",
          "provisional"]
SX_TOTAL = ["total", "审核确认办理总时限", "2026-03-03", "2026-04-15"]
SX_BASIS = "晋民发〔2023〕31号 四(二)"
INVESTIGATION = ["investigation_start", "受理后启动家庭经济状况调查", "2026-03-03", "2026-03-06"]
INVESTIGATION_BASIS = "民发〔2021〕57号 第15条（国家规定）"


def csv_rows(db, *args) -> list[list[str]]:
    result = run(db, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def ok(db, *args) -> None:
    result = run(db, *args)
    assert result.exit_code == 0, result.output


def test_case_show_csv_is_the_deadlines_one_row_each_judged_on_as_of_with_window(db):
    """The table's "deadlines" section, case_id first; --as-of and --window apply as for the
    table and json. A case id a spreadsheet would run as a formula gets a leading ' as in
    report breaches' CSV."""
    ok(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--id", "=SX1")
    ok(db, "case", "accept", "=SX1", "--on", "2026-03-03")
    # Thu 03-05: investigation_start due Fri 03-06, one working day on: within the default
    # window of 3 (at_risk), past a window of 0 (open).
    assert csv_rows(db, "case", "show", "=SX1", "--as-of", "2026-03-05") == [
        HEADER,
        ["'=SX1", *SX_TOTAL, "", "open", SX_BASIS, "no"],
        ["'=SX1", *INVESTIGATION, "", "at_risk", INVESTIGATION_BASIS, "no"]]
    assert csv_rows(db, "case", "show", "=SX1", "--as-of", "2026-03-05", "--window", "0")[2] == [
        "'=SX1", *INVESTIGATION, "", "open", INVESTIGATION_BASIS, "no"]
    # Mon 03-09, the investigation not started: past its due date.
    assert csv_rows(db, "case", "show", "=SX1", "--as-of", "2026-03-09")[2] == [
        "'=SX1", *INVESTIGATION, "", "breached", INVESTIGATION_BASIS, "no"]
    # The same json: the same deadlines, in the same order.
    shown = json.loads(run(db, "case", "show", "=SX1", "--as-of", "2026-03-09",
                           "--format", "json").stdout)
    assert [d["rule"] for d in shown["deadlines"]] == ["total", "investigation_start"]


def test_case_show_csv_lists_every_status_and_shares_report_breaches_cells(db):
    """Stopped deadlines too (stopped_on, cancelled, unmet: the table lists them), and where
    report breaches --include-late lists the same deadline, the columns both have hold the
    same cells."""
    ok(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02", "--id", "W1",
       "--set", "county=甲县")
    ok(db, "case", "accept", "W1", "--on", "2026-03-03")
    ok(db, "case", "fire", "W1", "withdraw", "--on", "2026-03-10")
    rows = csv_rows(db, "case", "show", "W1")
    # Withdrawn Tue 03-10: the total (due 04-15) cancelled; investigation_start, due 03-06
    # and never started, unmet.
    assert rows == [HEADER,
                    ["W1", *SX_TOTAL, "2026-03-10", "cancelled", SX_BASIS, "no"],
                    ["W1", *INVESTIGATION, "2026-03-10", "unmet", INVESTIGATION_BASIS, "no"]]
    report = list(csv.DictReader(io.StringIO(run(
        db, "report", "breaches", "--include-late", "--format", "csv").stdout)))
    assert len(report) == 1
    shown, shared = dict(zip(HEADER, rows[2], strict=True)), set(report[0]) & set(HEADER)
    assert shared == {"case_id", "rule", "title", "status", "due_on", "basis", "provisional"}
    assert {c: report[0][c] for c in shared} == {c: shown[c] for c in shared}


def test_case_show_csv_of_an_unknown_case_is_the_error_line(db):
    result = run(db, "case", "show", "NOPE", "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_case_fire_and_accept_csv_are_the_deadlines_as_the_event_left_them(db):
    """case fire and case accept print with csv what they print with json, the case's
    deadlines judged as of the event's date, as case show --format csv writes them; a repeat
    with the same key prints the case as the first call left it."""
    for case_id in ("T1", "T2"):
        ok(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02", "--id", case_id)
    tj_total = ["total", "审核确认办理总时限", "2026-03-03", "2026-03-31", ""]
    tj_basis = "津民发〔2023〕13号 四(一)"
    accepted = [HEADER,
                ["T1", *tj_total, "open", tj_basis, "no"],
                # as of Tue 03-03, three working days before Fri 03-06: at risk
                ["T1", *INVESTIGATION, "", "at_risk", INVESTIGATION_BASIS, "no"]]
    assert csv_rows(db, "case", "accept", "T1", "--on", "2026-03-03",
                    "--idempotency-key", "k1") == accepted
    assert csv_rows(db, "case", "accept", "T1", "--on", "2026-03-03",
                    "--idempotency-key", "k1") == accepted
    fired = csv_rows(db, "case", "fire", "T2", "accept", "--on", "2026-03-03")
    assert fired == [[r[0].replace("T1", "T2"), *r[1:]] for r in accepted]
    # started Wed 03-04, before its due date: met on that day
    assert csv_rows(db, "case", "fire", "T2", "start_investigation", "--on", "2026-03-04") == [
        HEADER,
        ["T2", *tj_total, "open", tj_basis, "no"],
        ["T2", *INVESTIGATION, "2026-03-04", "met", INVESTIGATION_BASIS, "no"]]


HOUSEHOLD = {"standard": 900, "members": [
    {"id": "=a", "age": 40, "income": {"employment": 1000}},
    {"id": "b", "age": 40, "income": {"business": 345.67}}],
    "support": [{"to": "b", "relation": "child", "giver_age": 40, "amount": 100.55}]}


def test_assess_csv_is_a_row_for_each_rule_counted(db, tmp_path):
    """The table's rows: 1000 + 345.67 + 100.55 (support counted in full, 民发〔2021〕57号)
    = 1446.22 for two, 723.11 a head, below the standard 900: dibao, on the classification's
    row, last (its class column; blank on the others). A member id a
    spreadsheet would run as a formula gets the leading '."""
    path = tmp_path / "household.json"
    path.write_text(json.dumps(HOUSEHOLD), encoding="utf-8")
    national = "民发〔2021〕57号（家庭经济状况认定）"
    assert csv_rows(db, "assess", str(path), "--province", "shanxi") == [
        ["member", "rule", "counted", "citation", "note", "class"],
        ["'=a", "income:employment", "1000.0", national, "计入1000元", ""],
        ["b", "income:business", "345.67", national, "计入345.67元", ""],
        ["b", "support", "100.55", national, "child（40岁）给付100.55元，计入100%", ""],
        ["", "classification", "723.11",
         "晋民发〔2023〕31号 一(四)（低保边缘家庭：家庭人均收入低于当地1.5倍低保标准）",
         "人均723.11元，标准900元，边缘上限1.5倍", "dibao"]]


def test_case_assess_csv_is_one_row_of_the_result_and_its_route(db, tmp_path):
    """The table's line as a row: per capita, standard, class, and the route this assessment
    gave. 天津, special_hardship=true: 3000 a head against 1010 is above the line, referred to
    the fund (津民发〔2023〕13号 二(二) 发点球); 500 a head is below it, no route."""
    above, below = tmp_path / "above.json", tmp_path / "below.json"
    above.write_text(json.dumps({"standard": 1010, "members": [
        {"id": "a", "age": 45, "income": {"employment": 3000}}]}), encoding="utf-8")
    below.write_text(json.dumps({"standard": 1010, "members": [
        {"id": "a", "age": 45, "income": {"employment": 1000}}, {"id": "b", "age": 12}]}),
        encoding="utf-8")
    for case_id in ("A1", "B1"):
        ok(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02", "--id", case_id,
           "--set", "special_hardship=true")
        ok(db, "case", "accept", case_id, "--on", "2026-03-03")
        ok(db, "case", "fire", case_id, "start_investigation", "--on", "2026-03-04")
    header = ["case_id", "household_size", "countable_income", "per_capita", "standard",
              "classification", "route", "route_title", "route_basis"]
    assert csv_rows(db, "case", "assess", "A1", str(above), "--on", "2026-03-06") == [
        header, ["A1", "1", "3000.0", "3000.0", "1010", "above", "fund_referral",
                 "转介市、区社会救助基金实施“发点球”式精准救助", "津民发〔2023〕13号 二(二)"]]
    assert csv_rows(db, "case", "assess", "B1", str(below), "--on", "2026-03-06") == [
        header, ["B1", "2", "1000.0", "500.0", "1010", "dibao", "", "", ""]]
