"""The client proposal document: one self-contained HTML page (inline CSS and SVG, no script).

:func:`render` takes a :class:`~advisor.optimize.proposal.Proposal`, the
:class:`~advisor.scenarios.whatif.WhatIf` run on it and the
:class:`~advisor.optimize.frontier.Frontier` of the same holdings, and fills the Jinja2 template
``templates/proposal.html.j2`` (autoescape on: every text from an input file is escaped). Every
figure is read from the results' ``to_dict()``, the JSON the commands print, and formatted with
the tables' own :func:`~advisor.report.numbers.pct` and :func:`~advisor.report.numbers.money`;
the view here selects, groups and orders. One sum is its own: the megacap weight held directly
and through funds, the analysis's ``megacap_sources`` split by the holding's kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from advisor.errors import AdvisorError
from advisor.report import charts, validation
from advisor.report.numbers import money, pct, pp, shares

#: The scenarios of the document, in its order: two stated moves and two replays.
SCENARIO_REPLAYS = ("rates-2022", "broadening-2023")
PAPERS = {"a4": "A4", "letter": "Letter"}


@dataclass(frozen=True)
class Cover:
    """Who the document is for and by, and the day it is dated."""

    client: str
    advisor: str = ""
    date: dt.date | None = None
    paper: str = "a4"


def report_scenarios() -> list[Any]:
    """The document's scenarios: a megacap sell-off, a small-cap rally, 2022, late 2023."""
    from advisor.scenarios.whatif import default_scenarios

    return default_scenarios(SCENARIO_REPLAYS)


def _num(x: float, digits: int = 1) -> str:
    """A plain number to ``digits`` decimals, without a sign on zero (``-0.0004`` -> ``0.00``)."""
    text = f"{x:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("advisor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, money=money, pp=pp, shares=shares, num=_num)
    return env


def _names(d: dict[str, Any]) -> dict[str, str]:
    """Ticker -> name, from the positions before and after."""
    out: dict[str, str] = {}
    for part in (d["before"], d["after"]):
        out.update({p["ticker"]: p.get("name") or "" for p in part["positions"]})
    return out


def _megacap_split(a: dict[str, Any]) -> dict[str, float]:
    """The look-through megacap weight held directly and through funds."""
    kind = {p["ticker"]: p["kind"] for p in a["positions"]}
    direct = sum(s["weight"] for s in a["concentration"]["megacap_sources"]
                 if kind.get(s["holding"]) != "fund")  # fmt: skip
    funds = sum(s["weight"] for s in a["concentration"]["megacap_sources"]
                if kind.get(s["holding"]) == "fund")  # fmt: skip
    return {"direct": direct, "funds": funds}


