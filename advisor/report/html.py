"""The client proposal document: one self-contained HTML page (inline CSS and SVG, no script).

:func:`report` makes the :class:`Report` of a :class:`~advisor.optimize.proposal.Proposal`
(:func:`today` its part on the portfolio today, from the analysis alone, before the proposal);
:meth:`Report.add` gives it the :class:`~advisor.scenarios.whatif.WhatIf` run on it and the
:class:`~advisor.optimize.frontier.Frontier` of the same holdings (:func:`render` does both), and
:meth:`Report.html` fills the Jinja2 template ``templates/proposal.html.j2`` (autoescape on: every
text from an input file is escaped), whole or in its :data:`PARTS` (the PDF lays out "today"
while the proposal is computed and the proposal's part while the rest is:
:mod:`advisor.report.pdf`). Every figure is read from the results' ``to_dict()``, the JSON the
commands print, and formatted with the tables' own :func:`~advisor.report.numbers.pct` and
:func:`~advisor.report.numbers.money`; the view here selects, groups and orders. One sum is its
own: the megacap weight held directly and through funds, the analysis's ``megacap_sources``
split by the holding's kind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from advisor.errors import AdvisorError
from advisor.report import charts, typeface
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


def _sectors_today(before: dict[str, Any]) -> dict[str, Any]:
    """Sector weights today and in the benchmark, and their bar chart."""
    from markupsafe import Markup

    sectors = before["concentration"]["sectors"]
    rows = [{"sector": k, "today": v["weight"], "benchmark": v["benchmark_weight"]}
            for k, v in sectors.items()]  # fmt: skip
    series = [("today", [r["today"] for r in rows]), ("benchmark", [r["benchmark"] for r in rows])]
    chart = charts.bars(list(sectors), series, "Weight, seen through the funds (% of the "
                        "portfolio)", "sectors")  # fmt: skip
    return {"rows": rows, "chart": Markup(chart)}  # the charts escape every text they hold


def _sectors(d: dict[str, Any]) -> dict[str, Any]:
    """Sector weights today, proposed and in the benchmark."""
    before = d["before"]["concentration"]["sectors"]
    after = d["after"]["concentration"]["sectors"]
    labels = list(before) + [k for k in after if k not in before]
    rows = [{"sector": k, "today": before.get(k, {}).get("weight", 0.0),
             "proposed": after.get(k, {}).get("weight", 0.0),
             "benchmark": (before.get(k) or after[k])["benchmark_weight"]} for k in labels]  # fmt: skip
    return {"rows": rows}


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


def _hedging(hedges: dict[str, Any] | None) -> dict[str, Any] | None:
    """The alternatives compared (``HedgeReport.to_dict()``), each hedge with its trade, and
    the notes of the comparison and of each hedge, once each."""
    if hedges is None:
        return None
    h = hedges
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


#: The document's parts. "today" (the portfolio today) needs only the analysis of the holdings,
#: so a PDF can lay it out while the proposal is computed; "proposal" (cover to "before and
#: after", with "today" or a mark where its pages go) needs the proposal, and is laid out while
#: the rest ("outcomes": the trade-off, scenarios, hedging, methodology, glossary, disclosures)
#: is computed. "today", "proposal"'s sections after it, and the rest each start a page.
PARTS = ("all", "today", "proposal", "outcomes")

#: Where "today"'s pages go in the "proposal" part laid out without them.
TODAY_MARK = "<!--today-->"


def rest_pages(hedges: bool) -> int:
    """How many pages the rest of the document takes: 4, with the hedging section 6 (on every
    example portfolio, A4 and Letter). A guess for "Page i of n" while the first part is laid
    out: :mod:`advisor.report.pdf` checks it and lays the first part out again if it is wrong."""
    return 6 if hedges else 4


def decided_pages() -> int:
    """How many pages "the proposal" and "before and after" take together: 4 on the example
    portfolios with trades (3 for a trade list on one page, 2 without trades). A guess for
    "Page i of n" while "today" is laid out before the proposal is made:
    :mod:`advisor.report.pdf` checks it, as :func:`rest_pages`'s, and lays "today" out again when
    it was wrong (0.2-0.4 s). One guess only: a second, laid out while the helper waited for the
    proposal, delayed the proposal's part by up to 0.35 s when the proposal came during it
    (traced)."""
    return 4


class Report:
    """The proposal document of one proposal, from the JSON the commands print (the results'
    ``to_dict()``): "today" from the analysis of the holdings alone (``before``, the proposal's
    own once it is given), the first part from the proposal's, the rest once :meth:`add` has
    the what-if run's, the frontier's and (optionally) the hedges'. Made by :func:`report` (or
    :func:`today` before the proposal); plain data throughout, so the PDF's helper process can
    make the same pages from the same JSON (:meth:`data`, :meth:`from_data`)."""

    def __init__(self, proposal: dict[str, Any] | None, cover: Cover,
                 before: dict[str, Any] | None = None) -> None:  # fmt: skip
        if proposal is None and before is None:
            raise ValueError("Report needs the proposal's JSON or the analysis's (before)")
        self.proposal, self.cover = proposal, cover
        self.before: dict[str, Any] = proposal["before"] if proposal is not None else before or {}
        self.outcomes: dict[str, Any] | None = None
        self._ctx: dict[str, Any] | None = None

    def add(
        self,
        whatif: dict[str, Any],
        frontier: dict[str, Any],
        hedges: dict[str, Any] | None = None,
        validation: dict[str, Any] | None = None,
    ) -> Report:
        """The rest's figures: ``whatif`` run on the proposal, ``frontier`` of the same
        holdings, ``hedges`` (a :class:`~advisor.scenarios.hedging.HedgeReport`'s JSON, of the
        same what-if run) for the hedging section, and the methodology's ``validation`` figures
        (by default :func:`advisor.report.validation.figures`)."""
        if self.proposal is None:
            raise ValueError("Report.add() needs the proposal (a Report made by report())")
        if validation is None:
            from advisor.report.validation import figures

            validation = figures()
        self.outcomes = {"whatif": whatif, "frontier": frontier, "hedges": hedges,
                         "validation": validation}  # fmt: skip
        self._ctx = None
        return self

    @property
    def context(self) -> dict[str, Any]:
        """Everything the template shows (the rest's figures once :meth:`add` has run)."""
        if self._ctx is None:
            self._ctx = _today_context(self.before, self.cover)
            if self.proposal is not None:
                self._ctx.update(_proposal_context(self.proposal))
            if self.proposal is not None and self.outcomes is not None:
                self._ctx.update(_outcomes_context(self.proposal, **self.outcomes))
        return self._ctx

    def html(self, part: str = "all", for_pdf: bool = False, today_apart: bool = False) -> str:
        """One self-contained HTML page: the whole document, or one of its :data:`PARTS`.
        ``for_pdf``: without the embedded faces (:mod:`advisor.report.pdf` adds them as a
        style sheet) and without the phone layout (a media query WeasyPrint does not read).
        ``today_apart``: the "proposal" part with :data:`TODAY_MARK` for "today"'s pages."""
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, not {part!r}")
        if part != "today" and self.proposal is None:
            raise ValueError("only the part 'today' can be made before the proposal")
        if part in ("all", "outcomes") and self.outcomes is None:
            raise ValueError("the rest of the document needs Report.add(whatif, frontier) first")
        from markupsafe import Markup

        faces = Markup("" if for_pdf else typeface.font_face_css())  # base64 only: no input text
        ctx = dict(self.context, part=part, for_pdf=for_pdf, font_faces=faces,
                   today_apart=today_apart)  # fmt: skip
        return str(template().render(**ctx))

    def data(self) -> dict[str, Any]:
        """The proposal's JSON (or, before it, the analysis's) and the cover, as JSON (the rest
        is :attr:`outcomes`)."""
        c = self.cover
        date = (c.date or dt.date.today()).isoformat()
        out: dict[str, Any] = {"cover": {"client": c.client, "advisor": c.advisor, "date": date,
                                         "paper": c.paper}}  # fmt: skip
        if self.proposal is not None:
            out["proposal"] = self.proposal
        else:
            out["before"] = self.before
        return out

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Report:
        """The report :meth:`data` describes."""
        c = data["cover"]
        cover = Cover(c["client"], c["advisor"], dt.date.fromisoformat(c["date"]), c["paper"])
        return cls(data.get("proposal"), cover, data.get("before"))


def dated(cover: Cover) -> Cover:
    """``cover`` dated today if it has no date (dated once: the PDF's helper process dates the
    document the same)."""
    return cover if cover.date is not None else dataclasses.replace(cover, date=dt.date.today())


def today(analysis: Any, cover: Cover) -> Report:
    """The document's part on the portfolio today, from the
    :class:`~advisor.analytics.analysis.Analysis` of the holdings (before the proposal is made:
    ``propose(on_analysis=...)``)."""
    return Report(None, dated(cover), analysis.to_dict())


def report(proposal: Any, cover: Cover) -> Report:
    """The document of a :class:`~advisor.optimize.proposal.Proposal`; an infeasible one has
    none (an :class:`~advisor.errors.AdvisorError` says which command tells why)."""
    if not proposal.feasible:
        raise AdvisorError(
            "the mandate cannot be met, so there is no proposal to present: "
            + "; ".join(proposal.diagnostics),
            "Run advisor propose with the same options to see which limit to relax",
        )
    return Report(proposal.to_dict(), dated(cover))


def _decided(d: dict[str, Any]) -> dict[str, Any]:
    """The part of the portfolio the proposal decides, after it (the frontier's part)."""
    return (d["scope"] or {}).get("after") or d["after"]  # type: ignore[no-any-return]


def _today_context(before: dict[str, Any], cover: Cover) -> dict[str, Any]:
    """The figures of "today", from the analysis's JSON (the proposal's ``before``)."""
    return {
        "cover": cover, "today": (cover.date or dt.date.today()).isoformat(),
        "paper": PAPERS.get(cover.paper, "A4"), "family": typeface.FAMILY,
        "before": before, "after": None, "split": {"before": _megacap_split(before)},
        "sectors_today": _sectors_today(before),
    }  # fmt: skip


def _proposal_context(d: dict[str, Any]) -> dict[str, Any]:
    """The first part's figures, from the proposal's JSON (beside :func:`_today_context`'s, of
    its ``before``)."""
    names = _names(d)
    after, has_trades = d["after"], bool(d["trades"])
    return {
        "p": d, "names": names, "has_trades": has_trades, "after": after,
        "accounts": _trades_by_account(d, names), "sectors": _sectors(d),
        "te_groups": _te_groups(d),
        "te_holdings": _te_holdings(after if has_trades else d["before"], names),
        "no_trades_reason": "" if has_trades else _no_trades_reason(d, _decided(d)),
        "sells": sum(t["side"] == "sell" for t in d["trades"]),
        "buys": sum(t["side"] == "buy" for t in d["trades"]),
    }  # fmt: skip


def _outcomes_context(
    d: dict[str, Any],
    whatif: dict[str, Any],
    frontier: dict[str, Any],
    hedges: dict[str, Any] | None,
    validation: dict[str, Any],
) -> dict[str, Any]:
    """The rest's figures, from the what-if run's and the frontier's JSON."""
    from markupsafe import Markup

    w, f = whatif, frontier
    has_trades = bool(d["trades"])
    scen, scen_chart = _scenarios(w, has_trades)
    decided = _decided(d)
    point = (decided["concentration"]["megacap_weight"], decided["risk"]["tracking_error"])
    return {
        "w": w, "f": f, "scenarios": scen, "scenario_chart": Markup(scen_chart),
        "frontier_chart": Markup(charts.frontier(f, point if has_trades else None)),
        "frontier_point": point, "above_curve": d["mandate"]["objective"] == "cost",
        "validation": validation, "hedging": _hedging(hedges),
    }  # fmt: skip


@functools.cache
def template() -> Any:
    """The document's template, compiled once per process."""
    return _environment().get_template("proposal.html.j2")


def outcomes(whatif: Any, frontier: Any, hedges: Any = None) -> tuple[Any, Any, Any]:
    """The JSON :meth:`Report.add` takes, from the what-if run, the frontier and the hedges."""
    return whatif.to_dict(), frontier.to_dict(), hedges.to_dict() if hedges is not None else None


def context(
    proposal: Any, whatif: Any, frontier: Any, cover: Cover, hedges: Any = None
) -> dict[str, Any]:
    """Everything the template shows, from the results' ``to_dict()``."""
    return report(proposal, cover).add(*outcomes(whatif, frontier, hedges)).context


def render(proposal: Any, whatif: Any, frontier: Any, cover: Cover, hedges: Any = None) -> str:
    """The proposal document as one self-contained HTML page; with ``hedges`` (an
    :class:`~advisor.scenarios.hedging.HedgeReport` of the same what-if run), its hedging
    section."""
    return report(proposal, cover).add(*outcomes(whatif, frontier, hedges)).html()
