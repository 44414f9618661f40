"""Case ids split into their prefix and number (the counter an opening keeps per prefix)."""

from engine.case_numbers import split_number


def test_split_number_of_ids_doudi_numbers_and_others():
    assert split_number("shanxi-2026-000123") == ("shanxi-2026-", 123)
    assert split_number("hand-7") == ("hand-", 7)
    assert split_number("0") == ("", 0)
    # no number at the end, or one past SQLite's integers (19 digits after the zeros)
    assert split_number("shanxi-2026-") is None
    assert split_number("") is None
    assert split_number("p-" + "1" * 18) == ("p-", int("1" * 18))
    assert split_number("p-" + "1" * 19) is None
    assert split_number("p-" + "0" * 30 + "5") == ("p-", 5)
    # the digits run back as far as they go
    assert split_number("a12b0034") == ("a12b", 34)


def test_split_number_outside_ascii_as_the_pattern_reads_it():
    # Other scripts' decimal digits are digits too (int() reads them), and a line break
    # before the number leaves the id unnumbered, as it always did.
    assert split_number("p-\u0663\u0664") == ("p-", 34)
    assert split_number("案件-12") == ("案件-", 12)
    assert split_number("p\n12") is None
