"""Case ids numbered per prefix: ``{province}-2026-000123``."""

from __future__ import annotations

import re

NUMBER_WIDTH = 6  # {province}-2026-000123
#: The most digits of a number counted as a case number (SQLite's integers stop at 2**63).
NUMBER_DIGITS = 18
_NUMBERED = re.compile(r"(.*?)(\d+)")


def split_number(case_id: str) -> tuple[str, int] | None:
    """``("p-2026-", 123)`` for ``p-2026-000123``; None without a number at the end, or with
    one too long to be a case number (SQLite's integers stop at 2**63)."""
    if case_id.isascii() and "\n" not in case_id:
        # (every id doudi numbers: the digits stripped off the end, not the pattern's
        # search, which tries each place the number could start; in ASCII its \d is 0-9,
        # and its "." takes anything but a line break)
        stem = case_id.rstrip("0123456789")
        digits = case_id[len(stem):]
        if not digits or len(digits.lstrip("0")) > NUMBER_DIGITS:
            return None
        return stem, int(digits)
    match = _NUMBERED.fullmatch(case_id)
    if not match or len(match[2].lstrip("0")) > NUMBER_DIGITS:
        return None
    return match[1], int(match[2])


def numbered_id(prefix: str, number: int) -> str:
    # (zfill pads after a sign as the format's "0" does: the same text for any whole number,
    # without a nested format spec, about half the work)
    return prefix + str(number).zfill(NUMBER_WIDTH)