def _trades_by_account(d: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The trades grouped by account, sells first, in the proposal's order."""
    accounts = {a["id"]: a for a in d["accounts"]} or {"": {"id": "", "name": "", "type": ""}}
    out = []
    for key, acc in accounts.items():
        rows = [dict(t, name=names.get(t["ticker"], "")) for t in d["trades"]
                if (t.get("account") or "") == key]  # fmt: skip
        if rows:
            rows.sort(key=lambda t: t["side"] != "sell")
            out.append({"name": acc["name"] or acc["id"] or "Account", "type": acc["type"],
                        "trades": rows})  # fmt: skip
    return out


def _sectors(d: dict[str, Any]) -> dict[str, Any]:
    """Sector weights today, proposed and in the benchmark, and their bar chart."""
    before = d["before"]["concentration"]["sectors"]
    after = d["after"]["concentration"]["sectors"]
    labels = list(before) + [k for k in after if k not in before]
    rows = [{"sector": k, "today": before.get(k, {}).get("weight", 0.0),
             "proposed": after.get(k, {}).get("weight", 0.0),
             "benchmark": (before.get(k) or after[k])["benchmark_weight"]} for k in labels]  # fmt: skip
    chart = charts.bars(
        labels,
        [(n, [r[k] for r in rows]) for n, k in
         (("today", "today"), ("the proposal", "proposed"), ("benchmark", "benchmark"))],
        "Weight, seen through the funds (% of the portfolio)",
        "sectors",
    )  # fmt: skip
    return {"rows": rows, "chart": chart}


def _te_groups(d: dict[str, Any]) -> list[dict[str, Any]]:
    before = d["before"]["risk"]["te_contributions"]["by_group"]
    after = d["after"]["risk"]["te_contributions"]["by_group"]
    keys = list(before) + [k for k in after if k not in before]
    return [{"group": k, "today": before.get(k), "proposed": after.get(k)} for k in keys]


def _scenarios(w: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    rows = w["scenarios"]
    chart = charts.bars(
        [r["name"] for r in rows],
        [("today", [r["portfolio_return"] for r in rows]),
         ("the proposal", [r.get("proposed_return") or 0.0 for r in rows]),
         ("benchmark", [r["benchmark_return"] for r in rows])],
        "Return in the scenario (%)",
        "scenarios",
    )  # fmt: skip
    return rows, chart


def _hedging(hedges: Any) -> dict[str, Any] | None:
    """The alternatives compared (``HedgeReport.to_dict()``), each hedge with its trade."""
    if hedges is None:
        return None
    h = hedges.to_dict()
    trades = {x["label"]: x for x in h["hedges"]}
    rows = [dict(c, hedge=trades.get(c["alternative"])) for c in h["comparison"]]
    return {"rows": rows, "scenarios": [s["name"] for s in h["scenarios"]], "notes": h["notes"]}


def context(
    proposal: Any, whatif: Any, frontier: Any, cover: Cover, hedges: Any = None
) -> dict[str, Any]:
    """Everything the template shows, from the results' ``to_dict()``."""
    if not proposal.feasible:
        raise AdvisorError(
            "the mandate cannot be met, so there is no proposal to present: "
            + "; ".join(proposal.diagnostics),
            "Run advisor propose with the same options to see which limit to relax",
        )
    d, w, f = proposal.to_dict(), whatif.to_dict(), frontier.to_dict()
    names = _names(d)
    after = d["after"]
    scen, scen_chart = _scenarios(w)
    decided = (d["scope"] or {}).get("after") or after  # the frontier's part of the account
    point = (decided["concentration"]["megacap_weight"], decided["risk"]["tracking_error"])
    return {
        "cover": cover, "today": (cover.date or dt.date.today()).isoformat(),
        "paper": PAPERS.get(cover.paper, "A4"), "p": d, "w": w, "f": f, "names": names,
        "before": d["before"], "after": after,
        "split": {"before": _megacap_split(d["before"]), "after": _megacap_split(after)},
        "accounts": _trades_by_account(d, names), "sectors": _sectors(d),
        "te_groups": _te_groups(d), "scenarios": scen, "scenario_chart": scen_chart,
        "frontier_chart": charts.frontier(f, point), "frontier_point": point,
        "sells": sum(t["side"] == "sell" for t in d["trades"]),
        "buys": sum(t["side"] == "buy" for t in d["trades"]),
        "validation": validation.figures(),
        "hedging": _hedging(hedges),
    }  # fmt: skip


def render(proposal: Any, whatif: Any, frontier: Any, cover: Cover, hedges: Any = None) -> str:
    """The proposal document as one self-contained HTML page; with ``hedges`` (an
    :class:`~advisor.scenarios.hedging.HedgeReport` of the same what-if run), its hedging
    section."""
    from markupsafe import Markup

    ctx = context(proposal, whatif, frontier, cover, hedges)
    for key in ("scenario_chart", "frontier_chart"):  # matplotlib's own SVG, no input text
        ctx[key] = Markup(ctx[key])
    ctx["sectors"]["chart"] = Markup(ctx["sectors"]["chart"])
    return str(_environment().get_template("proposal.html.j2").render(**ctx))
