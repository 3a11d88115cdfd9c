"""Import cvxpy without the modules its start-up loads and advisor never uses (0.6 s of every
``advisor propose`` on this project's 2-core machine, measured with ``python -X importtime``).

At start-up cvxpy loads:

* ``scipy.stats``, for one function, ``entropy``, used by its quantum relative-entropy atom
  (``cvxpy/atoms/quantum_rel_entr.py``): about 0.5 s;
* ``scipy.special`` (``xlogy``, ``logsumexp``, ``entr``, ``kl_div``, ``rel_entr``: the
  values of its entropy atoms), about 45 ms; ``scipy.linalg`` and ``scipy.sparse.linalg``
  (``cvxpy/utilities/linalg.py``: decompositions for PSD checks and the like), about 70 ms;
* every installed solver, when it lists them (``cvxpy/reductions/solvers/defines.py``: each
  solver's ``import_solver``): its SCIPY solver imports ``scipy.optimize``, which loads
  ``scipy.spatial`` and HiGHS with it (0.1-0.15 s); OSQP imports Jinja2 for its code
  generation, and HiGHS and SCS their libraries (about 65 ms together).

A proposal, its scenarios and its frontier use none of them: they solve with Clarabel. While
cvxpy is imported, stand-in modules answer for those not loaded yet: a function cvxpy takes by
name (``from scipy.special import xlogy``) is one that imports the real module when it is
called, and any other name asked of a stand-in loads the real module. A solver's stand-in is
there only when the solver is installed (``importlib.util.find_spec``), so cvxpy lists the
same solvers. The stand-ins are removed right after, so any later import loads the real
modules: cvxpy's other solvers (which import their module again when they solve) and atoms
still work.

:func:`deferred` is cvxpy imported at its first use rather than when the optimizer's module is:
``advisor report`` analyses the portfolio (and sends its pages on it to the PDF's helper) before
the 0.3-0.9 s of cvxpy's import (measured: ``bench_report.py``'s breakdown, a profile).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

#: The modules cvxpy's import loads without advisor using them, and the functions it takes from
#: them by name (called only when an atom that uses them is evaluated)
_DEFERRED: dict[str, set[str]] = {
    "scipy.stats": {"entropy"},
    "scipy.optimize": set(),
    "scipy.special": {"entr", "kl_div", "logsumexp", "rel_entr", "xlogy"},
    "scipy.linalg": set(),
    "scipy.sparse.linalg": {"eigsh"},
}
#: The solvers' modules cvxpy imports to list the installed solvers (deferred when installed)
_SOLVERS = ("osqp", "highspy", "scs", "ecos")


class _StandIn(types.ModuleType):
    """A scipy module as cvxpy's import sees it: ``entropy`` deferred to its first call, any
    other name taken from the real module (imported then)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _DEFERRED.get(self.__name__, ()):
            return _deferred_function(self.__name__, name)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _deferred_function(module: str, name: str) -> Any:
    """``module.name``, a function, imported when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{module}.{name}``, imported at its first call."
    return call


def import_cvxpy() -> types.ModuleType:
    """The ``cvxpy`` module, imported without the modules of :data:`_DEFERRED` and
    :data:`_SOLVERS` that are not loaded yet."""
    if "cvxpy" in sys.modules:
        return sys.modules["cvxpy"]
    names = [name for name in _DEFERRED if name not in sys.modules]
    names += [name for name in _SOLVERS if name not in sys.modules and _installed(name)]
    stand_ins = {name: _StandIn(name) for name in names}
    sys.modules.update(stand_ins)
    try:
        import cvxpy
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return cvxpy


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


class _Deferred:
    """The ``cvxpy`` module, imported (by :func:`import_cvxpy`) when a name is first asked of it;
    each name is kept once found."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(import_cvxpy(), name)
        setattr(self, name, value)
        return value


def deferred() -> Any:
    """``cvxpy``, imported at its first use (``cp = deferred()``; ``cp.Variable`` imports it)."""
    return _Deferred()
