"""User CSVs with metafor column names: detection, effects, and clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.evidence import effect_size_2x2, effect_size_smd, read_effects_csv
from ldn.evidence.user_csv import detect_column_set, effects_from_frame

from .results import results_metafor as ref


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "input.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_detects_each_metafor_column_set() -> None:
    assert detect_column_set(["yi", "vi", "study"]) == "yi_vi"
    assert detect_column_set(["yi", "sei"]) == "yi_sei"
    assert detect_column_set(["ai", "bi", "ci", "di"]) == "counts_2x2"
    assert detect_column_set(["ai", "n1i", "ci", "n2i"]) == "counts_n"
    assert detect_column_set(["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"]) == "means"


def test_counts_and_means_agree_with_escalc_functions(tmp_path: Path) -> None:
    a, b, c, d = ref.BCG.T
    frame = pd.DataFrame(
        {"ai": a, "bi": b, "ci": c, "di": d, "author": [f"t{i}" for i in range(13)]}
    )
    got = effects_from_frame(frame.astype(str), "RR")
    yi, vi = effect_size_2x2(a, a + b, c, c + d, "RR")
    np.testing.assert_allclose(got.yi, yi)
    np.testing.assert_allclose(got.vi, vi)
    assert got.labels[0] == "t0" and got.column_set == "counts_2x2"
    m1, sd1, n1, m2, sd2, n2 = ref.CHEN_PEACE.T
    text = "study,m1i,sd1i,n1i,m2i,sd2i,n2i,subgroup\n" + "\n".join(
        f"s{i},{r[0]},{r[1]},{int(r[2])},{r[3]},{r[4]},{int(r[5])},{'ab'[i % 2]}"
        for i, r in enumerate(ref.CHEN_PEACE)
    )
    data = read_effects_csv(_csv(tmp_path, text), "SMD")
    np.testing.assert_allclose(data.yi, effect_size_smd(m1, sd1, n1, m2, sd2, n2)[0])
    assert data.subgroups == ("a", "b", "a", "b", "a", "b")


def test_yi_sei_squares_the_standard_error(tmp_path: Path) -> None:
    data = read_effects_csv(_csv(tmp_path, "yi,sei\n0.1,0.2\n0.3,0.5\n"), "GEN")
    np.testing.assert_allclose(data.vi, [0.04, 0.25])
    assert data.labels == ("study 1", "study 2")


@pytest.mark.parametrize(
    ("text", "measure", "message"),
    [
        ("a,b\n1,2\n", "SMD", "no metafor column set found"),
        ("ai,n1i,ci\n1,2,3\n", "RR", "ai n1i ci n2i is missing n2i"),
        ("yi,vi\n0.1,abc\n", "SMD", "input.csv row 1, column vi: 'abc' is not a number"),
        ("yi,vi\n0.1,0.1\n0.2,-1\n", "SMD", "row 2, column vi: '-1' must be > 0"),
        ("ai,n1i,ci,n2i\n12,10,3,10\n", "RR", "row 1, column ai: 12 events exceed n1i = 10"),
        ("ai,n1i,ci,n2i\n2.5,10,3,10\n", "OR", "row 1, column ai: '2.5' is not a whole number"),
        ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,-2,10,1,1,10\n", "SMD", "column sd1i: '-2' must be >= 0"),
        ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,2,10,1,1,10\n", "RR", "give SMD/MD, not RR"),
        ("ai,bi,ci,di\n1,2,3,4\n", "SMD", "give RR/OR/RD, not SMD"),
        ("yi,vi\n", "SMD", "no data rows"),
    ],
)
def test_bad_csvs_get_clear_errors(tmp_path: Path, text: str, measure: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_effects_csv(_csv(tmp_path, text), measure)


def test_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_effects_csv(tmp_path / "nope.csv")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 60), st.integers(0, 50), st.integers(1, 60)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["RR", "OR", "RD"]),
)
def test_any_valid_2x2_table_parses_to_finite_effects(
    rows: list[tuple[int, int, int, int]], measure: str
) -> None:
    lines = ["ai,n1i,ci,n2i"] + [f"{min(a, n1)},{n1},{min(c, n2)},{n2}" for a, n1, c, n2 in rows]
    frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str)
    data = effects_from_frame(frame, measure)
    assert np.all(np.isfinite(data.yi)) and np.all(data.vi > 0)
