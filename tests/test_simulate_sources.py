"""Provenance: every validation number is sourced, and docs/model.md covers every PK constant."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ldn.parameters import default_parameters

ROOT = Path(__file__).resolve().parents[1]


def test_published_validation_data_carry_source_url_and_quote() -> None:
    frame = pd.read_csv(ROOT / "src" / "ldn" / "data" / "pk_observations.csv")
    assert frame["id"].is_unique
    for col in ("value", "source", "url", "quote", "use"):
        assert frame[col].notna().all(), col
    assert frame["url"].str.startswith("http").all()
    assert set(frame["use"]) <= {"fit", "check", "constraint"}


def test_model_doc_lists_every_pk_and_receptor_parameter() -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    names = [n for n in default_parameters() if n.split(".")[0] in ("pk", "receptor", "dose_class")]
    assert names
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"docs/model.md lacks {missing}; regenerate its parameter table"
