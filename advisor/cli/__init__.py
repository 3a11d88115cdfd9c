"""The ``advisor`` command line: parse, call the library, render, set the exit code.

Exit codes: 0 success; 1 an :class:`~advisor.errors.AdvisorError` (bad input, missing data);
2 a usage error (an option click refuses, or one that does not fit the input); 3 an infeasible
mandate (``propose``, and ``what-if``/``hedge`` with ``--propose``; the report is printed
first). ``main`` is the group; the modules ``commands``, ``data``, ``plan``, ``backtest``,
``report`` and ``book`` add the commands to it. ``run`` is the console entry point.
"""

from __future__ import annotations

import gc
import os
import sys

from advisor.cli import backtest, book, commands, data, plan, report  # noqa: F401  (they register the commands)
from advisor.cli.main import main

__all__ = ["main", "run"]


def run() -> None:
    """``advisor`` as a process: :func:`main`, then exit without tearing the interpreter down.

    Freeing every pandas, cvxpy and snapshot object one by one at exit took 0.3-0.8 s of each
    command (measured: ``advisor propose`` 3.6 s with the usual exit, 2.8 s without, load average
    about 2). The output is flushed first; the usual exit is kept when child processes or Dask
    may still need their exit handlers (``advisor book`` on a cluster).
    """
    # The cyclic collector less often (every 50,000 new objects instead of 700): importing
    # pandas and cvxpy and loading the snapshot leave about 100,000 tracked objects that live as
    # long as the process, and each full collection walks them (imports and snapshot load
    # measured 0.86-0.97 s -> 0.81-0.85 s).
    gc.set_threshold(50_000, 20, 20)
    try:
        main()
        code: int = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    # child processes exist only if multiprocessing was imported (not importing it: 10 ms)
    mp = sys.modules.get("multiprocessing")
    if "distributed" in sys.modules or (mp is not None and mp.active_children()):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe (`advisor ... | head`): nothing to keep
        pass
    os._exit(code)
