"""The analysis as one tidy CSV: ``section,item,metric,value,unit`` (one number per row).

Tidy rows load straight into a spreadsheet pivot table or pandas; every number carries its unit.
"""

from __future__ import annotations

import csv
import io

from advisor.analytics.analysis import Analysis
from advisor.report.json import analysis_dict

_FRACTION = "fraction"
_ANNUAL = "fraction, annualised"


def _rows(a: Analysis) -> list[tuple[str, str, str, object, str]]:
    d = analysis_dict(a)
    rows: list[tuple[str, str, str, object, str]] = [
        ("summary", "account", "as_of", d["as_of"], "date"),
        ("summary", "account", "total_value", d["total_value"], "account currency"),
        ("summary", "account", "cash_weight", d["cash"]["weight"], _FRACTION),
    ]
    for p in d["positions"]:
        for key, unit in (
            ("shares", "shares"),
            ("price", "account currency"),
            ("value", "account currency"),
            ("weight", _FRACTION),
        ):
            rows.append(("position", p["ticker"], key, p[key], unit))
    c = d["concentration"]
    for key in (
        "megacap_weight",
        "benchmark_megacap_weight",
        "top10_weight",
        "benchmark_top10_weight",
        "max_company_weight",
        "active_share",
    ):
        rows.append(("concentration", "portfolio", key, c[key], _FRACTION))
    for key in ("hhi", "benchmark_hhi"):
        rows.append(("concentration", "portfolio", key, c[key], "index (0-1)"))
    for key in ("effective_n", "benchmark_effective_n"):
        rows.append(("concentration", "portfolio", key, c[key], "companies"))
    for group in ("sectors", "sizes", "styles"):
        for name, v in c[group].items():
            rows.append((group[:-1], name, "weight", v["weight"], _FRACTION))
            rows.append((group[:-1], name, "benchmark_weight", v["benchmark_weight"], _FRACTION))
    for item in d["lookthrough"]:
        rows.append(("lookthrough", item["ticker"], "weight", item["weight"], _FRACTION))
    r = d["risk"]
    for key in (
        "volatility",
        "benchmark_volatility",
        "tracking_error",
        "factor_tracking_error",
        "specific_tracking_error",
    ):
        rows.append(("risk", "portfolio", key, r[key], _ANNUAL))
    rows.append(("risk", "portfolio", "beta", r["beta"], "ratio"))
    for part, values in r["te_contributions"].items():
        for name, v in values.items():
            rows.append((f"te_{part}", name, "te_contribution", v, _ANNUAL))
    for w in d["warnings"]:
        rows.append(("warning", "", "message", w, "text"))
    return rows


def dumps(a: Analysis) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "item", "metric", "value", "unit"])
    writer.writerows(_rows(a))
    return buf.getvalue()
