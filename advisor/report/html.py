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
from pathlib import PurePath
from typing import Any

from advisor.errors import AdvisorError
from advisor.report import charts, typeface, validation
from advisor.report.numbers import fixed, money, pct, pp, shares

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


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("advisor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, money=money, pp=pp, shares=shares, num=fixed, basename=_basename)
    return env


def _basename(path: str | None) -> str:
    """A file's name without its folders (a client document shows no local paths)."""
    return PurePath(path or "").name


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


def _series(has_trades: bool, today: list[float], proposed: list[float],
            benchmark: list[float]) -> list[tuple[str, list[float]]]:  # fmt: skip
    """A chart's series: today, the proposal (only when there are trades), the benchmark."""
    out = [("today", today)] + ([("the proposal", proposed)] if has_trades else [])
    return [*out, ("benchmark", benchmark)]


def _sectors(d: dict[str, Any], has_trades: bool) -> dict[str, Any]:
    """Sector weights today, proposed and in the benchmark, and their bar chart."""
    before = d["before"]["concentration"]["sectors"]
    after = d["after"]["concentration"]["sectors"]
    labels = list(before) + [k for k in after if k not in before]
    rows = [{"sector": k, "today": before.get(k, {}).get("weight", 0.0),
             "proposed": after.get(k, {}).get("weight", 0.0),
             "benchmark": (before.get(k) or after[k])["benchmark_weight"]} for k in labels]  # fmt: skip
    series = _series(
        has_trades, *([r[k] for r in rows] for k in ("today", "proposed", "benchmark"))
    )
    chart = charts.bars(labels, series, "Weight, seen through the funds (% of the portfolio)",
                        "sectors")  # fmt: skip
    return {"rows": rows, "chart": chart}


def _te_groups(d: dict[str, Any]) -> list[dict[str, Any]]:
    before = d["before"]["risk"]["te_contributions"]["by_group"]
    after = d["after"]["risk"]["te_contributions"]["by_group"]
    keys = list(before) + [k for k in after if k not in before]
    return [{"group": k, "today": before.get(k), "proposed": after.get(k)} for k in keys]


def _te_holdings(part: dict[str, Any], names: dict[str, str], n: int = 8) -> list[dict[str, Any]]:
    """The ``n`` largest contributions to tracking error by holding (in size, either sign);
    the benchmark's own line (its weights, held against the portfolio) named as such."""
    rows = []
    contributions = part["risk"]["te_contributions"]["by_holding"].items()
    for key, value in sorted(contributions, key=lambda kv: -abs(kv[1] or 0.0))[:n]:
        if key == "benchmark":
            rows.append({"holding": "Benchmark", "name": "its own weights, counted against "
                         "the portfolio", "value": value})  # fmt: skip
        else:
            rows.append({"holding": key, "name": names.get(key, ""), "value": value})
    return rows


def _scenarios(w: dict[str, Any], has_trades: bool) -> tuple[list[dict[str, Any]], str]:
    rows = []
    for r in w["scenarios"]:
        detail, window = r.get("description") or "", r.get("window")
        if window and window["start"] not in detail:  # the replays' descriptions give it
            detail += f" ({window['start']} to {window['end']})"
        rows.append(dict(r, detail=detail))
    series = _series(has_trades, [r["portfolio_return"] for r in rows],
                     [r.get("proposed_return") or 0.0 for r in rows],
                     [r["benchmark_return"] for r in rows])  # fmt: skip
    chart = charts.bars([r["name"] for r in rows], series, "Return in the scenario (%)",
                        "scenarios")  # fmt: skip
    return rows, chart


#: How each sizing method reads in the document.
HEDGE_METHODS = {
    "beta": "sized to cancel the beta",
    "min-variance": "sized for the least volatility",
    "min-tracking-error": "sized for the least tracking error",
}


def _hedge_name(alternative: str, h: dict[str, Any] | None) -> tuple[str, str]:
    """An alternative as a client reads it: what is done, and how it is sized."""
    if h is None:
        plain = {"no action": "No action", "rebalance (advisor propose)": "The proposal"}
        return plain.get(alternative, alternative), ""
    on = h["option"]["underlying"] if h["option"] else h["instrument"]
    what = {"overlay": f"{h['instrument']} sold short", "future": f"{h['instrument']} sold",
            "put": f"Protective puts on {on}", "collar": f"Collar on {on}"}  # fmt: skip
    sizing = HEDGE_METHODS.get(h["method"], "") if h["kind"] in ("overlay", "future") else ""
    return what.get(h["kind"], h["label"]), sizing


def _hedge_trade(h: dict[str, Any] | None) -> str:
    """The hedge's trade, with an option's strikes and term."""
    if h is None:
        return ""
    o = h["option"]
    if not o:
        return str(h["action"])
    put = f"{money(o['put_strike'])} ({pct(o['put_strike_fraction'], 0)})"
    if o.get("call_strike") is None:
        strikes = f"strike {put} of {money(o['spot'])}"
    else:
        call = f"{money(o['call_strike'])} ({pct(o['call_strike_fraction'], 0)})"
        strikes = f"strikes {put} and {call} of {money(o['spot'])}"
    return f"{h['action']}; {strikes}; {round(12 * o['expiry_years'])} months"


def _hedging(hedges: Any) -> dict[str, Any] | None:
    """The alternatives compared (``HedgeReport.to_dict()``), each hedge with its trade, and
    the notes of the comparison and of each hedge, once each."""
    if hedges is None:
        return None
    h = hedges.to_dict()
    trades = {x["label"]: x for x in h["hedges"]}
    rows = []
    for c in h["comparison"]:
        hedge = trades.get(c["alternative"])
        name, sizing = _hedge_name(c["alternative"], hedge)
        rows.append(dict(c, hedge=hedge, name=name, sizing=sizing, trade=_hedge_trade(hedge),
                         shown_cost=hedge["cost"] if hedge else c["cost"]))  # fmt: skip
    notes = list(dict.fromkeys([*h["notes"], *(n for x in h["hedges"] for n in x["notes"])]))
    return {"rows": rows, "scenarios": [s["name"] for s in h["scenarios"]], "notes": notes}


def _no_trades_reason(d: dict[str, Any], decided: dict[str, Any]) -> str:
    """Why a proposal has no trades, in the client's words."""
    target = d["mandate"].get("megacap_target")
    weight = decided["concentration"]["megacap_weight"]
    if target is not None and weight <= target + 1e-9:
        return (f"The megacap weight, {pct(weight)}, is already at or below the "
                f"{pct(target)} target, so nothing needs to be sold.")  # fmt: skip
    return "The portfolio already meets every limit of the mandate."


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
    after, has_trades = d["after"], bool(d["trades"])
    scen, scen_chart = _scenarios(w, has_trades)
    decided = (d["scope"] or {}).get("after") or after  # the frontier's part of the account
    point = (decided["concentration"]["megacap_weight"], decided["risk"]["tracking_error"])
    return {
        "cover": cover, "today": (cover.date or dt.date.today()).isoformat(),
        "paper": PAPERS.get(cover.paper, "A4"), "family": typeface.FAMILY,
        "p": d, "w": w, "f": f, "names": names, "has_trades": has_trades,
        "before": d["before"], "after": after,
        "split": {"before": _megacap_split(d["before"]), "after": _megacap_split(after)},
        "accounts": _trades_by_account(d, names), "sectors": _sectors(d, has_trades),
        "te_groups": _te_groups(d),
        "te_holdings": _te_holdings(after if has_trades else d["before"], names),
        "scenarios": scen, "scenario_chart": scen_chart,
        "frontier_chart": charts.frontier(f, point if has_trades else None),
        "frontier_point": point, "above_curve": d["mandate"]["objective"] == "cost",
        "no_trades_reason": "" if has_trades else _no_trades_reason(d, decided),
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
    for key in ("scenario_chart", "frontier_chart"):  # the charts escape every text they hold
        ctx[key] = Markup(ctx[key])
    ctx["sectors"]["chart"] = Markup(ctx["sectors"]["chart"])
    ctx["font_faces"] = Markup(typeface.font_face_css())  # base64 only: no input text
    return str(_environment().get_template("proposal.html.j2").render(**ctx))
