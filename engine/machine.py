"""One transitions state machine per (province, workflow), driving lightweight case tokens.

Building a ``Machine`` costs about a millisecond and ``add_model`` as much again per object,
so no case ever gets its own: each event is triggered on a throwaway token that carries the
case's current state. Guards are resolved from the guard registry when the machine is built;
the machine never sees a callback name it would resolve lazily or import.
"""

from __future__ import annotations

from transitions import Machine

from engine.errors import EventRefused, InvalidInput
from engine.guards import Guard, GuardContext, GuardRegistry
from engine.workflow import Workflow


class _Token:
    """The lightweight model transitions moves: only a state."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _condition(guard: Guard):
    def check(event_data) -> bool:
        reason = guard(event_data.kwargs["ctx"])
        if reason is None:
            return True
        event_data.kwargs["refusals"].append(reason)
        return False

    return check


class ProcessMachine:
    """The state machine of one province's effective workflow."""

    def __init__(self, workflow: Workflow, guards: GuardRegistry) -> None:
        self.workflow = workflow
        self.machine = Machine(
            model=None,
            states=[s.name for s in workflow.states],
            initial=workflow.initial,
            auto_transitions=False,
            send_event=True,
        )
        # (event, closed state) pairs a case may still record once closed
        self._after_closing = frozenset((t.event, s) for t in workflow.transitions
                                        if t.after_closing for s in t.sources)
        # What ``fire`` decides by, for each (event, state) the event may leave (a closed
        # state only where the event is recorded after closing): the transitions in the
        # order transitions tries them, as (destination, guards). The guards are the very
        # functions the machine's conditions call.
        routes: dict[tuple[str, str], list[tuple[str, tuple[Guard, ...]]]] = {}
        for t in workflow.transitions:
            resolved = tuple(guards[g] for g in t.guards)
            self.machine.add_transition(
                t.event,
                list(t.sources),
                t.dest,  # None: an internal transition
                conditions=[_condition(guard) for guard in resolved],
            )
            for source in t.sources:
                if source in workflow.final_states and (t.event, source) not in \
                        self._after_closing:
                    continue
                routes.setdefault((t.event, source), []).append((t.dest or source, resolved))
        self._routes = {pair: tuple(found) for pair, found in routes.items()}
        #: The workflow's events (every event is first checked against them: a caller may
        #: look here and call :meth:`check_event` only for the refusal)
        self.event_names = frozenset(self.machine.events)
        # Where the first transition has no guards it is taken whatever the context.
        self._unguarded = {pair: found[0][0] for pair, found in routes.items() if not found[0][1]}

    def allowed_events(self, state: str) -> list[str]:
        return self.machine.get_triggers(state)

    def check_event(self, event: str) -> None:
        """Raise :class:`InvalidInput` if the workflow has no such event (a usage error)."""
        if event not in self.event_names:
            known = ", ".join(self.workflow.events)
            raise InvalidInput(f"unknown event {event!r} for workflow {self.workflow.name!r} "
                               f"(events: {known})")

    def unguarded(self, state: str, event: str) -> str | None:
        """The state :meth:`fire` moves a case in ``state`` to on ``event`` whatever its
        context, where no guard decides it (the first transition has none); None where a
        guard does, or the event is refused there."""
        return self._unguarded.get((event, state))

    def fire(self, state: str, event: str, ctx: GuardContext) -> str:
        """The state after ``event``; raises :class:`EventRefused` saying why not."""
        routes = self._routes.get((event, state))
        if routes is None:  # not allowed here: said why
            self.check_event(event)
            if state in self.workflow.final_states and (event, state) not in self._after_closing:
                raise EventRefused(f"case {ctx.case_id} is closed ({state}): {event} refused")
            allowed = ", ".join(self.allowed_events(state)) or "none"
            raise EventRefused(
                f"{event} is not allowed in state {state} "
                f"({self.workflow.state(state).title}); allowed: {allowed}"
            )
        # The transitions leaving ``state`` on ``event``, in order; the first whose guards
        # all pass is taken, exactly as Event.trigger decides (each condition in turn, the
        # first refusing one ending the transition's). They are checked here directly:
        # trigger would also move the token, run the (empty) callback lists and log each
        # step, and each condition would find its function again through the machine and
        # an EventData built for the event. tests/test_machine.py checks this against
        # Event.trigger for every state and event.
        refusals: list[str] = []
        for dest, guards in routes:
            for guard in guards:
                reason = guard(ctx)
                if reason is not None:
                    refusals.append(reason)
                    break
            else:
                return dest
        raise EventRefused(f"{event} refused: " + "; ".join(dict.fromkeys(refusals)))


def mermaid(workflow: Workflow) -> str:
    """The workflow as a mermaid state diagram, drawn by transitions' own diagram support."""
    from transitions.extensions.diagrams import GraphMachine  # only for diagrams

    graph = GraphMachine(
        states=[s.name for s in workflow.states],
        initial=workflow.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        title=f"{workflow.name}: {workflow.title}",
        show_conditions=True,
    )
    for t in workflow.transitions:
        graph.add_transition(t.event, list(t.sources), t.dest, conditions=list(t.guards))
    return graph.get_graph().draw(None)
