"""The mandate: every limit a proposal must respect, in one validated object.

All limits are fractions of the account's total value (``0.02`` = 2 %), tracking error is an
annualised standard deviation, money is in the account currency. ``None`` means "no limit".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from advisor.errors import AdvisorError
from advisor.market.sleeves import DEFAULT_SLEEVES

OBJECTIVES = ("megacap", "hhi", "te", "turnover")
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
    objective : str, optional
        ``megacap`` (default) minimise look-through megacap weight; ``hhi`` minimise look-through company
        HHI; ``te`` minimise tracking error; ``turnover`` trade as little as possible (the
        default when ``megacap_target`` is given: reach the target at the least trading).
    max_te : float or None
        Ex-ante tracking error cap against the benchmark (annualised).
    max_megacap : float or None
        Cap on look-through megacap weight.
    megacap_target : float or None
        Reach this megacap weight (a cap, with objective ``turnover`` unless one is given).
    max_company : float or None
        Cap on any single company's look-through weight.
    max_turnover : float or None
        Cap on turnover, ``sum |w - w0| / 2`` over securities and funds.
    max_position : float or None
        Cap on a single direct stock position.
    sector_band : float or None
        Each sector's look-through weight within +- this of the benchmark's.
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
        Smallest trade worth placing, account currency; smaller ones are dropped.
    max_realized_gain : float or None
        Budget for estimated realised gains of the sales, account currency (needs cost basis).
    cost_bps : float
        Estimated trading cost per unit traded, basis points (spread and fees).
    """

    objective: str | None = None
    max_te: float | None = 0.03
    max_megacap: float | None = None
    megacap_target: float | None = None
    max_company: float | None = None
    max_turnover: float | None = None
    max_position: float | None = None
    sector_band: float | None = None
    sleeves: tuple[str, ...] = DEFAULT_SLEEVES
    sleeve_funds: dict[str, str] = field(default_factory=dict)
    sleeve_min: dict[str, float] = field(default_factory=dict)
    sleeve_max: dict[str, float] = field(default_factory=dict)
    cash_floor: float = 0.0
    cash_max: float | None = None
    hold: tuple[str, ...] = ()
    restrict: tuple[str, ...] = ()
    min_trade: float = 0.0
    max_realized_gain: float | None = None
    cost_bps: float = 5.0

    def __post_init__(self) -> None:
        if self.objective is None:
            default = "turnover" if self.megacap_target is not None else "megacap"
            object.__setattr__(self, "objective", default)
        if self.objective not in OBJECTIVES:
            raise AdvisorError(
                f"unknown objective {self.objective!r}", f"Use one of {', '.join(OBJECTIVES)}"
            )
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
        if self.min_trade < 0 or self.cost_bps < 0:
            raise AdvisorError("minimum trade and cost must not be negative")
        if self.max_realized_gain is not None and self.max_realized_gain < 0:
            raise AdvisorError(
                "the realised-gain budget must not be negative", "Use 0 for no gains"
            )

    @property
    def megacap_cap(self) -> float | None:
        """The effective megacap cap (the tighter of max_megacap and megacap_target)."""
        caps = [c for c in (self.max_megacap, self.megacap_target) if c is not None]
        return min(caps) if caps else None

    def relaxed(self, **changes: float | None) -> Mandate:
        """A copy with some limits changed (for diagnostics)."""
        return replace(self, **changes)
