"""Shared fixtures: the embedded snapshot, holdings built in code, the raw-data location."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.domain import Holdings
from advisor.market.snapshot import Market, load_market

ROOT = Path(__file__).resolve().parents[1]
RAW_DATA = (ROOT / ".." / "shared" / "data").resolve()
PORTFOLIOS = ROOT / "portfolios"

needs_raw_data = pytest.mark.skipif(
    not (RAW_DATA / "README.md").exists(),
    reason=f"raw market data not found at {RAW_DATA} (CI always has ../shared/data)",
)


@pytest.fixture(scope="session")
def market() -> Market:
    return load_market()


def make_holdings(shares: dict[str, float], cash: float = 0.0, path: str = "test.csv") -> Holdings:
    """Holdings of whole shares, as the reader would return them."""
    return Holdings.of_shares(shares, cash=cash, path=path)


@pytest.fixture(autouse=True)
def _no_user_snapshot(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202
    """Tests never see (nor change) the developer's own repriced snapshot."""
    from advisor.market import store

    monkeypatch.setenv("ADVISOR_HOME", str(tmp_path_factory.mktemp("advisor_home")))
    store.use(None)
    yield
    store.use(None)
