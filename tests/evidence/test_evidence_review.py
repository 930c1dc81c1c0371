"""Systematic search record, PRISMA counts, risk of bias, GRADE, living-evidence checks, docs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import DataFileError, InputError
from ldn.evidence import (
    cumulative_meta,
    diary_sensitivity,
    evidence_summary,
    load_studies,
    pool,
    pool_condition,
    pool_with_certainty,
    smd_crossover_from_p,
)
from ldn.evidence.appraisal import OVERALL_LEVELS, attach_risk_of_bias, needs_rob, validate_rob
from ldn.evidence.certainty import grade
from ldn.evidence.docs_gen import render_docs
from ldn.evidence.living import add_rows
from ldn.evidence.schema import RANDOMISED_DESIGNS, STUDY_COLUMNS, records
from ldn.evidence.search import load_changelog, load_screening, load_search_log, prisma_counts

ROOT = Path(__file__).parents[2]
DATA = ROOT / "src" / "ldn" / "data"
runner = CliRunner()


def test_prisma_counts_add_up() -> None:
    c = prisma_counts()
    assert {"identified", "screened", "excluded", "included"} <= set(c)
    assert c["identified"]["records"] == int(load_search_log()["hits"].sum())
    assert c["duplicates_removed"] + c["screened"] == c["identified"]["records"]
    assert c["excluded"]["total"] == sum(c["excluded"]["reasons"].values())
    assert c["excluded"]["total"] + c["not_retrieved"] + c["assessed"] == c["screened"]
    added = set(load_changelog().query("change == 'added'")["study_id"])
    assert set(c["included"]["new_study_ids"]) == added
    assert c["previous"]["studies"] + c["included"]["new_studies"] == c["included"]["total_studies"]


def test_every_included_record_points_at_a_study_and_every_query_was_screened() -> None:
    screen, studies = load_screening(), load_studies()
    inc = screen[screen["decision"] == "included"]
    assert set(inc["study_id"]) <= set(studies["study_id"])
    assert set(screen["query_id"]) <= set(load_search_log()["query_id"])
    # the three 2023 RCTs the audit found missing are in the record and in the dataset
    for sid in ("Bested2023_FM", "BeaudetteZlatanova2023_Arth"):
        assert sid in set(inc["study_id"])


def test_prisma_cli_json_and_plot(tmp_path: Path) -> None:
    out = runner.invoke(
        app, ["evidence", "prisma", "--format", "json", "--plot", str(tmp_path / "p.png")]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert list(data)[:1] == ["previous"] and "reasons" in data["excluded"]
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_every_comparative_row_has_a_risk_of_bias_from_the_right_tool() -> None:
    studies = load_studies()
    for rec in records(studies):
        if not needs_rob(rec):
            continue
        assert rec["risk_of_bias"] in OVERALL_LEVELS, rec["study_id"]
        want = "rob2" if rec["design"] in RANDOMISED_DESIGNS else "robins_i"
        assert rec["rob_tool"] == want
        n = 5 if want == "rob2" else 7
        assert all(rec[f"rob_d{d}"] and rec[f"rob_d{d}_reason"] for d in range(1, n + 1))


def test_risk_of_bias_overall_cannot_be_better_than_its_worst_domain() -> None:
    raw = pd.read_csv(DATA / "risk_of_bias.csv", dtype=str, keep_default_na=False)
    row = raw.index[raw["study_id"] == "Cree2010_MS"][0]
    raw.loc[row, "risk_of_bias"] = "low"  # D3 is high
    with pytest.raises(DataFileError, match="better than its worst domain"):
        validate_rob(raw)
    raw = pd.read_csv(DATA / "risk_of_bias.csv", dtype=str, keep_default_na=False)
    raw.loc[row, "d3_reason"] = ""
    with pytest.raises(DataFileError, match="every judgement needs a reason"):
        validate_rob(raw)


def test_a_comparative_row_without_risk_of_bias_is_refused() -> None:
    raw = pd.read_csv(DATA / "risk_of_bias.csv", dtype=str, keep_default_na=False)
    rob = validate_rob(raw[raw["study_id"] != "Bested2023_FM"])
    from ldn.evidence.schema import read_table

    studies = read_table(DATA / "studies.csv", STUDY_COLUMNS)
    with pytest.raises(DataFileError, match=r"Bested2023_FM .* no row in risk_of_bias\.csv"):
        attach_risk_of_bias(studies, rob)


def _rows(rob: list[str], n: list[int], randomised: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study_id": [f"s{i}" for i in range(len(n))],
            "n_total": n,
            "randomised": randomised,
            "risk_of_bias": rob,
        }
    )


def test_grade_rules_on_synthetic_evidence() -> None:
    big = pool([0.5, 0.52, 0.48], [0.005, 0.005, 0.005])
    assert grade(_rows(["low"] * 3, [800, 800, 800]), big).rating == "high"
    assert grade(_rows(["low"] * 3, [800, 800, 800], False), big).rating == "low"
    cert = grade(_rows(["high", "high", "low"], [800, 800, 800]), big)
    assert cert.rating == "low" and cert.reasons[0].startswith("risk of bias (−2)")
    spread = pool([0.1, 0.9, 1.8], [0.005, 0.005, 0.005])
    assert spread.i2 > 75
    assert "inconsistency (−2)" in grade(_rows(["low"] * 3, [800] * 3), spread).reasons[0]
    pub = grade(_rows(["low"] * 3, [800] * 3), big, ["X (completed unreported)"])
    assert pub.rating == "moderate" and "publication bias" in pub.reasons[0]
    floor = grade(_rows(["high"] * 3, [10, 10, 10]), spread, ["Y"])
    assert floor.rating == "very low"


def test_pool_json_carries_a_top_level_certainty() -> None:
    out = runner.invoke(
        app, ["evidence", "pool", "--condition", "fibromyalgia", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["certainty"]["rating"] in ("high", "moderate", "low", "very low")
    assert all(d["reason"] for d in data["certainty"]["domains"])
    summary = json.loads(runner.invoke(app, ["evidence", "pool", "--format", "json"]).stdout)
    assert {"certainty", "certainty_reasons"} <= set(summary[0])
    listing = json.loads(runner.invoke(app, ["evidence", "list", "--format", "json"]).stdout)
    assert isinstance(listing, list) and {"risk_of_bias", "rob_d1_reason", "status"} <= set(
        listing[0]
    )


def test_sensitivity_flags_change_the_fibromyalgia_pool() -> None:
    base, _, rows = pool_with_certainty("fibromyalgia")
    assert rows["randomised"].all()
    wide, _, wrows = pool_with_certainty("fibromyalgia", include_nonrandomised=True)
    assert "Younger2009_FM" in set(wrows["study_id"]) and wide.k == base.k + 1
    out = runner.invoke(
        app, ["evidence", "pool", "--input", str(ROOT / "README.md"), "--exclude-high-risk"]
    )
    assert out.exit_code != 0


def test_diary_deflation_shrinks_only_diary_rows() -> None:
    g1, v1 = smd_crossover_from_p(0.016, 31, 0.5)
    g2, v2 = smd_crossover_from_p(0.016, 31, 0.5, t_deflation=2.0)
    assert g2 < g1 and v2 < v1
    with pytest.raises(InputError, match="at least 1"):
        smd_crossover_from_p(0.016, 31, 0.5, t_deflation=0.5)
    table = diary_sensitivity("fibromyalgia")
    assert table["estimate"].is_monotonic_decreasing


def test_cumulative_meta_ends_at_the_primary_pool() -> None:
    cum = cumulative_meta("fibromyalgia")
    res = pool_condition("fibromyalgia")
    assert list(cum["k"]) == list(range(1, res.k + 1))
    assert cum["year"].is_monotonic_increasing
    assert cum["estimate"].iloc[-1] == pytest.approx(res.estimate, rel=1e-12)


def test_cumulative_cli_plot(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        [
            "evidence",
            "cumulative",
            "--condition",
            "fibromyalgia",
            "--plot",
            str(tmp_path / "c.png"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "c.png").stat().st_size > 5_000


def test_evidence_summary_for_the_web_page() -> None:
    s = evidence_summary("fibromyalgia")
    assert s["available"] and s["k"] == len(s["studies"])
    assert s["certainty"]["rating"] in ("high", "moderate", "low", "very low")
    none = evidence_summary("sle")
    assert not none["available"] and "no LDN study" in none["message"]


def test_registered_trials_without_results_are_listed_not_pooled() -> None:
    s = load_studies()
    waiting = s[s["status"] != "reported"]
    assert len(waiting) >= 10 and (waiting["data_type"] == "reported_only").all()
    trials = waiting[waiting["design"].isin(RANDOMISED_DESIGNS)]
    # sponsor-announced trials (PTI-901, 2005) have no registry id
    assert trials["registry_id"].fillna("").str.len().gt(0).mean() >= 0.75


def _data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "evidence").mkdir(parents=True)
    for name in ("studies.csv", "risk_of_bias.csv"):
        shutil.copy(DATA / name, folder / name)
    shutil.copy(DATA / "evidence" / "changelog.csv", folder / "evidence" / "changelog.csv")
    return folder


def _new_row(**change: str) -> pd.DataFrame:
    raw = pd.read_csv(DATA / "studies.csv", dtype=str, keep_default_na=False)
    row = raw[raw["study_id"] == "Bested2023_FM"].iloc[[0]].copy()
    row["study_id"] = "NewTrial2027_FM"
    for k, v in change.items():
        row[k] = v
    return row


def _rob_row() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "risk_of_bias.csv", dtype=str, keep_default_na=False)
    row = raw[raw["study_id"] == "Bested2023_FM"].copy()
    row["study_id"] = "NewTrial2027_FM"
    return row


def test_add_appends_a_valid_row_and_a_changelog_line(tmp_path: Path) -> None:
    folder = _data_copy(tmp_path)
    _new_row().to_csv(tmp_path / "new.csv", index=False)
    _rob_row().to_csv(tmp_path / "rob.csv", index=False)
    before = len(pd.read_csv(folder / "studies.csv"))
    out = runner.invoke(
        app,
        [
            "evidence",
            "add",
            str(tmp_path / "new.csv"),
            "--rob",
            str(tmp_path / "rob.csv"),
            "--reason",
            "test trial",
            "--data-dir",
            str(folder),
        ],
    )
    assert out.exit_code == 0, out.output
    assert len(pd.read_csv(folder / "studies.csv")) == before + 1
    log = pd.read_csv(folder / "evidence" / "changelog.csv")
    assert log.iloc[-1]["study_id"] == "NewTrial2027_FM" and log.iloc[-1]["detail"] == "test trial"


@pytest.mark.parametrize(
    ("change", "rob", "message"),
    [
        ({"url": "not a url"}, True, "not a web address"),
        ({"quote": "too short"}, True, "verbatim quote of at least four words"),
        ({"n_ldn": "2", "n_control": "2"}, True, "row 1: a crossover needs n >= 3"),
        ({}, False, "no row in risk_of_bias.csv"),
        ({"study_id": "Bested2023_FM"}, True, "already in studies.csv"),
    ],
)
def test_add_refuses_bad_rows_and_changes_nothing(
    tmp_path: Path, change: dict[str, str], rob: bool, message: str
) -> None:
    folder = _data_copy(tmp_path)
    _new_row(**change).to_csv(tmp_path / "new.csv", index=False)
    _rob_row().to_csv(tmp_path / "rob.csv", index=False)
    before = (folder / "studies.csv").read_bytes()
    with pytest.raises((InputError, DataFileError), match=message):
        add_rows(tmp_path / "new.csv", "x", folder, rob_path=tmp_path / "rob.csv" if rob else None)
    assert (folder / "studies.csv").read_bytes() == before


def test_docs_are_up_to_date_with_the_data() -> None:
    """Fails when studies.csv (or any evidence input) changed without `ldn evidence docs`."""
    assert render_docs(ROOT / "docs", check=True) == []


def test_docs_check_detects_a_stale_table(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    text = (docs / "evidence.md").read_text(encoding="utf-8")
    (docs / "evidence.md").write_text(
        text.replace("| Fibromyalgia | 3 |", "| Fibromyalgia | 4 |"), encoding="utf-8"
    )
    assert render_docs(docs, check=True) == ["evidence.md"]
    out = runner.invoke(app, ["evidence", "docs", "--docs", str(docs), "--check"])
    assert out.exit_code == 1


def test_primary_pools_have_one_row_per_trial() -> None:
    for cond in ("fibromyalgia", "crohns", "ms", "arthritis"):
        _, _, rows = pool_with_certainty(cond)
        assert not rows["study_id"].duplicated().any()
        assert np.isfinite(rows["yi"]).all()


def test_changelog_renders_a_row_without_source_without_a_link() -> None:
    from ldn.evidence.docs_gen import render_changelog

    text = render_changelog()
    assert "**nan**" not in text and "(nan)" not in text
    method = [ln for ln in text.splitlines() if ln.startswith("- method: —")]
    assert method and all("[source]" not in ln for ln in method)
