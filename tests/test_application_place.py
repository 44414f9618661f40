"""Where a household may apply (申请地), checked at 受理 when the members' residence is given.

民发〔2021〕57号 第四条: "由申请家庭确定一名共同生活的家庭成员作为申请人，向户籍所在地乡镇人民政府
（街道办事处）提出书面申请".
第五条: "共同生活的家庭成员户籍所在地不在同一省（自治区、直辖市）的，可以由其中一个户籍所在地与经常居住地
一致的家庭成员向其户籍所在地提出申请；共同生活的家庭成员户籍所在地与经常居住地均不一致的，可以由任一家庭
成员向其户籍所在地提出申请……有条件的地区可以有序推进持有居住证人员在居住地申办最低生活保障。"

Places are counties; a case is filed at its ``county``.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine, EventRefused, InvalidInput
from engine.importer import ImportStopped
from helpers import dump_file, error_line, run, snapshot

ON = date(2026, 3, 2)  # a Monday
SX, TJ, JS = "晋民发〔2023〕31号 四(三)", "津民发〔2023〕13号 四(三)", "江苏征求意见稿 四(三)"
GENERAL, SPLIT = "民发〔2021〕57号 第四条", "民发〔2021〕57号 第五条"


@pytest.fixture
def engine(db):
    return Engine.open(db)


def member(id, registered_in, lives_in, **more):
    return {"id": id, "registered_in": registered_in, "lives_in": lives_in, **more}


def residence(applicant, *members, **more):
    return {"applicant": applicant, "members": list(members), **more}


def accepted(engine, province, county, household):
    """The way recorded by 受理 of a new case filed at ``county``."""
    case = engine.open_case(province=province, on=ON, attributes={"county": county})
    view = engine.fire(case.id, "accept", on=ON, payload={"residence": household})
    assert view.state == "accepted"
    return view.case.attributes["application_place"]


def refused(engine, db, tmp_path, province, county, household, error=EventRefused, exit_code=1):
    """受理 refused through the API and `doudi case accept`: one line, nothing written."""
    case = engine.open_case(province=province, on=ON, attributes={"county": county})
    before, dumped = snapshot(engine, case.id), dump_file(db)
    with pytest.raises(error) as caught:
        engine.fire(case.id, "accept", on=ON, payload={"residence": household})
    assert snapshot(engine, case.id) == before
    path = tmp_path / "residence.json"
    path.write_text(json.dumps(household, ensure_ascii=False), encoding="utf-8")
    result = run(db, "case", "accept", case.id, str(path), "--on", ON.isoformat())
    assert result.exit_code == exit_code, result.output
    assert error_line(result, starts_with="Error: ").endswith(str(caught.value))
    assert dump_file(db) == dumped
    return str(caught.value)


def test_a_household_registered_together_applies_where_registered(engine, db, tmp_path):
    # Both registered in 甲县, living (working) in 乙县: 第四条, where registered.
    household = residence("a", member("a", "甲县", "乙县"), member("b", "甲县", "乙县"))
    assert accepted(engine, "shanxi", "甲县", household) == {
        "member": "a", "place": "甲县", "how": "户籍所在地", "basis": GENERAL,
        "note": "向户籍所在地乡镇人民政府（街道办事处）提出书面申请"}
    why = refused(engine, db, tmp_path, "shanxi", "乙县", household)
    assert why == ("accept refused: applicant a may not apply at 乙县: this household may apply "
                   f"through a at 甲县 (户籍所在地; {GENERAL}); b at 甲县 (户籍所在地; {GENERAL})")


def test_acceptance_with_the_place_checked_starts_the_usual_deadlines(engine):
    # 57号 第15条, 3 working days from 受理 on Monday 3/2: 3/3, 3/4, 3/5.
    case = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"})
    view = engine.fire(case.id, "accept", on=ON,
                       payload={"residence": residence("a", member("a", "甲县", "甲县"))})
    due = {d.deadline.rule: d.deadline.due_on for d in view.deadlines}
    assert due["investigation_start"] == date(2026, 3, 5)


def test_without_residence_the_place_is_not_judged(engine):
    case = engine.open_case(province="shanxi", on=ON, attributes={"county": "乙县"})
    view = engine.fire(case.id, "accept", on=ON)
    assert view.state == "accepted" and "application_place" not in view.case.attributes


def test_across_provinces_the_member_registered_where_living_applies(engine, db, tmp_path):
    # 第五条: b is registered in 河北; c is registered where the household lives (乙县), so c
    # applies in 乙县, and a may not apply in 甲县 where a is registered.
    household = [member("a", "甲县", "乙县"), member("b", "河北省三河市", "乙县", local=False),
                 member("c", "乙县", "乙县")]
    assert accepted(engine, "shanxi", "乙县", residence("c", *household))["basis"] == SPLIT
    why = refused(engine, db, tmp_path, "shanxi", "甲县", residence("a", *household))
    assert why.endswith(f"this household may apply through c at 乙县 (户籍所在地; {SPLIT})")


def test_across_provinces_with_no_member_registered_where_living(engine, db, tmp_path):
    # 第五条: nobody lives where registered: any member where registered (a in 甲县), not
    # where the household lives.
    household = residence("a", member("a", "甲县", "乙县"),
                          member("b", "河北省三河市", "乙县", local=False))
    assert accepted(engine, "shanxi", "甲县", household)["basis"] == SPLIT
    assert refused(engine, db, tmp_path, "shanxi", "乙县", household).endswith(
        "this household may apply through a at 甲县 (户籍所在地; 民发〔2021〕57号 第五条)")
    # b's registration is in 河北: no place in 山西, even for a case filed under that name.
    refused(engine, db, tmp_path, "shanxi", "河北省三河市", residence("b", *household["members"]))


def test_a_household_registered_only_outside_the_province_may_apply_nowhere_here(engine, db,
                                                                                   tmp_path):
    household = residence("a", member("a", "河北省三河市", "乙县", local=False))
    assert refused(engine, db, tmp_path, "shanxi", "乙县", household).endswith(
        "this household may apply nowhere in this province (its members apply where they are "
        "registered)")


def test_a_residence_given_as_null_is_refused_not_skipped(engine, db, tmp_path):
    assert refused(engine, db, tmp_path, "shanxi", "甲县", None, error=InvalidInput,
                   exit_code=2) == "residence: expected an object, got NoneType"


def test_shanxi_members_from_outside_with_residence_permits(engine, db, tmp_path):
    # 晋民发〔2023〕31号 四(三): "共同生活的家庭成员户籍所在地不同在我省，但在我省长期居住并持有居住证的，
    # 可以由其中一个拥有我省户籍的家庭成员向其户籍所在地或经常居住地提出低保申请".
    household = residence("a", member("a", "甲县", "乙县"),
                          member("b", "河北省三河市", "乙县", local=False, residence_permit=True))
    way = accepted(engine, "shanxi", "乙县", household)
    assert (way["place"], way["how"], way["basis"]) == ("乙县", "经常居住地", SX)
    assert accepted(engine, "shanxi", "甲县", household)["basis"] == SPLIT  # (still)
    # Without the permit, 第五条 alone: not where living.
    household["members"][1]["residence_permit"] = False
    refused(engine, db, tmp_path, "shanxi", "乙县", household)
    # 天津 has no such rule.
    tianjin = residence("a", member("a", "河西区", "和平区"),
                        member("b", "河北省三河市", "和平区", local=False, residence_permit=True))
    refused(engine, db, tmp_path, "tianjin", "和平区", tianjin)


def test_tianjin_a_spouse_from_outside_applies_where_the_spouse_is_registered(engine, db,
                                                                              tmp_path):
    # 津民发〔2023〕13号 四(三): "与具有本市户籍居民形成婚姻关系，并在本市共同连续居住满一年以上的非本市
    # 户籍家庭成员，可在配偶户籍地申请最低生活保障。"
    household = residence("w", member("w", "河北省三河市", "和平区", local=False, years_here=1),
                          member("h", "河西区", "和平区", relation="spouse"))
    way = accepted(engine, "tianjin", "河西区", household)
    assert (way["member"], way["how"], way["basis"]) == ("w", "配偶户籍地", TJ)
    # Less than a year together in 天津: the spouse (h) may apply there, w may not.
    household["members"][0]["years_here"] = 0.5
    why = refused(engine, db, tmp_path, "tianjin", "河西区", household)
    assert "h at 河西区 (户籍所在地; 民发〔2021〕57号 第五条)" in why
    # 山西 has no such rule: w applies nowhere in 山西 but the spouse can.
    shanxi = residence("w", member("w", "河北省三河市", "乙县", local=False, years_here=3),
                       member("h", "甲县", "乙县", relation="spouse"))
    refused(engine, db, tmp_path, "shanxi", "甲县", shanxi)


def test_tianjin_after_the_spouse_died_where_the_child_is_registered(engine, db, tmp_path):
    # 四(三): "本市户籍配偶已去世的，与其天津户籍子女共同生活的，可以在子女户籍地申请低保。"
    household = residence("w", member("w", "河北省三河市", "和平区", local=False),
                          member("c", "南开区", "和平区", relation="child"), spouse_died=True)
    way = accepted(engine, "tianjin", "南开区", household)
    assert (way["member"], way["how"], way["basis"]) == ("w", "子女户籍地", TJ)
    household["spouse_died"] = False
    refused(engine, db, tmp_path, "tianjin", "南开区", household)


def test_tianjin_the_spouse_or_child_must_be_registered_in_tianjin(engine, db, tmp_path):
    # 四(三): "与具有本市户籍居民形成婚姻关系……的非本市户籍家庭成员，可在配偶户籍地申请" and "与其天津户籍
    # 子女共同生活的，可以在子女户籍地申请": the spouse, or the child, is the one registered in 天津.
    # A couple both from 河北, two years together in 和平区, has no place in 天津 (each applies
    # where registered, outside it); nor has a widow from outside whose child is registered in
    # 河北 too. Without the checks that the spouse and the child are local, each was offered
    # 河北省三河市 as a 配偶户籍地 or 子女户籍地 of 四(三), and no test noticed.
    nowhere = ("applicant w may not apply at 和平区: this household may apply nowhere in this "
               "province (its members apply where they are registered)")
    couple = residence("w", member("w", "河北省三河市", "和平区", local=False, years_here=2),
                       member("h", "河北省三河市", "和平区", local=False, relation="spouse",
                              years_here=2))
    assert refused(engine, db, tmp_path, "tianjin", "和平区", couple).endswith(nowhere)
    widow = residence("w", member("w", "河北省三河市", "和平区", local=False),
                      member("c", "河北省三河市", "和平区", local=False, relation="child"),
                      spouse_died=True)
    assert refused(engine, db, tmp_path, "tianjin", "和平区", widow).endswith(nowhere)


def test_tianjin_permit_holders_from_outside_apply_where_living_once_a_district_allows_it(
        engine, db, tmp_path):
    # 四(三): "有序推进外省户籍在津持有本市居住证人员申办低保等社会救助业务" sets no date and no
    # condition: until a district sets residence_permit_applications, a 居住证 holder from 河北
    # living in 和平区 has no place in 天津; from the day 和平区 sets it, applies there.
    household = residence("w", member("w", "河北省三河市", "和平区", local=False,
                                      residence_permit=True, years_here=3))
    refused(engine, db, tmp_path, "tianjin", "和平区", household)
    engine.set_parameter("tianjin", "和平区", "residence_permit_applications", True,
                         "和平区民政局〔2026〕1号", date(2026, 3, 1))
    way = accepted(engine, "tianjin", "和平区", household)
    assert (way["member"], way["how"], way["basis"]) == ("w", "经常居住地（持有居住证）",
                                                         "和平区民政局〔2026〕1号")


def test_jiangsu_settles_households_registered_in_different_counties(engine, db, tmp_path):
    # 江苏征求意见稿 四(三): "共同生活的家庭成员户籍所在地不在同一县域的……可以由其中一个户籍所在地与
    # 经常居住地一致的家庭成员向其户籍所在地提出低保申请". b lives where registered (鼓楼区), so a may
    # not apply in 玄武区, where 山西 (no such rule: 第四条) lets a apply.
    household = [member("a", "玄武区", "鼓楼区"), member("b", "鼓楼区", "鼓楼区")]
    assert accepted(engine, "jiangsu_draft", "鼓楼区", residence("b", *household))["basis"] == JS
    why = refused(engine, db, tmp_path, "jiangsu_draft", "玄武区", residence("a", *household))
    assert why.endswith(f"this household may apply through b at 鼓楼区 (户籍所在地; {JS})")
    assert accepted(engine, "shanxi", "玄武区", residence("a", *household))["basis"] == GENERAL


def test_jiangsu_no_member_registered_where_living_may_apply_where_living(engine, db, tmp_path):
    # 四(三): "共同生活的家庭成员户籍所在地与经常居住地均不一致的，可由任一家庭成员向其户籍所在地或
    # 居住地提出申请"; 57号 第五条 says only where registered.
    household = residence("a", member("a", "玄武区", "鼓楼区"),
                          member("b", "河北省三河市", "鼓楼区", local=False))
    way = accepted(engine, "jiangsu_draft", "鼓楼区", household)
    assert (way["how"], way["basis"]) == ("经常居住地", JS)
    refused(engine, db, tmp_path, "shanxi", "鼓楼区", household)


@pytest.mark.parametrize("registrations", [["河北省三河市"], ["河北省三河市", "河北省三河市"]])
def test_jiangsu_s_rule_needs_members_registered_in_different_counties(engine, db, tmp_path,
                                                                      registrations):
    # 四(三) is for "共同生活的家庭成员户籍所在地不在同一县域的（包括共同生活的家庭成员中有非江苏省户籍）":
    # one person, or members all registered in one county outside 江苏 (河北省三河市), living in
    # 鼓楼区, are not registered apart; they apply where registered (57号 第四条), in their own
    # province, as in 山西. Jiangsu accepted them in 鼓楼区, "经常居住地", citing 四(三).
    household = residence("a", *(member(id, place, "鼓楼区", local=False)
                                 for id, place in zip("ab"[:len(registrations)], registrations, strict=True)))
    why = refused(engine, db, tmp_path, "jiangsu_draft", "鼓楼区", household)
    assert why.endswith("this household may apply nowhere in this province (its members apply "
                        "where they are registered)")
    refused(engine, db, tmp_path, "shanxi", "鼓楼区", household)
    # Registered in two counties (both outside 江苏), none where living: 四(三) lets any member
    # apply where living.
    apart = residence("a", member("a", "河北省三河市", "鼓楼区", local=False),
                      member("b", "安徽省和县", "鼓楼区", local=False))
    assert accepted(engine, "jiangsu_draft", "鼓楼区", apart)["basis"] == JS


def test_a_county_that_lets_permit_holders_apply_where_living(engine, db, tmp_path):
    # 57号 第五条 "有条件的地区可以有序推进持有居住证人员在居住地申办": 乙县 does from 2026-03-01.
    household = residence("a", member("a", "甲县", "乙县", residence_permit=True))
    refused(engine, db, tmp_path, "shanxi", "乙县", household)
    engine.set_parameter("shanxi", "乙县", "residence_permit_applications", True,
                         "乙县民政局〔2026〕1号", date(2026, 3, 1))
    way = accepted(engine, "shanxi", "乙县", household)
    assert (way["how"], way["basis"]) == ("经常居住地（持有居住证）", "乙县民政局〔2026〕1号")
    # Only for members who hold a permit.
    household["members"][0]["residence_permit"] = False
    refused(engine, db, tmp_path, "shanxi", "乙县", household)


@pytest.mark.parametrize(("change", "message"), [
    ({"members": []}, "residence.members: at least one member is needed"),
    ({"members": [{"id": "a", "lives_in": "甲县"}]}, "residence.members[0].registered_in: missing"),
    ({"applicant": "z"}, "residence.applicant: \"z\" is not a member id"),
    ({"members": [member("a", "甲县", "甲县", relation="cousin")]},
     "residence.members[0].relation: \"cousin\" is not one of"),
    ({"members": [member("a", "甲县", "甲县", years_here=-1)]},
     "residence.members[0].years_here: cannot be negative"),
    ({"registered": "甲县"}, "residence.registered: unknown field"),
])
def test_malformed_residence_is_refused_naming_the_field(engine, db, tmp_path, change, message):
    household = {**residence("a", member("a", "甲县", "甲县")), **change}
    why = refused(engine, db, tmp_path, "shanxi", "甲县", household, error=InvalidInput,
                  exit_code=2)
    assert why.startswith(message)


def test_the_place_needs_the_case_county(engine):
    case = engine.open_case(province="shanxi", on=ON)
    with pytest.raises(InvalidInput, match="needs the case's county"):
        engine.fire(case.id, "accept", on=ON,
                    payload={"residence": residence("a", member("a", "甲县", "甲县"))})


def test_the_cli_prints_the_place_and_its_clause(engine, db, tmp_path):
    case = engine.open_case(province="tianjin", on=ON, attributes={"county": "南开区"})
    path = tmp_path / "r.json"
    path.write_text(json.dumps(residence(
        "w", member("w", "河北省三河市", "和平区", local=False),
        member("c", "南开区", "和平区", relation="child"), spouse_died=True)), encoding="utf-8")
    result = run(db, "case", "accept", case.id, str(path), "--on", ON.isoformat())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{case.id}: accept on 2026-03-02: applied → accepted (已受理)",
        f"申请地: 南开区 — w的子女户籍地 ({TJ})"]


def test_an_import_line_is_checked_the_same_way(engine):
    lines = [json.dumps({"op": "open", "province": "tianjin", "id": "tj-1", "on": ON.isoformat(),
                         "attributes": {"county": "和平区"}}),
             json.dumps({"op": "fire", "case_id": "tj-1", "event": "accept", "on": ON.isoformat(),
                         "payload": {"residence": residence("a", member("a", "河西区", "河西区"))}},
                        ensure_ascii=False)]
    with pytest.raises(ImportStopped, match=r"line 2: accept refused: .*a at 河西区"):
        engine.import_lines(lines)


def test_residence_on_an_event_that_does_not_judge_the_place_is_refused_by_api_and_cli(db,
                                                                                    tmp_path):
    # The temporary workflow's 受理 judges no place (民发〔2018〕23号 sets none for 临时救助), so
    # a residence given to it, or to any event but dibao's 受理, would be kept as the case's
    # attribute as if the place had been judged: a 乙县 household was recorded as accepted in
    # 甲县 through the API (and an import line), while `doudi case accept` refused it.
    # Both refuse it now: one line, exit 2, nothing written.
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", workflow="temporary", on=ON,
                            attributes={"county": "甲县"})
    household = residence("a", member("a", "乙县", "乙县"))
    before = dump_file(db)
    with pytest.raises(InvalidInput) as caught:
        engine.fire(case.id, "accept", on=ON, payload={"residence": household})
    assert str(caught.value) == ("the temporary workflow does not judge where a household may "
                                 "apply at accept: give accept no residence")
    with pytest.raises(ImportStopped, match=r"line 1: .*does not judge where a household may"):
        engine.import_lines([json.dumps({"op": "fire", "case_id": case.id, "event": "accept",
                                         "on": ON.isoformat(), "payload": {"residence": household}},
                                        ensure_ascii=False)])
    assert dump_file(db) == before
    path = tmp_path / "r.json"
    path.write_text(json.dumps(household), encoding="utf-8")
    result = run(db, "case", "accept", case.id, str(path), "--on", ON.isoformat())
    assert result.exit_code == 2
    assert error_line(result) == f"Error: {caught.value}"
    assert dump_file(db) == before
    assert run(db, "case", "accept", case.id, "--on", ON.isoformat()).exit_code == 0
    assert "residence" not in engine.case(case.id).case.attributes
    # On dibao only 受理 reads it: given to the investigation it would be kept unjudged too.
    dibao = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"})
    engine.fire(dibao.id, "accept", on=ON)
    with pytest.raises(InvalidInput, match="dibao workflow does not judge where a household may "
                                           "apply at start_investigation"):
        engine.fire(dibao.id, "start_investigation", on=ON, payload={"residence": household})
    assert engine.case(dibao.id).state == "accepted"


def test_residence_given_at_the_opening_is_refused_by_api_cli_and_import(engine, db):
    # 57号 第四条、第五条 (and each province's 四(三)) decide where a household may apply; doudi
    # judges it at 受理, from the residence given to accept. Given as an attribute at the
    # opening it was kept unjudged, and the case showed a 乙县 household's residence on a case
    # filed in 甲县 as if the place had been checked. Refused now: one line, exit 2, nothing
    # written (the API, `case open --set`, an import line alike).
    household = residence("a", member("a", "乙县", "乙县"))
    before = dump_file(db)
    with pytest.raises(InvalidInput) as caught:
        engine.open_case(province="shanxi", on=ON,
                         attributes={"county": "甲县", "residence": household})
    assert str(caught.value) == ("the dibao workflow does not judge where a household may apply "
                                 "at the opening: give the opening no residence (accept judges it)")
    with pytest.raises(InvalidInput) as temporary:  # (临时救助 judges no place at all)
        engine.open_case(province="shanxi", workflow="temporary", on=ON,
                         attributes={"county": "甲县", "residence": household})
    assert str(temporary.value) == ("the temporary workflow does not judge where a household may "
                                    "apply at the opening: give the opening no residence")
    with pytest.raises(ImportStopped) as stopped:
        engine.import_lines([json.dumps({"op": "open", "province": "shanxi", "on": ON.isoformat(),
                                         "attributes": {"county": "甲县", "residence": household}},
                                        ensure_ascii=False)])
    assert str(stopped.value).startswith(f"line 1: {caught.value}")
    result = run(db, "case", "open", "--province", "shanxi", "--set", "county=甲县",
                 "--set", "residence=乙县", "--on", ON.isoformat())
    assert result.exit_code == 2, result.output
    assert error_line(result) == f"Error: {caught.value}"
    assert dump_file(db) == before


def test_a_corrected_residence_is_judged_where_the_event_judges_the_place(engine, db):
    # A correction is checked by the corrected event's own guards (docs/evidence.md): a
    # residence corrected on 受理 is judged by 57号 第四条 as 受理 judges it — a household
    # registered and living in 乙县 "向户籍所在地……提出书面申请", so not at 甲县, exit 1 —
    # while on the opening or any other event, which judge no place, it was kept as evidence
    # unjudged: refused now as the event refuses it, exit 2. Nothing written either way.
    case = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"})
    engine.fire(case.id, "accept", on=ON)  # (no residence: the place not judged)
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 3))
    elsewhere = residence("a", member("a", "乙县", "乙县"))
    here = residence("a", member("a", "甲县", "甲县"))
    before = dump_file(db)
    with pytest.raises(EventRefused) as refusal:
        engine.correct(case.id, 1, on=date(2026, 3, 4), reason="住址", payload={
            "residence": elsewhere})
    assert str(refusal.value) == (
        f"correction of event 1 (accept on 2026-03-02): applicant a may not apply at 甲县: this "
        f"household may apply through a at 乙县 (户籍所在地; {GENERAL})")
    refused = {}
    for seq, event, on in [(0, "open", "2026-03-02"),
                           (2, "start_investigation", "2026-03-03")]:
        at = "the opening" if event == "open" else event
        with pytest.raises(InvalidInput) as caught:
            engine.correct(case.id, seq, on=date(2026, 3, 4), reason="住址",
                           payload={"residence": here})
        assert str(caught.value) == (
            f"correction of event {seq} ({event} on {on}): the dibao workflow does not judge "
            f"where a household may apply at {at}: give {at} no residence (accept judges it)")
        refused[seq] = caught.value
    assert dump_file(db) == before
    # `--set` gives text, not the members' object (`--data FILE` gives it: the next test): on
    # 受理 its guard refuses it as malformed; on the others it is refused whatever its shape.
    for seq, message in [(1, "correction of event 1 (accept on 2026-03-02): residence: expected "
                             "an object, got str"), (0, refused[0]), (2, refused[2])]:
        result = run(db, "case", "correct", case.id, str(seq), "--on", "2026-03-04",
                     "--reason", "住址", "--set", "residence=乙县")
        assert result.exit_code == 2, result.output
        assert error_line(result) == f"Error: {message}"
    assert dump_file(db) == before
    # The residence 受理 allows is recorded as its correction.
    view = engine.correct(case.id, 1, on=date(2026, 3, 4), reason="住址",
                          payload={"residence": here})
    assert view.history[-1]["corrects"] == 1
    assert view.history[-1]["payload"] == {"residence": here}


def test_a_residence_corrected_on_the_command_line_is_judged_as_accept_judges_it(engine, db,
                                                                                  tmp_path):
    # `case correct --data FILE` gives the correction's data as JSON, the members' object
    # included (`--set` gives text only, refused as "expected an object, got str", so the
    # command line could not correct 受理's residence at all). Judged by 57号 第四条 as 受理
    # judges it: a household registered and living in 乙县 "向户籍所在地……提出书面申请", so not
    # at 甲县 where the case is filed: refused with the API's line, exit 1, nothing written;
    # one registered in 甲县 may: recorded, from stdin (-) too.
    case = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"})
    engine.fire(case.id, "accept", on=ON)  # (no residence: the place not judged)
    elsewhere = residence("a", member("a", "乙县", "乙县"))
    here = residence("a", member("a", "甲县", "甲县"))
    before = dump_file(db)
    with pytest.raises(EventRefused) as refusal:
        engine.correct(case.id, 1, on=date(2026, 3, 4), reason="住址",
                       payload={"residence": elsewhere})
    path = tmp_path / "correction.json"
    path.write_text(json.dumps({"residence": elsewhere}, ensure_ascii=False), encoding="utf-8")
    result = run(db, "case", "correct", case.id, "1", "--on", "2026-03-04", "--reason", "住址",
                 "--data", str(path))
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {refusal.value}" == (
        "Error: correction of event 1 (accept on 2026-03-02): applicant a may not apply at 甲县: "
        f"this household may apply through a at 乙县 (户籍所在地; {GENERAL})")
    assert dump_file(db) == before
    result = run(db, "case", "correct", case.id, "1", "--on", "2026-03-04", "--reason", "住址",
                 "--data", "-", input=json.dumps({"residence": here}, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{case.id}: correction of event 1 recorded as event 2\n"
    correction = engine.case(case.id).history[-1]
    assert (correction["event"], correction["corrects"], correction["on"]) == (
        "correction", 1, "2026-03-04")
    assert correction["payload"] == {"residence": here}


def test_accept_fired_with_data_judges_the_place_and_records_its_set_values(engine, db, tmp_path):
    # `case fire … --data FILE` gives an event JSON data beside --set (`case accept` takes the
    # residence alone): 受理 of a household registered in 甲县 at 甲县 (57号 第四条) with
    # registered_separately=true (单独登记备案, a bool as --set types it).
    case = engine.open_case(province="shanxi", on=ON, attributes={"county": "甲县"})
    path = tmp_path / "accept.json"
    path.write_text(json.dumps({"residence": residence("a", member("a", "甲县", "乙县"))},
                               ensure_ascii=False), encoding="utf-8")
    result = run(db, "case", "fire", case.id, "accept", "--on", ON.isoformat(), "--data",
                 str(path), "--set", "registered_separately=true")
    assert result.exit_code == 0, result.output
    view = engine.case(case.id)
    assert view.state == "accepted"
    assert view.case.attributes["registered_separately"] is True
    assert view.case.attributes["application_place"] == {
        "member": "a", "place": "甲县", "how": "户籍所在地", "basis": GENERAL,
        "note": "向户籍所在地乡镇人民政府（街道办事处）提出书面申请"}


def test_a_place_or_id_that_would_not_show_as_itself_is_refused(engine, db, tmp_path):
    # Found by review: a member id or place with a terminal escape or a line break was
    # printed as it was (in the 申请地 line, a refusal, an import's skipped-line list).
    message = refused(engine, db, tmp_path, "shanxi", "甲县",
                      residence("a", member("a", "甲县\nskipped line 99: forged", "甲县")),
                      error=InvalidInput, exit_code=2)
    assert message == ("residence.members[0].registered_in: expected printable text on one "
                       "line, got \"甲县\\nskipped line 99: forged\" (character U+000A)")
