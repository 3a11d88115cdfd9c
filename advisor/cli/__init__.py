"""The ``advisor`` command line: parse, call the library, render, set the exit code.

Exit codes: 0 success; 1 an :class:`~advisor.errors.AdvisorError` (bad input, missing data);
2 a usage error (an option click refuses, or one that does not fit the input); 3 an infeasible
mandate (``propose``, and ``what-if``/``hedge`` with ``--propose``; the report is printed
first). ``main`` is the group; the modules ``commands``, ``data``, ``plan``, ``backtest``,
``report`` and ``book`` add the commands to it.
"""

from advisor.cli import backtest, book, commands, data, plan, report  # noqa: F401  (they register the commands)
from advisor.cli.main import main

__all__ = ["main"]
