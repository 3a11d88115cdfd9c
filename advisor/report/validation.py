"""The validation figures the proposal document cites, read from the studies in ``docs/``.

Each figure is a summary (a median, a count) of a study's committed CSV, never retyped by hand:
regenerating a study changes the document. Without the ``docs/`` folder (an installed wheel),
the figures are empty and the document says where to find the studies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: The repository's docs/ folder (present in a checkout, not in an installed wheel).
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _read(name: str, docs: Path) -> pd.DataFrame | None:
    path = docs / name
    return pd.read_csv(path) if path.is_file() else None


def risk_model(docs: Path = DOCS) -> dict[str, Any] | None:
    """Predicted vs realised tracking error of index funds against the S&P 500."""
    t = _read("risk-model-validation.csv", docs)
    if t is None or t.empty:
        return None
    return {
        "file": "docs/risk-model-validation.md",
        "checks": len(t),
        "funds": t["fund"].nunique(),
        "first": str(t["date"].min()),
        "last": str(t["date"].max()),
        "median_ratio": float(t["ratio"].median()),
        "median_bias": float(t["bias_stat"].median()),
    }


def replays(docs: Path = DOCS) -> list[dict[str, Any]]:
    """Each replayed episode's S&P 500 (SPY) return: actual against the replay's."""
    t = _read("scenario-validation.csv", docs)
    if t is None:
        return []
    spy = t[(t["fund"] == "SPY") & t["actual"].notna()]
    return [
        {
            "episode": r.episode,
            "start": r.start,
            "end": r.end,
            "actual": float(r.actual),
            "replay": float(r.replay),
            "error": float(r.replay_error),
        }  # fmt: skip
        for r in spy.itertuples()
    ]


def backtest(docs: Path = DOCS) -> list[dict[str, Any]]:
    """Proposals under the default mandate, held 12 months: realised TE against the budget."""
    t = _read("proposal-backtest-default.csv", docs)
    if t is None:
        return []
    ok = t[t["status"].str.startswith("optimal") & t["realised_te"].notna()]
    out = []
    for budget, g in ok.groupby("budget"):
        ratio = g["realised_te"] / budget
        out.append(
            {
                "budget": float(budget),
                "evaluations": len(g),
                "clients": g["client"].nunique(),
                "first": str(g["date"].min()),
                "last": str(g["date"].max()),
                "median_ratio": float(ratio.median()),
                "within": float((ratio <= 1).mean()),
            }  # fmt: skip
        )
    return out


def figures(docs: Path = DOCS) -> dict[str, Any]:
    """Every validation figure the methodology section cites."""
    return {"risk_model": risk_model(docs), "replays": replays(docs), "backtest": backtest(docs)}
