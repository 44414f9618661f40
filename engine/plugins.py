"""Build the plugin manager: hook specs, built-in guards, then every ``doudi`` entry point.

Built-in provinces are ordinary entry points of the ``doudi`` group, loaded exactly as a
third party's. ``DOUDI_LOAD_PLUGINS`` (comma-separated entry-point names) limits which
installed plugins load; ``DOUDI_TRACE_PLUGINS=1`` prints every hook call to stderr.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

import pluggy

from engine import (
    default_assessment,
    default_benefit,
    default_guards,
    default_monitoring,
    default_place,
    default_temporary,
    hookspecs,
)
from engine.errors import DoudiError, PluginError

ENTRY_POINT_GROUP = "doudi"
#: The national rules, registered first under these names: the plugins that answer for every
#: province (an installed plugin answers only for its own).
BUILT_IN = {
    "doudi.default_guards": default_guards,
    "doudi.default_benefit": default_benefit,
    "doudi.default_temporary": default_temporary,
    "doudi.default_assessment": default_assessment,
    "doudi.default_place": default_place,
    "doudi.default_monitoring": default_monitoring,
}


def get_plugin_manager() -> pluggy.PluginManager:
    """A new plugin manager with the built-in guards and every allowed installed plugin."""
    pm = pluggy.PluginManager("doudi")
    pm.add_hookspecs(hookspecs)
    for name, module in BUILT_IN.items():
        pm.register(module, name=name)
    allowed = os.environ.get("DOUDI_LOAD_PLUGINS")
    allow = {n.strip() for n in allowed.split(",") if n.strip()} if allowed is not None else None
    # (listed once: each listing walks every installed distribution, at every start)
    entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    installed = {ep.name for ep in entry_points}
    loaded: dict[str, metadata.EntryPoint] = {}  # each plugin's name: the entry point loaded
    _check_own_packages(entry_points)
    if allow is not None and allow - installed:
        # A misspelt name would silently leave its province out.
        raise PluginError(f"DOUDI_LOAD_PLUGINS names {', '.join(sorted(allow - installed))}, "
                          f"which no installed plugin is (installed: {', '.join(sorted(installed))})")
    for entry_point in entry_points:
        if allow is not None and entry_point.name not in allow:
            continue
        if pm.get_plugin(entry_point.name) is not None or pm.is_blocked(entry_point.name):
            first = loaded.get(entry_point.name)
            if first is not None and first.value == entry_point.value:
                continue  # the same distribution seen twice on sys.path
            # Another plugin of the same name (a third party's named as a shipped one, or two
            # forks of one province) was passed over without a word, the one loaded following
            # sys.path.
            theirs = (f"given by two installed plugins: {first.value} ({_dist_of(first)}) and"
                      if first else "doudi's own (its national rules) and given by")
            raise PluginError(
                f"plugin name {entry_point.name!r} is {theirs} {entry_point.value} "
                f"({_dist_of(entry_point)}): the entry point's name is the plugin's, so each "
                "needs its own (rename one, or uninstall it)")
        loaded[entry_point.name] = entry_point
        try:
            # (a plugin printing while it loads must not reach stdout, where a command's
            # JSON or CSV goes: its lines go to stderr)
            with contextlib.redirect_stdout(sys.stderr):
                plugin = entry_point.load()
        except (Exception, SystemExit) as exc:  # a broken third-party plugin names itself
            # Stop rather than go on without it: its cases would read as an unknown province.
            # The way out names the plugins that do load.
            others = sorted((allow if allow is not None else installed) - {entry_point.name})
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: "
                f"{failure(exc)} (to run without it: "
                f"DOUDI_LOAD_PLUGINS={','.join(others)})"
            ) from exc
        dist = getattr(entry_point, "dist", None)
        _DISTRIBUTIONS[entry_point.name] = _dist_of(entry_point)
        _MODULES[entry_point.module] = entry_point.name
        _SHIPPED[entry_point.name] = dist is not None and dist.name == OWN_DISTRIBUTION
        unmarked = _unmarked_hooks(plugin)
        if unmarked:  # pluggy would pass over them: the province silently kept national rules
            raise PluginError(
                f"plugin {entry_point.name!r} ({_DISTRIBUTIONS[entry_point.name]}): "
                f"{', '.join(unmarked)} not marked @hookimpl, so doudi would never call "
                f"{'them' if len(unmarked) > 1 else 'it'} (from engine import hookimpl)")
        registered = _Guarded(plugin, entry_point.name)
        try:
            pm.register(registered, name=entry_point.name)
        except pluggy.PluginValidationError as exc:
            # e.g. def doudi_parameters(province, wf): an argument the hook does not pass
            detail = "; ".join(line.strip() for line in str(exc).splitlines()[1:]) or exc
            raise PluginError(f"plugin {entry_point.name!r} ({_DISTRIBUTIONS[entry_point.name]})"
                              f": {detail} (see engine/hookspecs.py)") from None
        if not pm.get_hookcallers(registered):
            # (an entry point naming a package whose hooks are in a module it does not import:
            # the province was left out without a word, "unknown province" to every command)
            raise PluginError(
                f"plugin {entry_point.name!r} ({_DISTRIBUTIONS[entry_point.name]}): "
                f"{entry_point.value} implements no hook: the entry point names the module "
                "whose functions are marked @hookimpl (a province's: doudi_register_provinces at "
                "least)")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        unknown = [h for h in dir(exc.plugin) if h.startswith("doudi_") and
                   not hasattr(hookspecs, h)]
        raise PluginError(
            f"plugin {name!r} implements an unknown hook: {', '.join(unknown) or exc} "
            "(misspelled? see engine/hookspecs.py)"
        ) from None
    if os.environ.get("DOUDI_TRACE_PLUGINS"):
        pm.trace.root.setwriter(_trace_to_stderr)
        pm.enable_tracing()
    return pm


def _trace_to_stderr(text: str) -> None:
    """A line of DOUDI_TRACE_PLUGINS's trace on stderr; none where there is none (started with
    it closed, 2>&-: the write failed, and with it the hook call and the command)."""
    if sys.stderr is not None:
        sys.stderr.write(text)


_DISTRIBUTIONS: dict[str, str] = {}
_MODULES: dict[str, str] = {}  # an installed plugin's module: its name
#: The distribution of the engine itself, whose entry points are its own provinces.
OWN_DISTRIBUTION = "doudi"
_SHIPPED: dict[str, bool] = {}


#: doudi's own top-level packages: a plugin's distribution installing one of the same name
#: takes the place of doudi's (its workflow files, its provinces, the engine itself).
OWN_PACKAGES = ("engine", "plugins", "workflows")


def _check_own_packages(entry_points: Any) -> None:
    """A PluginError naming the first plugin whose distribution installs a package of the same
    name as one of doudi's own (``workflows/dibao.toml`` beside ``doudi_hainan/``, or a copy of
    the repository's ``plugins/`` layout): Python imports one of the two, and a plugin's own
    ``workflows`` replaced doudi's workflow files without a word (installed from a wheel, the
    two share the folder: one's files written over the other's, and removed with it)."""
    seen = set()
    for entry_point in entry_points:
        dist = getattr(entry_point, "dist", None)
        if dist is None or dist.name == OWN_DISTRIBUTION or dist.name in seen:
            continue
        seen.add(dist.name)
        tops = set((dist.read_text("top_level.txt") or "").split())
        tops.update(path.parts[0] for path in dist.files or () if len(path.parts) > 1)
        clash = [name for name in OWN_PACKAGES if name in tops]
        if clash:
            raise PluginError(
                f"plugin {entry_point.name!r} ({_dist_of(entry_point)}) installs a package "
                f"named {clash[0]!r}, which is doudi's own: Python imports one of the two, so "
                "it would replace doudi's (a plugin's code is a package of its own name, as "
                "doudi_hainan, and it changes a workflow with doudi_workflow_patches; see "
                "docs/provinces.md)")


def _dist_of(entry_point: metadata.EntryPoint) -> str:
    """The distribution (name and version) an entry point comes from, for messages."""
    dist = getattr(entry_point, "dist", None)
    return f"{dist.name} {dist.version}" if dist else "?"


def plugin_named(function: Any) -> str:
    """How an error names a function a plugin handed over (a rule it returned, not a hook):
    its plugin and distribution where its module is the plugin's (or inside it), and the
    function."""
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None) or repr(function)
    for top, plugin in _MODULES.items():
        if module == top or module.startswith(f"{top}."):
            return f"{described(plugin)}: {name}"
    return f"{module}.{name}"


@contextlib.contextmanager
def failing_as(function: Any, what: str) -> Iterator[None]:
    """Inside it, a failure of ``function`` (one a plugin handed over, called there), other
    than a DoudiError raised on purpose, is a :class:`PluginError` naming it and ``what`` it
    is: one line, not a traceback where the engine happened to call it."""
    try:
        yield
    except DoudiError:
        raise
    except (Exception, SystemExit) as exc:  # (sys.exit(0) ended a command in silence, exit 0)
        raise PluginError(f"{plugin_named(function)}, {what}, failed: {failure(exc)}") from exc


def failure(exc: BaseException) -> str:
    """An exception as an error line names it: its class and message, or its class alone where
    it has none (``sys.exit()``, ``ValueError()``: the line ended in a colon before nothing)."""
    return f"{type(exc).__name__}: {exc}" if str(exc).strip() else type(exc).__name__


def described(plugin_name: str) -> str:
    """How an error line names a plugin: ``plugin 'hainan' (doudi-hainan 1.0)``."""
    return f"plugin {plugin_name!r} ({distribution_of(plugin_name)})"


def distribution_of(plugin_name: str) -> str:
    """The distribution (name and version) a plugin came from, for messages."""
    return _DISTRIBUTIONS.get(plugin_name, "built-in")


def shipped_with_doudi(plugin_name: str) -> bool:
    """Whether an installed plugin is one of the provinces doudi ships (not a third party's)."""
    return _SHIPPED.get(plugin_name, False)


def guarded(function: Callable, plugin_name: str, what: str) -> Callable:
    """``function`` of an installed plugin, an exception inside it (other than a DoudiError,
    raised on purpose) becoming a :class:`PluginError` that names the plugin, its
    distribution and ``what`` failed. Built-in modules (``doudi.*``) are left as they are."""
    if plugin_name not in _DISTRIBUTIONS:
        return function

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except DoudiError:
            raise
        except (Exception, SystemExit) as exc:  # (sys.exit(0) in a guard: exit 0, nothing said)
            raise PluginError(
                f"{described(plugin_name)} failed in {what}: {failure(exc)}"
            ) from exc

    return call


def guarded_wrapper(function: Callable, plugin_name: str, what: str, old_style: bool) -> Callable:
    """A hook wrapper of an installed plugin (a generator around the hook's call: ``wrapper``,
    or pluggy's older ``hookwrapper`` when ``old_style``), guarded as :func:`guarded` guards a
    hook: an exception inside it (other than a DoudiError) names the plugin, and it observes
    the call without changing its answer, which comes from the province's plugin and is
    checked there (a wrapper's answer in its place, or one that forgot ``return (yield)`` and
    gave None, bypassed every check)."""
    if plugin_name not in _DISTRIBUTIONS:
        return function
    named = f"{described(plugin_name)} hook wrapper {what}"

    def failed(exc: BaseException) -> BaseException:
        if isinstance(exc, DoudiError) or not isinstance(exc, Exception | SystemExit):
            return exc
        return PluginError(f"{described(plugin_name)} failed in {what} (a hook wrapper): "
                           f"{failure(exc)}")

    def changed(before: Any, after: Any) -> PluginError:
        def told(value: Any) -> str:  # (the answer's class: an AssessmentRules is pages long)
            if isinstance(value, BaseException):
                return f"an error ({type(value).__name__}: {value})"
            return "None" if value is None else type(value).__name__

        return PluginError(f"{named} changed the answer from {told(before)} to {told(after)}: "
                           "a hook wrapper observes the call (return (yield)), it does not "
                           "answer")

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        gen = function(*args, **kwargs)
        try:
            next(gen)
        except StopIteration:
            raise PluginError(f"{named} did not yield") from None
        except BaseException as exc:
            raise failed(exc) from exc
        try:
            try:
                sent = yield
            except BaseException as exc:  # (new style: the call failed, and is thrown in)
                try:
                    gen.throw(exc)
                except StopIteration as stop:
                    raise changed(exc, stop.value) from None
                except BaseException as raised:
                    if raised is exc:
                        raise
                    raise failed(raised) from raised
                raise PluginError(f"{named} yielded twice") from None
            if old_style:  # (sent: pluggy's Result, which the error is put into: pluggy
                # warns, in lines of its own, of an old-style wrapper raising)
                before = _settled(sent)
                try:
                    gen.send(sent)
                except StopIteration:
                    after = _settled(sent)
                    if after[0] is not before[0] or after[1] is not before[1]:
                        sent.force_exception(changed(before[0] or before[1],
                                                     after[0] or after[1]))
                except BaseException as exc:
                    sent.force_exception(failed(exc))
                else:
                    sent.force_exception(PluginError(f"{named} yielded twice"))
                return None
            try:
                gen.send(sent)
            except StopIteration as stop:
                if stop.value is not sent:
                    raise changed(sent, stop.value) from None
                return sent
            except BaseException as exc:
                raise failed(exc) from exc
            raise PluginError(f"{named} yielded twice")
        finally:
            gen.close()

    return call


def _settled(outcome: Any) -> tuple[Any, Any]:
    """A pluggy Result's exception and answer (None where it failed)."""
    return outcome.exception, outcome.get_result() if outcome.exception is None else None


def _unmarked_hooks(plugin: Any) -> list[str]:
    """The functions of ``plugin`` named after a hook but not marked ``@hookimpl``."""
    return [name for name in dir(plugin) if name.startswith("doudi_") and hasattr(hookspecs, name)
            and callable(getattr(plugin, name))
            and not isinstance(getattr(getattr(plugin, name), "doudi_impl", None), dict)]


class _Guarded:
    """A loaded plugin as registered: the same hook implementations, each one ``guarded``.

    Hook wrappers (generators) are ``guarded_wrapper``; every other ``doudi_*`` attribute
    is kept, so that a misspelled hook is still caught by ``check_pending``.
    """

    def __init__(self, plugin: Any, name: str) -> None:
        self._plugin = plugin
        for attr in dir(plugin):
            if not attr.startswith("doudi_"):
                continue
            value = getattr(plugin, attr)
            opts = getattr(value, "doudi_impl", None)
            if callable(value) and isinstance(opts, dict):
                if opts.get("wrapper") or opts.get("hookwrapper"):
                    value = guarded_wrapper(value, name, attr, bool(opts.get("hookwrapper")))
                else:
                    value = guarded(value, name, attr)
            setattr(self, attr, value)

    def __repr__(self) -> str:
        return f"<plugin {self._plugin!r}>"
