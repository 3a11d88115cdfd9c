"""Import cvxpy without loading ``scipy.stats`` (half a second of every ``advisor propose``).

cvxpy imports ``scipy.stats`` at start-up for one function, ``entropy``, used by its quantum
relative-entropy atom (``cvxpy/atoms/quantum_rel_entr.py``), which advisor never uses. Loading
``scipy.stats`` costs about 0.5 s (measured with ``python -X importtime``: 0.5-0.8 s of cvxpy's
1.1-1.7 s on this project's 2-core machine). While cvxpy is imported, a stand-in module answers
``from scipy.stats import entropy`` with a function that imports the real one when it is called;
the stand-in is removed right after, so any later ``import scipy.stats`` loads the real module.
If ``scipy.stats`` or cvxpy is already loaded, cvxpy is imported as usual.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _StatsStandIn(types.ModuleType):
    """``scipy.stats`` as cvxpy's import sees it: ``entropy`` only."""

    def __getattr__(self, name: str) -> Any:
        if name == "entropy":
            return _entropy
        raise AttributeError(f"scipy.stats stand-in: {name!r} (only cvxpy's import uses it)")


def _entropy(*args: Any, **kwargs: Any) -> Any:
    """``scipy.stats.entropy``, imported when first called."""
    from scipy.stats import entropy

    return entropy(*args, **kwargs)


def import_cvxpy() -> types.ModuleType:
    """The ``cvxpy`` module, imported without ``scipy.stats`` when neither is loaded yet."""
    if "cvxpy" in sys.modules or "scipy.stats" in sys.modules:
        import cvxpy

        return cvxpy
    stand_in = _StatsStandIn("scipy.stats")
    sys.modules["scipy.stats"] = stand_in
    try:
        import cvxpy
    finally:
        if sys.modules.get("scipy.stats") is stand_in:
            del sys.modules["scipy.stats"]
    return cvxpy
