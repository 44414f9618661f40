"""Where a household may apply (申请地): the place a case is filed at, checked at 受理 against
its members' registration (户籍所在地) and usual residence (经常居住地).

Nationally a household applies where its applicant is registered (民发〔2021〕57号 第四条).
Where its members are registered in different provinces, a member whose registration and
residence coincide applies where registered; where no member's do, any member where
registered (第五条). Places are compared as the county (县（市、区）) a case is filed at.

What a province decides comes from its ``PlaceRules`` (hook ``doudi_place_rules``): when a
household counts as registered apart (in different provinces, or already in different
counties), whether members living away from their registration may also apply where they
live, and ways of its own (a spouse from another province, say). Whether residence-permit
holders may apply where they live is a parameter each county may set
(``residence_permit_applications``: "有条件的地区可以有序推进").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs
from attrs import frozen

from engine.arguments import spelled
from engine.assessment import RELATIONS
from engine.errors import InvalidInput, PluginError
from engine.json_reader import Reader
from engine.shapes import is_instance, list_of, listed, one
from engine.workflow import Parameter

GENERAL = "民发〔2021〕57号 第四条"
GENERAL_NOTE = "向户籍所在地乡镇人民政府（街道办事处）提出书面申请"
SPLIT = "民发〔2021〕57号 第五条"
SPLIT_NOTE = ("共同生活的家庭成员户籍所在地不在同一省（自治区、直辖市）的，由户籍所在地与经常居住地一致的"
              "家庭成员向其户籍所在地提出申请；均不一致的，由任一家庭成员向其户籍所在地提出申请")
PERMIT = "residence_permit_applications"  # the parameter: 居住证 holders may apply where they live
REGISTERED, LIVES = "户籍所在地", "经常居住地"
SPLIT_BY = ("province", "county")


@frozen
class Resident:
    """One member of the household: where registered, where living, since when."""

    id: str
    registered_in: str  # 户籍所在地: the county
    lives_in: str  # 经常居住地: the county
    local: bool = True  # registered in the province the case is filed in (本省户籍)
    residence_permit: bool = False  # holds a 居住证 where they live
    relation: str | None = None  # to the applicant (spouse, child, …); None for the applicant
    years_here: float = 0.0  # years lived in the province continuously with the household

    @property
    def consistent(self) -> bool:
        """Registered where they live (户籍所在地与经常居住地一致)."""
        return self.registered_in == self.lives_in


@frozen
class Residence:
    """The household's members as the application place rules see them."""

    applicant: str
    members: tuple[Resident, ...]
    spouse_died: bool = False  # the applicant's spouse, registered in the province, has died

    @property
    def member(self) -> Resident:
        return next(m for m in self.members if m.id == self.applicant)

    def related(self, relation: str) -> list[Resident]:
        return [m for m in self.members if m.relation == relation]

    def split(self, by: str) -> bool:
        """Registered apart: not all in the province (``province``), or not all in one county.

        By county, members all registered outside the province in one county (or a single
        person) are not registered apart: they apply where registered, in their own province."""
        if by == "county" and len({m.registered_in for m in self.members}) > 1:
            return True
        if by == "county":
            return len({m.local for m in self.members}) > 1
        return not all(m.local for m in self.members)

    @classmethod
    def from_json(cls, data: Any) -> Residence:
        """Parse the residence data; a malformed one raises :class:`InvalidInput` naming the field."""
        reader = Reader(data, "residence").only("members", "applicant", "spouse_died")
        members, applicant = reader.members(_resident)
        return cls(applicant, members, reader.boolean("spouse_died", default=False))


def _resident(r: Reader) -> Resident:
    r.only("id", "registered_in", "lives_in", "local", "residence_permit", "relation",
           "years_here")
    relation = r.text("relation", default=None)
    if relation is not None and relation not in RELATIONS:
        raise InvalidInput(f"{r.path}.relation: {spelled(relation)} is not one of {', '.join(RELATIONS)}")
    return Resident(
        id=r.text("id"),
        registered_in=r.text("registered_in"),
        lives_in=r.text("lives_in"),
        local=r.boolean("local", default=True),
        residence_permit=r.boolean("residence_permit", default=False),
        relation=relation,
        years_here=r.number("years_here", default=0.0),
    )


_TEXT = one("text", is_instance(str))


