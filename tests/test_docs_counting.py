"""docs/counting.md's limits on amounts are the ones the engine holds to."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from engine import Engine, InvalidInput

ROOT = Path(__file__).resolve().parent.parent
PAGE = " ".join((ROOT / "docs" / "counting.md").read_text(encoding="utf-8").split())


def test_the_largest_amount_the_page_gives_is_the_one_refused_beyond(tmp_path):
    """The page named the two decimals but not the bound: an amount of 2,000,000,000,000 was
    refused, exit 2, "at most 1,000,000,000,000", by a rule no page gave (found by a session
    checking the docs against the code)."""
    found = re.search(r"any amount or count beyond ([\d,]+)", PAGE)
    assert found, "counting.md names the largest amount"
    largest = int(found.group(1).replace(",", ""))
    with Engine.open(tmp_path / "cases.db") as engine:
        opened = engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 2),
                                  attributes={"amount": largest, "paid_from": "2026-04"})
        assert opened.case.attributes["amount"] == largest
        with pytest.raises(InvalidInput, match="at most 1,000,000,000,000"):
            engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 3, 2),
                             attributes={"amount": largest + 1, "paid_from": "2026-04"})
