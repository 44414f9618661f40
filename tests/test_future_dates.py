"""Only what has happened is recorded: an event dated after today is refused.

Found by review: `case fire C accept --on 2036-11-03` (a year typed wrong) was recorded, and
from then on no event could be recorded before 2036 (events come in date order and are never
rewritten); `case advance --as-of 2060-12-31` recorded phase-out ends years ahead the same
way. Today is the date in China (UTC+8), whatever the machine's own time zone.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from engine import Engine, InvalidInput
from engine.clock import china_today
from engine.importer import ImportStopped
from helpers import dump, dump_file, error_line, run

TODAY = date(2026, 3, 10)


@pytest.fixture
def engine(tmp_path):
    return Engine.open(str(tmp_path / "f.db"), today=lambda: TODAY)


def refused(call, name="on", when="2026-03-11"):
    with pytest.raises(InvalidInput) as error:
        call()
    assert str(error.value) == (f"{name} {when} is after today (2026-03-10): only what has "
                                "happened is recorded")


def test_no_case_event_correction_or_advance_is_recorded_after_today(engine):
    before = dump(engine)
    refused(lambda: engine.open_case(province="shanxi", on=date(2026, 3, 11)))
    assert dump(engine) == before
    case = engine.open_case(province="shanxi", on=date(2026, 3, 9))
    before = dump(engine)
    refused(lambda: engine.fire(case.id, "accept", on=date(2026, 3, 11)))
    refused(lambda: engine.correct(case.id, 0, on=date(2026, 3, 11), reason="笔误"))
    refused(lambda: engine.advance(date(2026, 3, 11)), "until")
    assert dump(engine) == before
    # Today itself is allowed.
    assert engine.fire(case.id, "accept", on=TODAY).state == "accepted"


def test_an_import_line_dated_after_today_is_a_bad_line(engine):
    lines = [json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-09", "id": "a"}),
             json.dumps({"op": "fire", "case_id": "a", "event": "accept", "on": "2026-03-11"})]
    with pytest.raises(ImportStopped) as stopped:
        engine.import_lines(lines)
    assert str(stopped.value).startswith("line 2: on 2026-03-11 is after today (2026-03-10)")
    assert list(engine.store.cases()) == []
    result = engine.import_lines(lines, skip_invalid=True)
    assert (result.events, result.skipped_count) == (1, 1)


def test_the_cli_refuses_a_date_after_today_in_china(db, monkeypatch):
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 11, 2))
    case_id = run(db, "case", "open", "--province", "shanxi", "--on", "2026-11-02").stdout.strip()
    before = dump_file(db)
    for args in (["case", "fire", case_id, "accept", "--on", "2036-11-03"],
                 ["case", "open", "--province", "shanxi", "--on", "2026-11-03"],
                 ["case", "advance", "--as-of", "2060-12-31"]):
        result = run(db, *args)
        assert result.exit_code == 2, result.output
        assert error_line(result).endswith("is after today (2026-11-02): only what has happened "
                                           "is recorded")
    # (named as the operator gave it: --as-of, not the API's until)
    assert error_line(result).startswith("Error: --as-of 2060-12-31 is after today")
    # and --on, not the API's on (found by review: "Error: on 2026-11-03 is after today")
    for args in (["case", "fire", case_id, "accept", "--on", "2026-11-03"],
                 ["case", "open", "--province", "shanxi", "--on", "2026-11-03"],
                 ["case", "correct", case_id, "0", "--on", "2026-11-03", "--reason", "x"]):
        result = run(db, *args)
        assert error_line(result) == ("Error: --on 2026-11-03 is after today (2026-11-02): "
                                      "only what has happened is recorded"), args
    empty = run(db, "case", "fire", case_id, "accept", "--on", "2026-11-02",
                "--idempotency-key", "")
    assert (empty.exit_code, error_line(empty)) == (2, "Error: Invalid value for "
                                                    "'--idempotency-key': must not be empty "
                                                    "(leave the option out for none)")
    assert dump_file(db) == before


@pytest.mark.parametrize("utc, today", [
    (datetime(2026, 12, 6, 15, 59, tzinfo=UTC), date(2026, 12, 6)),  # 23:59 in Beijing
    (datetime(2026, 12, 6, 16, 0, tzinfo=UTC), date(2026, 12, 7)),   # 00:00 the next day
    (datetime(2026, 12, 6, 20, 0, tzinfo=UTC), date(2026, 12, 7)),   # a UTC server's evening
])
def test_today_is_the_date_in_china(monkeypatch, utc, today):
    from engine import clock

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return utc.astimezone(tz)

    monkeypatch.setattr(clock, "datetime", Frozen)
    assert china_today() == today


def test_today_kept_between_calls_changes_at_midnight_in_china(monkeypatch):
    """The date is kept between calls (asked for by every event) only while the system clock
    is inside that day in China: a millisecond from midnight, or with the clock set back, it
    is worked out again. 2026-12-06 16:00 UTC is midnight of 12-07 in Beijing."""
    from engine import clock

    midnight = datetime(2026, 12, 6, 16, 0, tzinfo=UTC).timestamp()
    moments = iter([
        (midnight + 5, datetime(2026, 12, 6, 16, 0, 5, tzinfo=UTC)),       # 00:00:05, 12-07
        (midnight + 86399, None),                                          # 23:59:59: kept
        (midnight + 86400 - 0.0005, datetime(2026, 12, 7, 15, 59, 59, 999500, tzinfo=UTC)),
        (midnight + 86400, datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),      # 00:00, 12-08
        (midnight - 1, datetime(2026, 12, 6, 15, 59, 59, tzinfo=UTC)),     # set back: 12-06
    ])
    asked = []

    class Real(datetime):  # (the clock taken for the real one: kept between calls)
        @classmethod
        def now(cls, tz=None):
            asked.append(tz)
            return utc.astimezone(tz)

    monkeypatch.setattr(clock, "datetime", Real)
    monkeypatch.setattr(clock, "_REAL", Real)
    monkeypatch.setattr(clock, "_known", None)
    found = []
    for at, utc_now in moments:
        monkeypatch.setattr(clock.time, "time", lambda at=at: at)
        utc = utc_now
        found.append(clock.china_today())
    assert found == [date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 8),
                     date(2026, 12, 6)]
    assert len(asked) == 4  # (23:59:59 was kept; 23:59:59.9995 was asked)


def test_an_engine_without_its_own_today_uses_chinas(tmp_path, monkeypatch):
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 5, 1))
    assert Engine.open(str(tmp_path / "c.db")).today() == date(2026, 5, 1)
