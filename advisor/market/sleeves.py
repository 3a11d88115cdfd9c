"""Sleeves: the named destinations of a rebalance and the real funds that implement them.

``equal-weight`` -> RSP, ``small-cap`` -> IJR (or IWM), ``value`` -> VTV (or IVE). An advisor picks
sleeves with ``--sleeves equal-weight,small-cap,value`` and remaps one with ``--sleeve value=IVE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from advisor.errors import AdvisorError

#: sleeve name -> (default fund, funds that may implement it)
SLEEVES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "equal-weight": ("RSP", ("RSP", "EUSA", "EQAL")),
    "small-cap": ("IJR", ("IJR", "IWM", "VB", "SPSM")),
    "value": ("VTV", ("VTV", "IVE", "SPYV", "IWD", "VOOV")),
    "mid-cap": ("IJH", ("IJH", "MDY", "VO", "SPMD")),
}
DEFAULT_SLEEVES = ("equal-weight", "small-cap", "value")


def resolve_sleeves(
    names: Iterable[str] = DEFAULT_SLEEVES, remap: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Sleeve name -> fund ticker, after ``--sleeve NAME=FUND`` remaps.

    Raises
    ------
    AdvisorError
        For an unknown sleeve name or a fund that cannot implement the sleeve.
    """
    remap = {k.strip().lower(): v.strip().upper() for k, v in (remap or {}).items()}
    chosen = [n.strip().lower() for n in names if n.strip()]
    for name in [*chosen, *remap]:
        if name not in SLEEVES:
            raise AdvisorError(
                f"unknown sleeve {name!r}",
                "Sleeves: " + ", ".join(f"{k} ({v[0]})" for k, v in SLEEVES.items()),
            )
    out = {}
    for name in chosen:
        fund = remap.get(name, SLEEVES[name][0])
        if fund not in SLEEVES[name][1]:
            raise AdvisorError(
                f"{fund} cannot implement the {name} sleeve",
                f"Choose one of {', '.join(SLEEVES[name][1])}, e.g. --sleeve {name}={SLEEVES[name][1][-1]}",
            )
        out[name] = fund
    return out
