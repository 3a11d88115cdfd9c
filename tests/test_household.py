"""Tests of households (:mod:`advisor.holdings.household`, :mod:`advisor.holdings.combine`) and
of the per-account figures of ``analyze`` (:mod:`advisor.analytics.accounts`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import advisor
from advisor.analytics.analysis import analyze
from advisor.cli import main
from advisor.errors import InputError
from advisor.market.snapshot import Market

PORTFOLIOS = Path(__file__).resolve().parents[1] / "portfolios"
LOTS = Path(__file__).parent / "data" / "lots"
HOUSEHOLD = PORTFOLIOS / "household.yaml"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_household(market: Market) -> None:
    hh = advisor.read_household(HOUSEHOLD, market)
    assert hh.name == "Jordan and Casey Example"
    assert list(hh.accounts["type"]) == ["taxable", "tax_exempt"]
    assert set(hh.accounts["type_source"]) == {"household file"}
    assert hh.tax_rates == pytest.approx({"short": 0.408, "long": 0.238, "state": 0.0})
    assert hh.mandate == {"megacap-target": "35%", "max-te": "4%"}
    h = hh.holdings
    assert h.positions.at["NVDA", "shares"] == 600 + 200 + 100 + 50 + 80
    assert (h.lots.groupby("ticker")["shares"].sum() == h.positions["shares"]).all()
    assert h.cash == 28000.0 and list(hh.accounts["cash"]) == [25000.0, 3000.0]
    assert not any("read as" in w for w in h.warnings)  # the file sets every type


def test_the_example_has_a_short_lot_turning_long_within_60_days(market: Market) -> None:
    lots = advisor.read_household(HOUSEHOLD, market).holdings.lots
    turns = lots["acquired"] + pd.DateOffset(years=1) + pd.Timedelta(days=1)  # first long day
    soon = (turns > market.as_of) & (turns <= market.as_of + pd.Timedelta(days=60))
    assert soon.sum() == 1 and lots.loc[soon, "ticker"].item() == "NVDA"
    price = market.securities["price"]
    loss = lots["shares"] * price.reindex(lots["ticker"]).to_numpy() < lots["cost_basis"]
    assert loss.sum() >= 2  # lots at a loss to harvest


def test_household_per_account_figures_add_up(market: Market) -> None:
    h = advisor.read_household(HOUSEHOLD, market).holdings
    a = analyze(h, market)
    acc = a.accounts
    assert acc["value"].sum() == pytest.approx(a.total_value)
    assert acc["weight"].sum() == pytest.approx(1.0)
    household_megacap = (acc["weight"] * acc["megacap_weight"]).sum()
    assert household_megacap == pytest.approx(a.concentration.megacap_weight, rel=1e-9)
    for mix in acc["asset_mix"]:
        assert sum(mix.values()) == pytest.approx(1.0)
    # an independent sum of the Roth's lots: shares x snapshot price - cost basis
    lots = h.lots[h.lots["account"] == "Roth IRA ...516"]
    price = market.securities["price"].reindex(lots["ticker"]).to_numpy()
    gain = (lots["shares"] * price - lots["cost_basis"]).sum()
    assert acc.at["Roth IRA ...516", "unrealized_gain"] == pytest.approx(gain)
    joint = acc.loc["Joint ...301"]
    assert joint["short_term_gain"] == pytest.approx(
        (100 * 204.19 - 17800)
        + (50 * 204.19 - 9125)
        + (40 * 317.31 - 13680)
        + (30 * 383.01 - 16200)
    )
    assert joint["unrealized_gain"] == pytest.approx(
        joint["short_term_gain"] + joint["long_term_gain"]
    )


def test_analyze_the_example_household_through_the_cli() -> None:
    result = CliRunner().invoke(main, ["analyze", str(HOUSEHOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert {"positions", "concentration", "risk", "accounts"} <= set(d)
    assert [a["id"] for a in d["accounts"]] == ["Joint ...301", "Roth IRA ...516"]
    keys = {"id", "name", "type", "value", "weight", "cash", "megacap_weight", "asset_mix",
            "unrealized_gain", "short_term_gain", "long_term_gain"}  # fmt: skip
    assert keys <= set(d["accounts"][0])
    table = CliRunner().invoke(main, ["analyze", str(HOUSEHOLD)], terminal_width=120)
    assert table.exit_code == 0 and "Accounts" in table.stdout and "Roth IRA" in table.stdout


def test_a_folder_is_one_household(tmp_path: Path, market: Market) -> None:
    for name in ("plain_lots.csv", "vanguard_cost_basis.csv"):
        shutil.copy(LOTS / name, tmp_path / name)
    shutil.copy(LOTS / "schwab_lot_details.csv", tmp_path / "roth_ira.csv")
    hh = advisor.read_household(tmp_path, market)
    accounts = hh.accounts.set_index("id")
    assert accounts.at["roth_ira", "type"] == "tax_exempt"  # from the file name, said
    assert any("roth_ira.csv names no account" in w for w in hh.holdings.warnings)
    assert len(hh.holdings.lots) == 4 + 4 + 5
    result = CliRunner().invoke(main, ["analyze", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output


def test_one_file_with_an_account_column_and_types_in_the_yaml(tmp_path: Path) -> None:
    shutil.copy(LOTS / "schwab_all_accounts.csv", tmp_path / "all.csv")
    path = write(tmp_path, "hh.yaml", (
        "client: Pat\nfiles: [all.csv]\naccounts:\n"
        "  - id: Individual ...123\n    type: tax-deferred\n"
    ))  # fmt: skip
    hh = advisor.read_household(path, market=None)
    types = dict(zip(hh.accounts["id"], hh.accounts["type_source"], strict=True))
    assert types == {
        "Individual ...123": "household file",
        "Roth IRA ...456": "inferred from the name 'Roth IRA ...456'",
    }
    assert hh.accounts.set_index("id").at["Individual ...123", "type"] == "tax_deferred"


def test_a_lots_file_is_checked_against_its_positions_file(tmp_path: Path) -> None:
    write(tmp_path, "pos.csv", "Symbol,Quantity\nNVDA,500\nAAPL,200\n")
    write(tmp_path, "lots.csv", "ticker,acquired,quantity,cost_basis\nNVDA,2019-08-05,400,1640\n"
          "NVDA,2025-08-01,100,17800\n")  # fmt: skip
    yaml_text = "accounts:\n  - id: Brokerage\n    file: pos.csv\n    lots: lots.csv\n"
    hh = advisor.read_household(write(tmp_path, "hh.yaml", yaml_text))
    lots = hh.holdings.lots
    assert list(lots[lots["ticker"] == "NVDA"]["shares"]) == [400.0, 100.0]
    assert lots[lots["ticker"] == "AAPL"]["acquired"].isna().all()  # no lots: its line is one
    write(tmp_path, "lots.csv", "ticker,acquired,quantity,cost_basis\nNVDA,2019-08-05,450,1640\n")
    with pytest.raises(InputError) as info:
        advisor.read_household(tmp_path / "hh.yaml")
    assert info.value.line == 2 and "add up to 450 shares" in str(info.value)
    assert info.value.path is not None and info.value.path.endswith("lots.csv")


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        (
            "accounts:\n  - id: A\n    type: roth\n    file: a.csv\n",
            3,
            "unknown account type 'roth'",
        ),
        ("accounts:\n  - id: A\n    file: missing.csv\n", 3, "'missing.csv' not found"),
        ("client: X\naccount:\n  - id: A\n", 2, "unknown key 'account'"),
        (
            "accounts:\n  - id: A\n    file: a.csv\ntax_rates:\n  long: lots\n",
            5,
            "not a percentage",
        ),
        ("accounts:\n  - id: A\n    file: a.csv\ntax_rates:\n  federal: 20%\n", 5, "unknown key"),
        ("accounts:\n  - name: A\n    file: a.csv\n", 2, "without 'id'"),
        ("accounts:\n  - id: A\n   file: a.csv\n", 3, "not valid YAML"),
        ("accounts:\n  - id: Z9\n    type: taxable\nfiles: [a.csv]\n", 2, "in none of the files"),
    ],
)
def test_yaml_mistakes_are_named_by_line(tmp_path: Path, text: str, line: int, said: str) -> None:
    write(tmp_path, "a.csv", "Account,Symbol,Quantity\nJoint,AAPL,10\n")
    path = write(tmp_path, "hh.yaml", text)
    with pytest.raises(InputError) as info:
        advisor.read_household(path)
    assert info.value.path == str(path) and info.value.line == line, str(info.value)
    assert said in str(info.value)


def test_a_weights_only_file_cannot_join_a_household(tmp_path: Path) -> None:
    write(tmp_path, "w.csv", "Ticker,Weight\nSPY,60%\nAGG,40%\n")
    write(tmp_path, "s.csv", "Ticker,Quantity\nSPY,10\n")
    with pytest.raises(InputError, match="needs shares or market values"):
        advisor.read_household([tmp_path / "w.csv", tmp_path / "s.csv"])


def test_the_cli_error_for_a_bad_household_is_one_clear_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hh.yaml", "accounts:\n  - id: A\n    type: roth\n")
    result = CliRunner().invoke(main, ["analyze", str(path)])
    assert result.exit_code == 1
    assert "hh.yaml, line 3: unknown account type 'roth'" in result.output
    assert "Traceback" not in result.output


def test_the_readme_household_example_uses_only_known_keys() -> None:
    from advisor.holdings import household

    text = (PORTFOLIOS.parent / "README.md").read_text()
    section = text.split("## The household file", 1)[1].split("\n## ", 1)[0]
    doc = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    assert set(doc) <= set(household._TOP)
    assert all(set(a) <= set(household._ACCOUNT) for a in doc["accounts"])
    assert set(doc["tax_rates"]) <= set(household._RATES)
