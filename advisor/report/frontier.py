"""The frontier as a terminal table and as a PNG chart (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from advisor.optimize.frontier import Frontier
from advisor.report.table import header, pct, print_parts, table


def render(f: Frontier, console: Console) -> None:
    """The curve: least TE at each megacap weight, the turnover it takes, the slope."""
    before = f.setup.before
    head = header(
        "frontier",
        before.source,
        before.as_of,
        f"Benchmark {escape(before.benchmark)}; sleeves "
        + ", ".join(f"{k} = {v}" for k, v in f.setup.sleeves.items())
        + ". Weights and turnover are % of the total; tracking error is annualised.",
    )
    t = table(
        "Least tracking error at each megacap weight (look-through), and the turnover it takes",
        "Megacap weight",
        "Least tracking error",
        "Turnover",
        "Extra TE per point",
        text=(),
    )
    for r in f.points.itertuples():
        per = "-" if r.te_per_point != r.te_per_point else f"{100 * r.te_per_point:.2f} pp"
        t.add_row(pct(r.megacap_weight), pct(r.tracking_error, 2), pct(r.turnover), per)
    foot = Text(
        f"Today: megacap {pct(f.current_megacap)}, tracking error {pct(f.current_te, 2)}; "
        f"S&P 500 megacap weight {pct(f.benchmark_megacap)}; least reachable under the "
        f"other limits {pct(f.min_megacap)}. Extra TE per point: the tracking error each "
        "percentage point of megacap weight below the row above adds (percentage points)."
    )
    print_parts(console, [head, t, foot])


def chart(f: Frontier, path: str | Path) -> None:
    """Write the curve as a PNG chart (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    p = f.points
    ax.plot(
        100 * p["megacap_weight"],
        100 * p["tracking_error"],
        "o-",
        color="#1f5fa8",
        label="least tracking error at each megacap weight",
    )
    ax.plot([100 * f.current_megacap], [100 * f.current_te], "s", color="#c0392b", label="today")
    ax.axvline(
        100 * f.benchmark_megacap, color="grey", ls="--", lw=1, label="S&P 500 megacap weight"
    )
    ax.set_xlabel("Megacap weight, look-through (% of account)")
    ax.set_ylabel("Tracking error vs benchmark (% a year)")
    ax.set_title(
        f"{f.setup.before.source}: tracking error against megacap weight\n"
        f"prices as of {f.setup.before.as_of.date()}; sleeves "
        + ", ".join(f.setup.sleeves.values()),
        fontsize=9,
    )
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
