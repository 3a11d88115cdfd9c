"""JSON output: ``json.dumps`` of a result's ``to_dict()`` (the contract other tools rely on).

The keys named in the issues are a contract; add keys freely, never rename. Numbers are raw
fractions (weights, returns, annualised risk) or money in the account currency.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(result: Any) -> str:
    """The result's ``to_dict()`` (or a dict as it is) as indented JSON."""
    return json.dumps(result if isinstance(result, dict) else result.to_dict(), indent=2)
