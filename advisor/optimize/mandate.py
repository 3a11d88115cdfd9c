"""The mandate: every limit a proposal must respect, in one validated object.

All limits are fractions of the account's total value (``0.02`` = 2 %), tracking error is an
annualised standard deviation, money is in the account currency. ``None`` means "no limit".

Each field carries its command-line spelling in its metadata (``option``, ``kind``, ``help``):
the CLI generates one option per field from them, so a new limit is declared once, here, and in
:mod:`advisor.optimize.limits` (its maths).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from advisor.errors import AdvisorError, UsageError
from advisor.market.sleeves import DEFAULT_SLEEVES
from advisor.units import parse_mix


class Objective(StrEnum):
    """What a proposal minimises (within the limits)."""

    COST = "cost"  # trading cost + weighted realised gains + a small turnover penalty (default)
    MEGACAP = "megacap"  # look-through megacap weight
    HHI = "hhi"  # look-through company Herfindahl index
    TE = "te"  # tracking error
    TURNOVER = "turnover"  # trading (the default with a megacap target)


def _opt(default: Any, option: str, kind: str, help: str, **extra: Any) -> Any:
    """A mandate field with its command-line option (``kind``: percent, money, choice, list,
    pairs, percent-pairs, float)."""
    meta = {"option": option, "kind": kind, "help": help, **extra}
    if isinstance(default, dict | tuple) and not default:
        return field(default_factory=type(default), metadata=meta)
    return field(default=default, metadata=meta)


#: Limits given as fractions of the account (validated to lie in [0, 1]).
FRACTION_LIMITS = (
    "max_te",
    "max_megacap",
    "megacap_target",
    "max_company",
    "max_turnover",
    "max_position",
    "sector_band",
)


@dataclass(frozen=True)
class Mandate:
    """Limits and goal of a rebalance proposal.

    Attributes
    ----------
    objective : Objective, optional
        ``cost`` (default): reach the megacap target (the benchmark's megacap weight unless
        ``megacap_target`` is given) at the least cost, ``trading cost + estimated tax + 5 bp x
        turnover``; ``megacap`` minimise look-through megacap weight; ``hhi``
        minimise look-through company HHI; ``te`` minimise tracking error; ``turnover`` trade as
        little as possible.
    max_te : float or None
        Ex-ante tracking error cap against the benchmark (annualised).
    max_megacap : float or None
        Cap on look-through megacap weight.
    megacap_target : float or None
        Reach this megacap weight (a cap). With the ``cost`` objective and no target, the target
        is the benchmark's megacap weight.
    max_company : float or None
        Cap on any single company's look-through weight.
    max_turnover : float or None
        Cap on turnover, ``sum |w - w0| / 2`` over securities and funds.
    max_position : float or None
        Cap on a single direct stock position.
    sector_band : float or None
        Each sector's look-through weight within +- this of the benchmark's.
    sleeves : tuple of str
        The sleeves to shift toward (``equal-weight``, ``small-cap``, ``value``, ``mid-cap``).
    sleeve_funds : dict
        Sleeve name -> fund that implements it (``{"value": "IVE"}``).
    sleeve_min, sleeve_max : dict
        Per sleeve name, bounds on the sleeve fund's weight.
    cash_floor : float
        Minimum cash weight after the trades.
    cash_max : float or None
        Maximum cash weight; by default the larger of today's cash and the floor (a proposal
        does not raise cash to cut concentration).
    hold : tuple of str
        Tickers that may not be sold (tax lots, client wishes).
    restrict : tuple of str
        Tickers that may not be bought (restricted list).
    min_trade : float
        Smallest trade worth placing, account currency; no smaller trade is placed.
    max_realized_gain : float or None
        Budget for estimated realised gains of the sales, account currency (needs cost basis).
    max_tax : float or None
        Budget for the estimated tax of the sales, account currency (before losses are netted;
        sales in tax-deferred and tax-exempt accounts owe none).
    cost_bps : float
        Estimated trading cost per unit traded, basis points (spread and fees).
    gain_weight : float or None
        None (default): the ``cost`` objective counts the estimated tax of the sales (lots drawn
        cheapest first; nothing in tax-deferred and tax-exempt accounts). A number: it counts
        each unit of realised gain at this weight instead (0.25: a dollar of gain weighs like 25
        cents of cost).
    sleeve_mix : dict or "free" or None
        Shares of the money put into the sleeves (``{"equal-weight": 0.4, ...}``); None: equal
        shares; ``"free"``: the optimizer chooses (and may also buy current holdings).
    min_position : float
        A position sold in part keeps at least this weight, or is sold entirely (no stubs).
    asset_mix : dict or None
        Target asset-class mix (``{"US equity": 0.6, "US bonds": 0.4}``): the whole account is
        rebalanced toward it. None: the mix is kept and only the US-equity part is rebalanced.
    """

    objective: Objective | None = _opt(
        None,
        "--objective",
        "choice",
        "Goal: reach the megacap target at the least cost (default: trading cost, weighted "
        "realised gains, turnover), or minimise megacap weight, look-through HHI, tracking "
        "error or turnover.",
        choices=tuple(Objective),
    )
    max_te: float | None = _opt(
        0.03, "--max-te", "percent", "Tracking-error cap against the benchmark (annualised)."
    )
    max_megacap: float | None = _opt(
        None, "--max-megacap", "percent", "Cap on look-through megacap weight."
    )
    megacap_target: float | None = _opt(
        None, "--megacap-target", "percent", "Reach this megacap weight with the least trading."
    )
    max_company: float | None = _opt(
        None, "--max-company", "percent", "Cap on any one company (look-through)."
    )
    max_turnover: float | None = _opt(
        None, "--max-turnover", "percent", "Turnover cap, sum |trade| / 2 / value."
    )
    max_position: float | None = _opt(
        None, "--max-position", "percent", "Cap on any single direct stock."
    )
    sector_band: float | None = _opt(
        None, "--sector-band", "percent", "Sectors within +- this of the benchmark."
    )
    sleeves: tuple[str, ...] = _opt(
        DEFAULT_SLEEVES,
        "--sleeves",
        "list",
        "Sleeves to shift toward (equal-weight, small-cap, value, mid-cap).",
    )
    sleeve_funds: dict[str, str] = _opt(
        {},
        "--sleeve",
        "pairs",
        "Implement a sleeve with another fund, e.g. --sleeve value=IVE.",
        metavar="NAME=FUND",
    )
    sleeve_min: dict[str, float] = _opt(
        {}, "--sleeve-min", "percent-pairs", "Sleeve floor, e.g. small-cap=5%.", metavar="NAME=PCT"
    )
    sleeve_max: dict[str, float] = _opt(
        {}, "--sleeve-max", "percent-pairs", "Sleeve cap, e.g. value=20%.", metavar="NAME=PCT"
    )
    cash_floor: float = _opt(0.0, "--cash-floor", "percent", "Minimum cash after trading.")
    cash_max: float | None = _opt(
        None,
        "--cash-max",
        "percent",
        "Maximum cash (default: today's cash or the floor, whichever is larger).",
    )
    hold: tuple[str, ...] = _opt((), "--hold", "list", "Tickers that may not be sold.")
    restrict: tuple[str, ...] = _opt((), "--restrict", "list", "Tickers that may not be bought.")
    min_trade: float = _opt(
        0.0, "--min-trade", "money", "Smallest trade to place (account currency)."
    )
    max_realized_gain: float | None = _opt(
        None,
        "--max-realized-gain",
        "money",
        "Budget for realised gains of the sales (needs a cost-basis column).",
    )
    max_tax: float | None = _opt(
        None,
        "--max-tax",
        "money",
        "Budget for the estimated tax of the sales (account currency).",
    )
    cost_bps: float = _opt(
        5.0, "--cost-bps", "float", "Estimated trading cost, basis points of traded value."
    )
    gain_weight: float | None = _opt(
        None,
        "--gain-weight",
        "float",
        "Count each unit of realised gain at this weight in the default objective, instead of "
        "the estimated tax (e.g. 0.25).",
    )
    sleeve_mix: dict[str, float] | str | None = _opt(
        None,
        "--sleeve-mix",
        "mix",
        "How the money goes to the sleeves, e.g. equal-weight=40,small-cap=30,value=30 "
        "(default: equal shares), or 'free' to let the optimizer choose.",
        metavar="MIX|free",
    )
    min_position: float = _opt(
        0.005,
        "--min-position",
        "percent",
        "A position sold in part keeps at least this weight, or is sold entirely.",
    )
    asset_mix: dict[str, float] | None = _opt(
        None,
        "--asset-mix",
        "mix",
        "Rebalance the whole account toward this asset mix, e.g. equity=60,bond=40 (default: "
        "keep the mix, rebalance only the US-equity part).",
        metavar="MIX",
    )

    tax_rates: Any = _opt(
        None,
        "--tax-rates",
        "mix",
        "Tax rates on realised gains, e.g. short=40.8%,long=23.8%,state=5% (default: the top "
        "federal rates with the 3.8% NIIT, 40.8% and 23.8%).",
        metavar="RATES",
    )
    lot_method: str = _opt(
        "optimal",
        "--lot-method",
        "choice",
        "Which lots a sale draws on: optimal (least tax first), fifo or hifo.",
        choices=("optimal", "fifo", "hifo"),
    )
    trade_date: str | None = _opt(
        None,
        "--trade-date",
        "mix",
        "Trade date for holding periods (default: the snapshot date).",
        metavar="YYYY-MM-DD",
    )

    harvest: bool = _opt(
        False,
        "--harvest",
        "flag",
        "Sell lots held at a loss in taxable accounts and buy a substitute tracking a different "
        "index, so that the losses offset the gains.",
    )

    def __post_init__(self) -> None:
        if self.objective is None:
            object.__setattr__(self, "objective", Objective.COST)
        try:
            object.__setattr__(self, "objective", Objective(self.objective))
        except ValueError as exc:
            raise AdvisorError(
                f"unknown objective {self.objective!r}",
                f"Use one of {', '.join(Objective)}",
            ) from exc
        self._mixes()
        self._tax()
        for name in ("sleeves", "hold", "restrict"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        self._validate()

    def _mixes(self) -> None:
        """Read ``sleeve_mix`` and ``asset_mix`` given as text, check their shares sum to 1."""
        sm = self.sleeve_mix
        if isinstance(sm, str) and sm.strip().lower() != "free":
            sm = _parse(sm, "--sleeve-mix")
        if isinstance(sm, str):
            sm = "free"
        elif sm is not None:
            total = sum(sm.values())
            if total <= 0:
                raise UsageError("the sleeve mix gives the sleeves nothing", option="--sleeve-mix")
            sm = {k: v / total for k, v in sm.items()}
        object.__setattr__(self, "sleeve_mix", sm)
        am = self.asset_mix
        if isinstance(am, str):
            am = _parse(am, "--asset-mix")
        if am is not None:
            am = {asset_class_name(k): v for k, v in am.items()}
            if abs(sum(am.values()) - 1.0) > 0.005:
                raise UsageError(
                    f"the asset mix adds up to {sum(am.values()):.1%}, not 100 %",
                    "e.g. --asset-mix equity=60,bond=40",
                    option="--asset-mix",
                )
        object.__setattr__(self, "asset_mix", am)

    def _tax(self) -> None:
        """Read ``tax_rates`` (text or a mapping) into :class:`~advisor.optimize.tax.TaxRates`
        and ``trade_date`` into ``YYYY-MM-DD``."""
        from advisor.optimize.tax import TaxRates

        rates = self.tax_rates
        try:
            if rates is None:
                rates = TaxRates()
            elif isinstance(rates, str):
                rates = TaxRates.parse(rates)
            elif isinstance(rates, dict):
                rates = TaxRates(**{k: round(float(v), 10) for k, v in rates.items()})
        except (TypeError, ValueError) as exc:
            raise UsageError(
                f"--tax-rates {self.tax_rates!r}: {exc}",
                "e.g. --tax-rates short=40.8%,long=23.8%,state=5%",
                option="--tax-rates",
            ) from exc
        object.__setattr__(self, "tax_rates", rates)
        if self.trade_date is not None:
            import pandas as pd  # here, not at import: the CLI's start-up stays light

            try:
                day = pd.Timestamp(self.trade_date)
            except (TypeError, ValueError) as exc:
                raise UsageError(
                    f"--trade-date {self.trade_date!r} is not a date", "Use YYYY-MM-DD",
                    option="--trade-date",
                ) from exc  # fmt: skip
            object.__setattr__(self, "trade_date", str(day.date()))

    def _validate(self) -> None:
        for f in FRACTION_LIMITS:
            v = getattr(self, f)
            if v is not None and not 0 <= v <= 1:
                raise AdvisorError(
                    f"{f.replace('_', '-')} = {v} is not a fraction between 0 and 1",
                    "Give percentages such as 2% or fractions such as 0.02",
                )
        if self.cash_max is not None and not 0 <= self.cash_max <= 1:
            raise AdvisorError(f"cash max {self.cash_max} must be in [0, 1]")
        if not 0 <= self.cash_floor < 1:
            raise AdvisorError(f"cash floor {self.cash_floor} must be in [0, 1)")
        for name, v in {**self.sleeve_min, **self.sleeve_max}.items():
            if not 0 <= v <= 1:
                raise AdvisorError(f"sleeve bound {name}={v} is not a fraction between 0 and 1")
        if (self.gain_weight is not None and self.gain_weight < 0) or not (
            0 <= self.min_position < 0.5
        ):
            raise AdvisorError(
                "the gain weight must not be negative, the minimum position in [0, 50%)"
            )
        if self.min_trade < 0 or self.cost_bps < 0:
            raise AdvisorError("minimum trade and cost must not be negative")
        if self.max_tax is not None and self.max_tax < 0:
            raise AdvisorError("the tax budget must not be negative", "Use 0 for no tax")
        if self.max_realized_gain is not None and self.max_realized_gain < 0:
            raise AdvisorError(
                "the realised-gain budget must not be negative", "Use 0 for no gains"
            )

    @property
    def megacap_cap(self) -> float | None:
        """The effective megacap cap (the tighter of max_megacap and megacap_target)."""
        caps = [c for c in (self.max_megacap, self.megacap_target) if c is not None]
        return min(caps) if caps else None

    def relaxed(self, **changes: Any) -> Mandate:
        """A copy with some limits changed (for diagnostics)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The mandate as JSON-ready values (fractions, money, lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
            if hasattr(v, "to_dict"):
                out[f.name] = v.to_dict()
        return out


#: Short names an advisor writes for asset classes in ``--asset-mix``.
CLASS_ALIASES = {
    "equity": "US equity",
    "us-equity": "US equity",
    "stocks": "US equity",
    "international": "International developed equity",
    "intl": "International developed equity",
    "developed": "International developed equity",
    "emerging": "Emerging-markets equity",
    "em": "Emerging-markets equity",
    "bond": "US bonds",
    "bonds": "US bonds",
    "fixed-income": "US bonds",
    "intl-bond": "International bonds",
    "international-bonds": "International bonds",
    "cash": "Cash-like",
    "gold": "Commodities and gold",
    "commodities": "Commodities and gold",
    "multi-asset": "Multi-asset",
}


def asset_class_name(key: str) -> str:
    """``bond`` -> ``US bonds``; a full asset-class name is kept."""
    from advisor.analytics.assets import ASSET_CLASSES

    k = key.strip().lower()
    if k in CLASS_ALIASES:
        return CLASS_ALIASES[k]
    for c in ASSET_CLASSES:
        if c.lower() == k:
            return c
    raise UsageError(
        f"{key!r} is not an asset class",
        "Use " + ", ".join(CLASS_ALIASES) + " (or a full name, e.g. 'US bonds')",
        option="--asset-mix",
    )


def _parse(text: str, option: str) -> dict[str, float]:
    try:
        return parse_mix(text)
    except ValueError as exc:
        raise UsageError(str(exc), option=option) from exc


def option_fields() -> list[Any]:
    """The mandate's fields with their command-line metadata, in declaration order."""
    return [f for f in fields(Mandate) if "option" in f.metadata]
