"""The application place inside a case: ``accept`` given the members' residence
(``payload["residence"]``) checks the household may apply where the case is filed, and records
the way it does with its clause. Registered as an ordinary plugin, with the national rules."""

from __future__ import annotations

from engine.application_place import PERMIT, PlaceRules, Residence, Way, refusal, way_for, ways
from engine.effects import Outcome
from engine.errors import InvalidInput
from engine.guards import GuardContext
from engine.hookspecs import hookimpl
from engine.workflow import OPEN_EVENT

#: The guard that judges the place from the members' residence: the transitions that list it
#: are the only ones that read ``payload["residence"]``.
GUARD = "application_place_allowed"


def check_residence_judged(workflow, event: str, data) -> None:
    """Residence given to an event no transition of which judges the place (the temporary
    workflow's 受理, any event but 受理), at the opening (``event`` :data:`OPEN_EVENT`,
    ``data`` its attributes) or in a correction of such an event (``data`` the corrected
    data) is refused (:class:`InvalidInput`): recorded, it would be kept as the case's
    attribute, or as its evidence, as if the place had been judged, and it was not."""
    if "residence" not in data:
        return
    judging = list(dict.fromkeys(t.event for t in workflow.transitions if GUARD in t.guards))
    if event in judging:
        return
    at = "the opening" if event == OPEN_EVENT else event
    raise InvalidInput(f"the {workflow.name} workflow does not judge where a household may "
                       f"apply at {at}: give {at} no residence"
                       + (f" ({' or '.join(judging)} judges it)" if judging else ""))


def _residence(ctx: GuardContext) -> Residence | None:
    # (given as null it is refused as malformed, not taken for "not given")
    return Residence.from_json(ctx.payload["residence"]) if "residence" in ctx.payload else None


def _ways(ctx: GuardContext, residence: Residence) -> list[Way]:
    rules = ctx.hooks.doudi_place_rules(province=ctx.province, parameters=dict(ctx.parameters))
    return ways(residence, rules, ctx.parameters.get(PERMIT))


def application_place_allowed(ctx: GuardContext) -> str | None:
    """Given the members' residence, the case's county must be a place the household may apply
    at; without it, the place is the township's to judge and nothing is checked."""
    residence = _residence(ctx)  # a malformed one is refused, naming the field
    if residence is None:
        return None
    place = ctx.attributes.get("county")
    if not place:
        raise InvalidInput(f"{ctx.event} with residence needs the case's county (--set county=…): "
                           "the place the household applies at")
    found = _ways(ctx, residence)
    if way_for(residence, place, found) is None:
        return refusal(residence, place, found)
    return None


def record_application_place(ctx: GuardContext, outcome: Outcome) -> None:
    residence = _residence(ctx)
    if residence is None:
        return
    place = ctx.attributes["county"]
    way = way_for(residence, place, _ways(ctx, residence))
    assert way is not None, "the guard allowed the place"
    outcome.attributes["application_place"] = way.to_json()


@hookimpl
def doudi_register_guards(register):
    register(GUARD, application_place_allowed)


@hookimpl
def doudi_register_effects(register):
    register("record_application_place", record_application_place)


@hookimpl(trylast=True)
def doudi_place_rules(province, parameters):
    return PlaceRules()
