"""Import cvxpy without loading ``scipy.stats`` and ``scipy.optimize`` (0.6 s of every
``advisor propose`` on this project's 2-core machine, measured with ``python -X importtime``).

At start-up cvxpy loads two scipy modules that advisor never uses:

* ``scipy.stats``, for one function, ``entropy``, used by its quantum relative-entropy atom
  (``cvxpy/atoms/quantum_rel_entr.py``): about 0.5 s;
* ``scipy.optimize``, when it lists the installed solvers (``cvxpy/reductions/solvers/
  defines.py``: each solver's ``import_solver``; its SCIPY solver imports ``scipy.optimize``,
  which loads ``scipy.spatial`` and HiGHS with it): 0.1-0.15 s.

While cvxpy is imported, stand-in modules answer for both: ``from scipy.stats import entropy``
gets a function that imports the real one when it is called, and any other name asked of a
stand-in loads the real module. The stand-ins are removed right after, so any later import
loads the real modules, and cvxpy's SCIPY solver (which imports ``scipy.optimize`` again when
it solves) still works. If either module or cvxpy is already loaded, cvxpy is imported as usual.

:func:`deferred` is cvxpy imported at its first use rather than when the optimizer's module is:
``advisor report`` analyses the portfolio (and sends its pages on it to the PDF's helper) before
the 0.3-0.9 s of cvxpy's import (measured: ``bench_report.py``'s breakdown, a profile).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_DEFERRED = ("scipy.stats", "scipy.optimize")


class _StandIn(types.ModuleType):
    """A scipy module as cvxpy's import sees it: ``entropy`` deferred to its first call, any
    other name taken from the real module (imported then)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self.__name__ == "scipy.stats" and name == "entropy":
            return _entropy
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _entropy(*args: Any, **kwargs: Any) -> Any:
    """``scipy.stats.entropy``, imported when first called."""
    from scipy.stats import entropy

    return entropy(*args, **kwargs)


def import_cvxpy() -> types.ModuleType:
    """The ``cvxpy`` module, imported without ``scipy.stats`` and ``scipy.optimize`` when
    neither they nor cvxpy are loaded yet."""
    if "cvxpy" in sys.modules or any(name in sys.modules for name in _DEFERRED):
        import cvxpy

        return cvxpy
    stand_ins = {name: _StandIn(name) for name in _DEFERRED}
    sys.modules.update(stand_ins)
    try:
        import cvxpy
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return cvxpy


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
