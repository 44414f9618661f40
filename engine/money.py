"""Money in yuan, to the fen: products and comparisons in decimal, half a fen rounded up.

Amounts arrive as JSON numbers, binary floats: 1.5 × 800.2 is 1200.3000000000002, so a
household at exactly one and a half times the standard would pass for one "低于" it; and
``round()`` rounds half a fen either way (450.505 down, 366.665 up). Each float is read as the
decimal it was written as (its shortest repr: 800.2 is 800.2), multiplied exactly, and
rounded by one rule.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import reduce
from operator import mul

FEN = Decimal("0.01")


def decimal(value: float | int | Decimal) -> Decimal:
    """``value`` as the decimal it was written as."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def product(*factors: float | int | Decimal) -> Decimal:
    """The exact product (months × standard × persons)."""
    return reduce(mul, (decimal(f) for f in factors), Decimal(1))


def to_fen(value: float | int | Decimal) -> float:
    """``value`` in yuan rounded to the fen, half up (450.505 → 450.51); nothing is 0.0, never
    -0.0 (a JSON amount of -0.0, as a platform's arithmetic may give for nothing, was paid
    and printed as "-0.0")."""
    return float(decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)) or 0.0


def fen_at_least(value: float | int | Decimal) -> float:
    """The least amount in fen not below ``value`` (540.012 → 540.02): a floor a rule sets
    ("不低于"), which rounding half up would put below it."""
    return float(decimal(value).quantize(FEN, rounding=ROUND_CEILING)) or 0.0


def yuan(value: float | int | Decimal) -> str:
    """``value`` written for a person: the decimal it was written as, without an exponent or
    trailing zeros (12345.67, 1000000, 0.5), where ``:g`` wrote 12345.7 and 1e+06. An amount
    the engine computed is rounded first (``yuan(to_fen(x))``). Nothing is "0", never "-0"."""
    written = decimal(value)
    return format((written.copy_abs() if written.is_zero() else written).normalize(), "f")