@frozen
class Way:
    """One member may apply at one place, by one clause (``note``: its words, kept as evidence).

    Its fields are text, checked when built (a TypeError naming the field): the way is
    recorded with the 受理, where a province's NaN or date failed the write in a traceback.
    """

    member: str = attrs.field(validator=_TEXT)
    place: str = attrs.field(validator=_TEXT)
    how: str = attrs.field(validator=_TEXT)  # 户籍所在地 | 经常居住地 | the province's own words
    basis: str = attrs.field(validator=_TEXT)  # document and clause
    note: str = attrs.field(default="", validator=_TEXT)

    def to_json(self) -> dict:
        return attrs.asdict(self)

    def __str__(self) -> str:
        # (a parameter's citation may carry the clause's words after the clause: left out)
        return f"{self.member} at {self.place} ({self.how}; {self.basis.partition('（')[0]})"


#: A province's own ways of applying, beside the general ones.
ExtraWays = Callable[[Residence], Iterable[Way]]


@frozen
class PlaceRules:
    """Everything a province decides about where a household may apply."""

    # "province": registered apart when not all in the province (national); "county": when
    # not all in one county (a province that settles cross-county households itself).
    split_by: str = attrs.field(default="province",
                                validator=attrs.validators.in_(SPLIT_BY))
    # (text, checked when built: each is recorded with the 受理 of a way it gives)
    split_basis: str = attrs.field(default=SPLIT, validator=_TEXT)
    split_note: str = attrs.field(default=SPLIT_NOTE, validator=_TEXT)
    # Registered apart and no member registered where living: any member may also apply where
    # living, not only where registered.
    inconsistent_at_residence: bool = attrs.field(default=False, validator=one(
        "True or False", is_instance(bool)))
    # (a lone function, not in a tuple, failed as "not iterable" in the 受理 guard's traceback)
    extra: tuple[ExtraWays, ...] = attrs.field(default=(), converter=listed, validator=list_of(
        "functions of the household's Residence returning Ways, as extra=(my_ways,)", callable))


def _extra_ways(extra: ExtraWays, residence: Residence) -> list[Way]:
    """A province's own ways, from its plugin's function: a failure, or anything but Ways, is
    a :class:`PluginError` naming the function (its module is the plugin's), not a
    traceback in the 受理 guard."""
    from engine.plugins import failing_as, plugin_named

    with failing_as(extra, "a PlaceRules extra"):
        found = list(extra(residence))
    wrong = [w for w in found if not isinstance(w, Way)]
    if wrong:
        raise PluginError(f"{plugin_named(extra)}, a PlaceRules extra, returned {wrong[0]!r}, "
                          "not a Way")
    return found


def ways(residence: Residence, rules: PlaceRules, permit: Parameter | None = None) -> list[Way]:
    """Every (member, place) the household may apply at, each with its clause."""
    members = residence.members
    found: list[Way] = []
    if not residence.split(rules.split_by):
        # (a registration outside the province, one county's for all: no place here)
        found += [Way(m.id, m.registered_in, REGISTERED, GENERAL, GENERAL_NOTE) for m in members
                  if m.local]
    else:
        split = rules.split_basis, rules.split_note
        # 第五条 names the member registered where living, where there is one: the others'
        # registrations are not where the household lives. A registration outside the
        # province is no place here (that member applies in their own province).
        consistent = [m for m in members if m.consistent]
        found += [Way(m.id, m.registered_in, REGISTERED, *split)
                  for m in consistent or members if m.local]
        if not consistent and rules.inconsistent_at_residence:
            found += [Way(m.id, m.lives_in, LIVES, *split) for m in members]
    for extra in rules.extra:
        found += _extra_ways(extra, residence)
    if permit is not None and permit.value is True:
        found += [Way(m.id, m.lives_in, f"{LIVES}（持有居住证）", permit.citation, permit.title)
                  for m in members if m.residence_permit]
    first: dict[tuple[str, str], Way] = {}  # a place two clauses allow: the first names it
    for way in found:
        first.setdefault((way.member, way.place), way)
    return list(first.values())


def way_for(residence: Residence, place: str, found: list[Way]) -> Way | None:
    """The way (of ``found``) the applicant applies at ``place``, if any."""
    return next((w for w in found if w.member == residence.applicant and w.place == place), None)


def refusal(residence: Residence, place: str, found: list[Way]) -> str:
    """Why the applicant may not apply at ``place``: the places the household may apply at."""
    if not found:
        return (f"applicant {residence.applicant} may not apply at {place}: this household may "
                "apply nowhere in this province (its members apply where they are registered)")
    allowed = "; ".join(str(w) for w in found)
    return (f"applicant {residence.applicant} may not apply at {place}: this household may "
            f"apply through {allowed}")
