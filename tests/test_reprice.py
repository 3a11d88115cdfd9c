"""`advisor data reprice`: fresh prices into a user snapshot, weights carried by price, the risk
model kept, the snapshot selected for every command until `advisor data reset`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from advisor.cli import main
from advisor.market import store
from advisor.market.snapshot import SNAPSHOT_DIR, load_market

CLOSES = "ticker,date,close\nAAPL,2026-07-30,330.50\nAAPL,2026-07-31,331.00\nNVDA,2026-07-31,180\n"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_reprice_carries_weights_and_keeps_the_risk_model(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "closes.csv"
    f.write_text(CLOSES)
    old = load_market(SNAPSHOT_DIR)
    code, out, err = run("data", "reprice", str(f))
    assert code == 0, err
    folder = store.selected()
    assert folder is not None and store.default_folder() == folder
    new = load_market(folder)
    assert str(new.as_of.date()) == "2026-07-31"
    assert new.securities.at["AAPL", "price"] == 331.0  # the last date wins
    assert new.securities.at["MSFT", "price"] == old.securities.at["MSFT", "price"]
    # the benchmark carried by price, checked with plain numpy
    g = pd.Series({"AAPL": 331.0 / old.securities.at["AAPL", "price"],
                   "NVDA": 180.0 / old.securities.at["NVDA", "price"]})  # fmt: skip
    w = old.benchmark.to_numpy()
    gg = g.reindex(old.benchmark.index)
    mean_g = float(np.nansum(w * gg) / w[gg.notna().to_numpy()].sum())
    moved = w * gg.fillna(mean_g).to_numpy()
    assert np.allclose(new.benchmark.to_numpy(), moved / moved.sum() * w.sum(), atol=1e-15)
    # every fund keeps its covered share; the risk model is the same
    cov_old = old.fund_weights.groupby("fund")["weight"].sum()
    cov_new = new.fund_weights.groupby("fund")["weight"].sum()
    assert np.allclose(cov_old.to_numpy(), cov_new.reindex(cov_old.index).to_numpy())
    pd.testing.assert_frame_equal(new.risk.exposures, old.risk.exposures)
    assert new.manifest["repriced"]["tickers_repriced"] == 2


def test_every_command_uses_it_until_reset(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "closes.csv"
    f.write_text(CLOSES)
    assert run("data", "reprice", str(f))[0] == 0
    code, out, _ = run("analyze", "portfolios/growth_client.csv", "--format", "json")
    d = json.loads(out)
    assert d["as_of"] == "2026-07-31"
    aapl = next(p for p in d["positions"] if p["ticker"] == "AAPL")
    assert aapl["price"] == 331.0 and aapl["value"] == 420 * 331.0
    code, out, _ = run("--snapshot", "package", "analyze", "portfolios/growth_client.csv",
                       "--format", "json")  # fmt: skip
    assert json.loads(out)["as_of"] == "2026-07-14"
    code, out, _ = run("data", "info")
    assert "Repriced from" in " ".join(out.split()) and "user snapshot" in out
    assert run("data", "reset")[0] == 0
    code, out, _ = run("analyze", "portfolios/growth_client.csv", "--format", "json")
    assert json.loads(out)["as_of"] == "2026-07-14"


def test_reprice_from_a_positions_file_with_prices() -> None:
    code, out, err = run(
        "data", "reprice", "portfolios/custodian_export.csv", "--date", "2026-07-20"
    )
    assert code == 0, err
    m = load_market(store.selected())
    assert str(m.as_of.date()) == "2026-07-20"
    assert m.securities.at["XOM", "price"] == 144.90


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ticker,date,close\nAAPL,2026-07-31,abc\n", "line 2"),
        ("ticker,date,close\nAAPL,2026-07-31,-5\n", "positive"),
        ("ticker,date,close\nAAPL,2026-07-31,31731\n", "other units"),
    ],
)
def test_bad_closes_are_clear_errors(tmp_path, text: str, message: str) -> None:  # noqa: ANN001
    f = tmp_path / "bad.csv"
    f.write_text(text)
    code, _, err = run("data", "reprice", str(f))
    assert code == 1 and message in err and "Traceback" not in err
    assert store.selected() is None


def test_snapshot_option_refuses_a_folder_that_is_not_one(tmp_path) -> None:  # noqa: ANN001
    code, _, err = run("--snapshot", str(tmp_path), "analyze", "portfolios/growth_client.csv")
    assert code == 1 and "not a snapshot" in err
