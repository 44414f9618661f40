"""The cases an engine keeps whole in memory for their next event, least recently used
dropped first, bounded both by their number and by what they hold.

A count alone does not bound the memory: a household's benefit case after three years of
weekly re-checks holds 151 events and 151 deadlines, about 490 kB read back, where a new
application's nine events and five deadlines take about 15 kB. Two thousand of the first
would be about a gigabyte.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from engine.store import Known

#: At most this many cases (an office's open cases, each approval opening a benefit case
#: beside it, go round fewer).
KEPT_CASES = 2048
#: At most this many history entries and deadlines in all: about 1.4 kB each as an event keeps
#: them (56 MB at the bound, bench/README.md), 1.6 kB read back (about 65 MB). 2,048 cases of
#: nine events and five deadlines are 28,672.
KEPT_ITEMS = 40_000


def _size(known: Known) -> int:
    return len(known.history) + len(known.deadlines)


class KeptCases:
    """Case id → :class:`Known`, least recently used first, counting what its cases hold and
    dropping the oldest past either bound as it keeps another. A kept case's lists are never
    extended in place (a batch copies them), so its size is fixed once kept.

    (An ``OrderedDict`` inside, not a subclass of one: which of its C methods go through an
    overridden ``__delitem__`` is an implementation detail, and the count must not drift.)"""

    __slots__ = ("_cases", "get", "items", "used")

    def __init__(self) -> None:
        self._cases: OrderedDict[str, Known] = OrderedDict()
        self.items = 0
        # (the mapping's own methods, not methods calling them: every event uses both)
        self.get: Callable[[str], Known | None] = self._cases.get
        #: The case was just used: the last to be dropped.
        self.used: Callable[[str], None] = self._cases.move_to_end

    def __len__(self) -> int:
        return len(self._cases)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._cases

    def __getitem__(self, case_id: str) -> Known:
        return self._cases[case_id]

    def keep(self, case_id: str, known: Known) -> None:
        """Keep the case as ``known``, the last to be dropped, and drop the least recently
        used past either bound."""
        cases = self._cases
        old = cases.get(case_id)
        if old is not None:  # (_size written out: every event keeps its case)
            self.items -= len(old.history) + len(old.deadlines)
        cases[case_id] = known
        cases.move_to_end(case_id)
        self.items += len(known.history) + len(known.deadlines)
        if len(cases) > KEPT_CASES or self.items > KEPT_ITEMS:
            self._trim()

    def drop(self, case_id: str) -> None:
        """Forget the case, if kept."""
        known = self._cases.pop(case_id, None)
        if known is not None:  # (_size written out: every write drops its cases first)
            self.items -= len(known.history) + len(known.deadlines)

    def _trim(self) -> None:
        # (the last one kept stays, however large: it is about to be used)
        cases = self._cases
        while len(cases) > KEPT_CASES or (self.items > KEPT_ITEMS and len(cases) > 1):
            self.items -= _size(cases.popitem(last=False)[1])

    def clear(self) -> None:
        self._cases.clear()
        self.items = 0
