"""`ldn evidence ...` end to end: output formats, plots, and error messages (exit code 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ldn.cli.main import main


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["ldn", "evidence", *args])
    with pytest.raises(SystemExit) as info:
        main()
    return int(info.value.code or 0)


def test_pool_condition_json_has_the_contract_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "pool", "--condition", "fibromyalgia", "--format", "json") == 0
    payload = json.loads(capsys.readouterr().out)
    for key in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "pi_low", "pi_high", "k"):
        assert key in payload
    assert payload["k"] == 3 and len(payload["studies"]) == 3


@pytest.mark.parametrize(
    ("spelling", "name"),
    [("fm", "fibromyalgia"), ("Crohn's disease", "crohns"), ("CROHN", "crohns"), ("MS", "ms")],
)
def test_pool_and_list_accept_every_spelling_of_the_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], spelling: str, name: str
) -> None:
    """A title or alias of `ldn.conditions` pools and lists exactly what its name does."""
    results = []
    for condition in (name, spelling):
        assert _run(monkeypatch, "pool", "--condition", condition, "--format", "json") == 0
        results.append(json.loads(capsys.readouterr().out))
        assert _run(monkeypatch, "list", "--condition", condition, "--format", "json") == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows and {r["condition"] for r in rows} == {name}
    assert results[0] == results[1] and results[0]["k"] >= 1


def test_table_headings_name_the_condition_not_the_spelling_typed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "pool", "--condition", "fm") == 0
    out = capsys.readouterr().out
    assert "Fibromyalgia: SMD" in out and "fm: SMD" not in out
    assert _run(monkeypatch, "list", "--condition", "CROHN") == 0
    assert "LDN studies (Crohn's disease)" in capsys.readouterr().out


def test_an_alias_without_studies_is_resolved_before_it_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "lupus" is SLE: refused because SLE has no study, not because the name is unknown."""
    assert _run(monkeypatch, "pool", "--condition", "lupus") == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert "sle: the dataset has no LDN study of Systemic lupus erythematosus" in err
    assert "unknown" not in err


def test_pool_user_csv_with_hksj_and_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .results import results_metafor as ref

    csv = tmp_path / "bcg.csv"
    csv.write_text(
        "study,ai,bi,ci,di\n"
        + "\n".join(
            f"t{i},{int(a)},{int(b)},{int(c)},{int(d)}" for i, (a, b, c, d) in enumerate(ref.BCG)
        ),
        encoding="utf-8",
    )
    plot = tmp_path / "forest.png"
    out = tmp_path / "res.json"
    code = _run(
        monkeypatch,
        "pool",
        "--input",
        str(csv),
        "--measure",
        "RR",
        "--method",
        "REML",
        "--hksj",
        "--format",
        "json",
        "--out",
        str(out),
        "--plot",
        str(plot),
    )
    assert code == 0 and plot.stat().st_size > 1000
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["estimate"] == pytest.approx(-0.7145, abs=5e-5)
    assert payload["ci_low"] == pytest.approx(-1.1084, abs=5e-5)
    assert payload["pi_low_ratio"] == pytest.approx(0.14, abs=0.005)


def test_summary_csv_list_forest_and_adverse_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "pool", "--format", "csv") == 0
    out = capsys.readouterr().out
    assert out.startswith("condition,label,k,") and "fibromyalgia" in out
    assert _run(monkeypatch, "list", "--condition", "ms", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["condition"] for r in rows} == {"ms"}
    plot = tmp_path / "all.svg"
    assert _run(monkeypatch, "forest", "--plot", str(plot)) == 0 and plot.exists()
    assert _run(monkeypatch, "adverse-events", "--format", "csv") == 0
    assert "vivid dreams" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pool", "--condition", "gout"), "condition 'gout' is unknown"),
        (("list", "--condition", "lupus nephritis"), "condition 'lupus nephritis' is unknown"),
        (("pool", "--method", "ML"), "method 'ML' is not one of"),
        (("pool", "--format", "xml"), "--format 'xml' is not one of"),
        (("pool", "--condition", "ms", "--input", "x.csv"), "not both"),
        (("pool", "--input", "does-not-exist.csv"), "does not exist"),
        (("forest", "--plot", "f.txt", "--condition", "ms"), "must end in"),
        (("pool", "--format", "table", "--out", "x.json"), "--out writes csv or json"),
        (("list", "--format", "csv", "--out", "no/such/dir/x.csv"), "does not exist"),
        (("funnel", "--plot", "no/such/dir/f.png", "--condition", "ms"), "does not exist"),
    ],
)
def test_errors_exit_2_with_a_message(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    assert _run(monkeypatch, *args) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_table_output_with_egger_leave_one_out_subgroups_and_funnel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .results import results_metafor as ref

    csv = tmp_path / "bcg.csv"
    rows = [
        f"t{i},{int(a)},{int(b)},{int(c)},{int(d)},{'early' if i < 5 else 'late'}"
        for i, (a, b, c, d) in enumerate(ref.BCG)
    ]
    csv.write_text("study,ai,bi,ci,di,subgroup\n" + "\n".join(rows), encoding="utf-8")
    assert _run(monkeypatch, "pool", "--input", str(csv), "--measure", "RR") == 0
    out = capsys.readouterr().out
    assert "I² = 92.2 %" in out and "Egger's test" in out
    assert "leave-one-out" in out and "test for subgroup differences" in out
    plot = tmp_path / "funnel.png"
    assert (
        _run(monkeypatch, "funnel", "--input", str(csv), "--measure", "RR", "--plot", str(plot))
        == 0
    )
    assert plot.exists()
    funnel_out = capsys.readouterr().out
    egger = [ln for ln in out.splitlines() if ln.startswith("Egger's test")]
    assert egger and egger == [ln for ln in funnel_out.splitlines() if ln.startswith("Egger")]
    assert "(SE " in egger[0]
