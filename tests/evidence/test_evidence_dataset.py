"""The curated LDN tables: schema, sources, derivations, and per-condition pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ldn.errors import DataFileError, InputError
from ldn.evidence import (
    adverse_event_table,
    load_adverse_events,
    load_studies,
    pool_condition,
    pooled_by_condition,
    study_effects,
)
from ldn.evidence.schema import STUDY_COLUMNS, read_table


def test_every_row_has_a_source_and_quote() -> None:
    for frame in (load_studies(), load_adverse_events()):
        assert frame["url"].str.match(r"https?://").all()
        assert (frame["quote"].str.len() > 10).all()
        assert (frame["derivation"].str.len() > 5).all()


def test_dataset_covers_the_facts_file_and_normalises_conditions() -> None:
    studies = load_studies()
    assert len(studies) >= 80 and studies["study_id"].nunique() >= 60
    assert {"crohns", "ms", "fibromyalgia", "ra", "psoriasis"} <= set(studies["condition"])
    assert "sle" not in set(studies["condition"])  # no SLE study was found
    # each study has at most one primary row per pool
    for flag in ("primary_smd", "primary_binary"):
        assert not studies[studies[flag]].duplicated(["study_id"]).any()


def test_reconstructed_counts_reproduce_reported_percentages() -> None:
    s = load_studies()
    rows = s[s["data_type"] == "counts"]
    assert len(rows) >= 3
    bruun = rows[rows["outcome"].str.startswith("Responders: >30%")].iloc[0]
    assert round(100 * bruun["events_ldn"] / bruun["n_ldn"]) == 45  # Bruun 2024: 45% vs 28%
    assert round(100 * bruun["events_control"] / bruun["n_control"]) == 28
    younger = rows[rows["study_id"] == "Younger2013_FM"].iloc[0]
    assert round(100 * younger["events_ldn"] / younger["n_ldn"]) == 32  # Younger 2013: 32% vs 11%
    assert round(100 * younger["events_control"] / younger["n_control"]) == 11


def test_fibromyalgia_primary_pool_is_randomised_only() -> None:
    res = pool_condition("fibromyalgia", "SMD", "REML")
    assert [lab.split(":")[0] for lab in res.labels] == [
        "Younger2013_FM",
        "Bested2023_FM",
        "Bruun2024_FINAL_FM",
    ]  # in order of publication; Younger 2009 (fixed order, single-blind) is not randomised
    assert 0 < res.estimate < 0.3  # the new null trial roughly halves the earlier 0.49
    hk = pool_condition("fibromyalgia", "SMD", "REML", hksj=True)
    assert hk.ci_low < 0 < hk.ci_high  # with HKSJ the interval crosses 0
    wider = pool_condition("fibromyalgia", include_nonrandomised=True)
    assert wider.k == 4 and wider.estimate > res.estimate
    assert pool_condition("fibromyalgia", exclude_high_risk=True).k == 3


def test_smith_2011_arm_sizes_come_from_the_registry() -> None:
    # NCT00663117 results: "Started 20 20"; the paper's percentages are not turned into counts
    smith = load_studies("crohns")
    smith = smith[smith["study_id"] == "Smith2011_CD"]
    assert set(smith["n_ldn"]) == {20} and set(smith["n_control"]) == {20}
    assert (smith["data_type"] != "counts").all()
    assert smith["quote"].str.contains("Started 20 20").any()


def test_correlation_assumption_moves_crossover_effects() -> None:
    low = study_effects("SMD", condition="fibromyalgia", correlation=0.2).set_index("study_id")
    high = study_effects("SMD", condition="fibromyalgia", correlation=0.8).set_index("study_id")
    assert low.loc["Younger2013_FM", "yi"] > high.loc["Younger2013_FM", "yi"]
    assert low.loc["Bruun2024_FINAL_FM", "yi"] == high.loc["Bruun2024_FINAL_FM", "yi"]


def test_pooled_by_condition_table() -> None:
    table = pooled_by_condition("SMD", "REML").set_index("condition")
    assert table.loc["fibromyalgia", "k"] == 3 and table.loc["fibromyalgia", "pooled"]
    assert table.loc["crohns", "k"] == 1 and not table.loc["crohns", "pooled"]
    assert np.isnan(table.loc["crohns", "i2"]) and np.isnan(table.loc["crohns", "pi_low"])
    rr = pooled_by_condition("RR").set_index("condition")
    assert rr.loc["fibromyalgia", "k"] == 2 and rr.loc["fibromyalgia", "estimate"] > 1


def test_unknown_or_empty_condition_is_explained() -> None:
    with pytest.raises(InputError, match="unknown; use one of"):
        load_studies("gout")
    assert load_studies("lupus").equals(load_studies("sle"))  # an alias of the registry
    for spelling in ("sle", "lupus"):
        with pytest.raises(InputError, match="sle: the dataset has no LDN study of Systemic lupus"):
            pool_condition(spelling)
    with pytest.raises(InputError, match="no placebo-controlled randomised study"):
        pool_condition("psoriasis")


def test_adverse_event_table_uses_wilson_intervals() -> None:
    from statsmodels.stats.proportion import proportion_confint

    table = adverse_event_table()
    row = table[(table["study_id"] == "Smith2007_CD")].iloc[0]
    lo, hi = proportion_confint(7, 17, method="wilson")
    assert row["rate_ldn"] == pytest.approx(7 / 17)
    assert row["ci_low_ldn"] == pytest.approx(lo) and row["ci_high_ldn"] == pytest.approx(hi)
    zero = table[table["ldn"] == "0/14"].iloc[0]
    assert zero["ci_low_ldn"] == 0.0 and zero["ci_high_ldn"] > 0.15
    bruun = table[table["study_id"] == "Bruun2024_FINAL_FM"].iloc[0]
    assert bruun["rd"] == pytest.approx(4 / 49 - 3 / 50)


def _write_bad(tmp_path: Path, row: int, col: str, value: str) -> Path:
    src = Path(__file__).parents[2] / "src" / "ldn" / "data" / "studies.csv"
    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    frame.loc[row - 1, col] = value
    path = tmp_path / "studies.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("row", "col", "value", "message"),
    [
        (12, "n_ldn", "abc", "studies.csv row 12, column n_ldn: 'abc' is not a whole number"),
        (3, "condition", "lupus", "row 3, column condition: 'lupus' is not one of"),
        (5, "url", "", "row 5, column url: '' is empty but required"),
        (19, "events_ldn", "80", "row 19, column events_ldn: '80' must lie between 0 and n_ldn"),
        (
            2,
            "lower_is_better",
            "maybe",
            "row 2, column lower_is_better: 'maybe' must be true or false",
        ),
        (9, "p_value", "1.5", "row 9, column p_value: '1.5' must lie strictly between 0 and 1"),
        (
            19,
            "events_control",
            "",
            "row 19, column events_control: '' is empty but data_type counts",
        ),
        (2, "status", "ongoing", "row 2, column data_type: 'p_parallel' must be reported_only"),
        (1, "url", "www.example.org", "not a web address"),
    ],
)
def test_bad_cells_name_row_and_column(
    tmp_path: Path, row: int, col: str, value: str, message: str
) -> None:
    path = _write_bad(tmp_path, row, col, value)
    with pytest.raises(DataFileError) as info:
        read_table(path, STUDY_COLUMNS)
    assert message in str(info.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "studies.csv"
    path.write_text("study_id,citation\nx,y\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing column"):
        read_table(path, STUDY_COLUMNS)
