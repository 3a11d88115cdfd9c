"""Short histories shrink toward their peers (advisor/data/peers.py); price sanity filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advisor.data import peers, sanity


def test_shrink_weight_reaches_one_with_a_full_history() -> None:
    n = np.array([0, 63, 126, 252, 378, 503, 504, 756])
    w = peers.shrink_weight(n)
    assert w[0] == 0.0
    assert (np.diff(w) > 0).all() or np.allclose(w[-2:], 1.0)
    assert np.all(np.diff(w) >= 0)
    assert w[n >= peers.FULL_HISTORY].tolist() == [1.0, 1.0]
    assert w[n < peers.FULL_HISTORY].max() < 1.0
    k = 252  # the credibility form n / (n + n0 (1 - n/N))
    assert w[3] == pytest.approx(k / (k + peers.SHRINK_N0 * (1 - k / peers.FULL_HISTORY)))


def _universe(n_short: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Ten full-history stocks of one sector and one short-history stock among them."""
    names = [f"S{i}" for i in range(10)] + ["NEW"]
    sec = pd.DataFrame(
        {"is_etf": False, "kind": "stock", "asset_class": "US equity", "sector": "Energy",
         "size": "small", "bond_duration": None},
        index=names,
    )  # fmt: skip
    rng = np.random.default_rng(1)
    B = pd.DataFrame(rng.normal(1.0, 0.2, size=(11, 3)), index=names, columns=["m", "s", "v"])
    var = pd.Series(rng.uniform(0.02, 0.2, 11), index=names)
    nobs = pd.Series([756] * 10 + [n_short], index=names)
    return sec, B, var, nobs


@pytest.mark.parametrize("n_short", [126, 200, 300, 450])
def test_shrunk_estimate_lies_between_own_and_peers(n_short: int) -> None:
    sec, B, var, nobs = _universe(n_short)
    est = pd.Series(True, index=sec.index)
    B2, var2, w = peers.shrink(B, var, nobs, est, sec)
    peer_B = B.iloc[:10].median()
    peer_var = var.iloc[:10].median()
    assert 0 < w["NEW"] < 1
    for f in B.columns:
        lo, hi = sorted([B.at["NEW", f], peer_B[f]])
        assert lo - 1e-15 <= B2.at["NEW", f] <= hi + 1e-15
        assert B2.at["NEW", f] == pytest.approx(
            w["NEW"] * B.at["NEW", f] + (1 - w["NEW"]) * peer_B[f]
        )
    lo, hi = sorted([var["NEW"], peer_var])
    assert lo <= var2["NEW"] <= hi
    # full histories are untouched
    pd.testing.assert_frame_equal(B2.iloc[:10], B.iloc[:10])
    assert (w.iloc[:10] == 1.0).all()


def test_no_own_estimate_takes_the_peers() -> None:
    sec, B, var, nobs = _universe(30)
    est = pd.Series(True, index=sec.index)
    est["NEW"] = False
    B2, var2, w = peers.shrink(B, var, nobs, est, sec)
    assert w["NEW"] == 0.0
    pd.testing.assert_series_equal(B2.loc["NEW"], B.iloc[:10].median(), check_names=False)


def test_sanity_filters() -> None:
    idx = pd.bdate_range("2024-01-01", periods=30)
    p = pd.DataFrame(
        {
            "OK": np.linspace(10, 12, 30),
            "SPIKE": [10.0] * 30,
            "BIG": [1e9] * 10 + [5.0] * 20,
            "STALE": [3.0] * 15 + list(np.linspace(3, 4, 15)),
            "ZERO": [1.0] * 29 + [0.0],
        },
        index=idx,
    )
    p.loc[idx[12], "SPIKE"] = 30.0
    p["SPIKE"] = p["SPIKE"] * np.linspace(1, 1.01, 30)
    clean, rec = sanity.clean_prices(p)
    assert np.isnan(clean.at[idx[12], "SPIKE"]) and rec["spike"]["where"] == {
        "SPIKE": [str(idx[12].date())]
    }
    assert clean["BIG"].iloc[:10].isna().all() and rec["absurd_level"]["by_ticker"] == {"BIG": 10}
    assert clean["STALE"].iloc[1:15].isna().all() and clean["STALE"].iloc[0] == 3.0
    assert np.isnan(clean.at[idx[-1], "ZERO"]) and rec["nonpositive"]["count"] == 1
    assert clean["OK"].notna().all()
    r, moves = sanity.daily_returns(clean, 0.5)
    assert len(r) == 29 and r["OK"].notna().all()
    assert moves["gap"]["by_ticker"]["SPIKE"] == 1  # the dropped spike is a gap inside the series
    jump = clean.copy()
    jump.loc[idx[20] :, "OK"] *= 3.0  # a split-like jump of +200 %
    r, moves = sanity.daily_returns(jump, 0.5)
    assert np.isnan(r.at[idx[20], "OK"]) and moves["large_move"]["where"]["OK"][0].startswith(
        str(idx[20].date())
    )
