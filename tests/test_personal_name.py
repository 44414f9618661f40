"""An applicant's name is posted in the 公示 and the 公布 (57号 第24条; 83号 四(二)
"信息公示、公布应当依法保护个人隐私，不得公开无关信息"; 晋民发〔2023〕31号 四(五) publishes
"申请人姓名、家庭成员数量、保障金额"). A value of ``applicant_name`` holding 6 or more digits is
no one's name: an ID number, a phone or an account number a platform put there. It is refused
where it is given (one line, exit 2, nothing written), in every workflow that declares the name:
refused only at the notice, a 公示 posted with it could never be printed (it shows the name as
it stood when posted)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine, InvalidInput
from helpers import dump_file, error_line, run

REFUSED = ("applicant_name holds 6 or more digits (an ID number, a phone or an account number?), "
           "not a name alone: a 公示 or 公布 shows the applicant's name, household size and "
           "amount and nothing else (民发〔2021〕57号 第24条；民发〔2022〕83号 四(二))")


@pytest.mark.parametrize("name", ["110101199001011234", "11010119900101123X",
                                  "王五 110101199001011234", "王五（13912345678）",
                                  "王五 0351-555 1234", "王五１３９１２３４５６７８", 110101199001011234])
@pytest.mark.parametrize("workflow", ["dibao", "temporary", "marginal"])
def test_a_name_holding_an_id_number_or_a_phone_is_refused_as_given(tmp_path, name, workflow):
    engine = Engine.open(str(tmp_path / "a.db"))
    with pytest.raises(InvalidInput) as raised:
        engine.open_case("shanxi", workflow=workflow, on=date(2026, 3, 2),
                         attributes={"applicant_name": name})
    assert str(raised.value) == REFUSED
    assert engine.store.count_cases() == 0


def test_the_command_line_refuses_it_at_the_opening_with_an_event_and_in_an_import(db, tmp_path):
    refused = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                  "--set", "applicant_name=110101199001011234")
    assert refused.exit_code == 2 and error_line(refused) == f"Error: {REFUSED}"
    opened = run(db, "case", "open", "--province", "shanxi", "--on", "2026-03-02",
                 "--set", "applicant_name=王五2")  # (a few digits: still a name)
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    before = dump_file(db)
    fired = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-02",
                "--set", "applicant_name=王五 13912345678")
    assert fired.exit_code == 2 and error_line(fired) == f"Error: {REFUSED}"
    assert dump_file(db) == before
    lines = tmp_path / "h.jsonl"
    lines.write_text(json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02",
                                 "id": "C9", "attributes": {"applicant_name": "110101199001011234"}},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    imported = run(db, "import", str(lines))
    assert imported.exit_code != 0
    assert REFUSED in imported.output
    assert dump_file(db) == before


@pytest.mark.parametrize("attributes, refused", [
    ({"household_size": "三口"}, 'household_size must be a number (at most 1,000,000,000,000), '
                                 'got "三口"'),
    ({"household_size": 0}, "household_size must be at least 1, got 0"),
    ({"village": " 东村"}, 'village must not begin or end with spaces, got " 东村"'),
])
def test_what_a_temporary_aid_s_publicity_shows_is_checked_as_given(tmp_path, attributes, refused):
    """The 公示 of a 支出型 临时救助 (民发〔2018〕23号 二(二)) shows the household's size and
    village as the 低保 one does: checked where given, as dibao's are ("三口" was taken
    unchecked and posted as "三口人")."""
    engine = Engine.open(str(tmp_path / "t.db"))
    with pytest.raises(InvalidInput) as raised:
        engine.open_case("shanxi", workflow="temporary", on=date(2026, 3, 2), attributes=attributes)
    assert str(raised.value) == refused
