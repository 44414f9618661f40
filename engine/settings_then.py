"""The county settings as they stood when a case's events were recorded.

``audit verify`` finds a case whose stored deadlines differ from what its history gives now.
Where county settings or their set-asides recorded since explain the difference (a setting
dated back, one set aside), the finding names them rather than calling the case altered:
the case is worked out again, each event with the settings and set-asides recorded by its
time (:class:`SettingsThen`), and must give exactly the deadlines stored. Read only for such a
case, never for an intact database.
"""

from __future__ import annotations

import bisect

from engine import local_parameters
from engine.errors import DamagedRecord
from engine.local_parameters import LocalSetting, Place
from engine.store import Store, first_voids

#: The county-settings cuts tried for a case at most
#: (:meth:`engine.maintenance.Maintenance._settings_then_give`): the settings and set-asides
#: recorded in the second its last event was (stored to the second) may have been recorded
#: before it or after; any more in that second are left untried.
_CUTS_TRIED = 16
#: Those a finding names at most (then "and N more").
_NAMED_AT_MOST = 3


class SettingsThen:
    """The county settings and their set-asides as stored, read when a case's deadlines first
    differ from what its history gives (never for an intact database), and the settings as
    they stood after a number of each was recorded, built once for every case that asks the
    same object (verify keeps one for its pass, and makes another for each case it checks
    again in one snapshot, where the settings may have changed since the first was read)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: list[dict] | None = None
        self._voids: list[dict] = []
        self._at: tuple[list[str], list[str]] = ([], [])  # (each one's recorded_at)
        self._in_order = (True, True)  # (whether each is in the order of its recorded_at)
        self._places: dict[int, tuple] = {}  # (each setting's province, workflow, county)
        self._set_aside: dict[int, dict] = {}  # (every set-aside now, by the setting's id)
        self._set_aside_then: dict[int, dict[int, dict]] = {}  # (by how many were recorded)
        self._built: dict[tuple[int, int], tuple[dict[Place, list[LocalSetting]], set[tuple],
                                                 dict]] = {}

    def _read(self) -> tuple[list[dict], list[dict]]:
        """Every setting's row and every set-aside's, in the order recorded."""
        if self._rows is None:
            self._rows = self.store.local_setting_rows()
            self._voids = self.store.setting_void_rows()
            self._at = ([str(r.get("recorded_at")) for r in self._rows],
                        [str(v.get("recorded_at")) for v in self._voids])
            self._in_order = (self._at[0] == sorted(self._at[0]),
                              self._at[1] == sorted(self._at[1]))
            self._places = {r["id"]: (r.get("province"), r.get("workflow"), r.get("county"))
                            for r in self._rows}
            self._set_aside = first_voids(self._voids)
        return self._rows, self._voids

    def _then(self, count: int) -> dict[int, dict]:
        """The set-asides of the first ``count`` recorded, by the setting's id."""
        if count not in self._set_aside_then:
            self._set_aside_then[count] = first_voids(self._voids[:count])
        return self._set_aside_then[count]

    def cuts(self, at: str) -> list[tuple[int, int]]:
        """How many settings and set-asides may have been recorded when a case's last event
        was, recorded ``at``: those recorded before that second, and each more of that second
        (newest first); all there are now too (an earlier event may have been counted without
        some, :meth:`earlier`)."""
        (k_before, k_upto), (j_before, j_upto) = self._bounds(at)
        return [(k, j) for k in range(k_upto, k_before - 1, -1)
                for j in range(j_upto, j_before - 1, -1)][:_CUTS_TRIED]

    def every(self) -> tuple[int, int]:
        """The cut of all the settings and set-asides there are now."""
        rows, voids = self._read()
        return len(rows), len(voids)

    def _bounds(self, at: str) -> tuple[tuple[int, int], tuple[int, int]]:
        """How many settings, and how many set-asides, were recorded before the second
        ``at``, and how many by its end."""
        self._read()

        def counts(times: list[str], in_order: bool) -> tuple[int, int]:
            if in_order:
                return bisect.bisect_left(times, at), bisect.bisect_right(times, at)
            # (a clock set back: counted one by one)
            return sum(t < at for t in times), sum(t <= at for t in times)

        return counts(self._at[0], self._in_order[0]), counts(self._at[1], self._in_order[1])

    def earlier(self, cut: tuple[int, int], at: str) -> tuple[int, int]:
        """The cut an event recorded ``at``, before the case's last, was counted with where
        the last was counted with ``cut``: the settings and set-asides recorded by then, those
        of its own second as many as ``cut`` allows (one of the last event's second: ``cut``'s
        own)."""
        (k_before, k_upto), (j_before, j_upto) = self._bounds(at)
        return (min(max(cut[0], k_before), k_upto), min(max(cut[1], j_before), j_upto))

    def as_of(self, cut: tuple[int, int]) -> tuple[dict[Place, list[LocalSetting]], set[tuple], dict]:
        """The settings in force by place after the first ``cut`` settings and set-asides were
        recorded, the places whose settings then cannot be told, and the workflows built
        with them (kept for the next case). A setting set aside since was in force then: read
        as its row reads now, whether or not it fits its hash (the deadlines worked out with
        it must then be those stored, which a value changed by hand would not give); one that
        cannot be read at all leaves its place untold."""
        if cut not in self._built:
            rows, _ = self._read()
            then = self._then(cut[1])
            kept: list[dict] = []
            since: list[dict] = []
            for row in rows[:cut[0]]:
                voided_since = row["id"] in self._set_aside and row["id"] not in then
                (since if voided_since else kept).append(row)
            local, damaged = local_parameters.read_by_place(kept, then)
            settings = [s for place in local.values() for s in place]
            untold: set[tuple] = set(damaged)
            for row in since:
                try:
                    settings.append(LocalSetting.from_row(row))
                except DamagedRecord:
                    untold.add(self._places[row["id"]])
            # (by_place keeps the recorded order in a day; each is stored: it has its id)
            settings.sort(key=lambda s: s.id)  # type: ignore[arg-type,return-value]
            self._built[cut] = (local_parameters.by_place(settings), untold, {})
        return self._built[cut]

    def named(self, cut: tuple[int, int], province: str, workflow: str, counties: set[str | None]
              ) -> str:
        """The settings and set-asides recorded after ``cut`` of the case's places (of its
        province and workflow, if none is), as a finding names them."""
        rows, _ = self._read()
        then = self._then(cut[1])
        listed = [(place, f"setting #{r['id']}, recorded {r.get('recorded_at')}")
                  for r in rows[cut[0]:] if (place := self._places[r["id"]])[:2] == (province, workflow)]
        listed += [(place, f"set-aside #{v['id']} of setting #{v['setting']}, recorded "
                           f"{v.get('recorded_at')}")
                   for v in self._set_aside.values() if v["setting"] not in then
                   and (place := self._places.get(v["setting"], (None,) * 3))[:2] == (province, workflow)]
        own = [text for place, text in listed if place[2] in counties] or [text for _, text in listed]
        more = len(own) - _NAMED_AT_MOST
        return "; ".join(own[:_NAMED_AT_MOST]) + (f"; and {more} more" if more > 0 else "")
