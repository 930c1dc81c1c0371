"""The one output-path rule (`ldn.cli._output`, docs/architecture.md), command by command.

A FILE option needs an existing folder (checked before any work); a FOLDER option is created with
its parents before any work, and a path that cannot be a folder (an existing file, or a folder
under a file) is one message with exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_runner import run


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`ldn argv`: (exit code, stdout + stderr on one line)."""
    code, out, err = run(argv, capsys)
    return code, " ".join((out + err).split())


def _not_a_folder(tmp_path: Path) -> list[Path]:
    """An existing file, and a path under that file: neither can be made a folder."""
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n", encoding="utf-8")
    return [afile, afile / "sub"]


def test_demo_out_that_cannot_be_a_folder_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out in _not_a_folder(tmp_path):
        code, text = _run(["demo", "--out", str(out)], capsys)
        assert code == 2, text
        assert f"--out: cannot create the folder {out}" in text


def test_demo_out_is_created_before_the_sections_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ldn.demo.summary

    seen: list[bool] = []

    def fake_run_demo(out_dir: Path) -> list[Any]:
        seen.append(out_dir.is_dir())  # made by the CLI, not by the demo
        return []

    monkeypatch.setattr(ldn.demo.summary, "run_demo", fake_run_demo)
    out = tmp_path / "missing" / "deeper"
    code, text = _run(["demo", "--out", str(out)], capsys)
    assert code == 0, text
    assert seen == [True]


def test_calibrate_pk_out_is_checked_before_any_fitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ldn.calibration.pk_store

    def no_fit(*args: object, **kwargs: object) -> object:
        raise AssertionError("fitted before the --out folder was checked")

    monkeypatch.setattr(ldn.calibration.pk_store, "calibrate_model", no_fit)
    base = ["calibrate-pk", "--steps", "0", "--no-loso", "--model", "brain_retention"]
    for out in _not_a_folder(tmp_path):
        code, text = _run([*base, "--out", str(out)], capsys)
        assert code == 2, text
        assert f"--out: cannot create the folder {out}" in text


def test_calibrate_pk_out_is_created_before_any_fitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ldn.calibration.pk_store

    seen: list[bool] = []

    def fake_run(out: Path, **kwargs: object) -> Path:
        seen.append(out.is_dir())
        return out

    monkeypatch.setattr(ldn.calibration.pk_store, "run", fake_run)
    out = tmp_path / "missing" / "deeper"
    code, text = _run(["calibrate-pk", "--out", str(out), "--steps", "0"], capsys)
    assert code == 0, text
    assert seen == [True]


def test_calibrate_out_dir_is_a_folder_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out-dir missing/deeper` is created (it was refused as if it named a file)."""
    import ldn.mechanisms.run

    seen: list[bool] = []

    def fake_calibrate(out_dir: Path, **kwargs: object) -> dict[str, object]:
        seen.append(out_dir.is_dir())
        return {"weights": {"untested": {}}, "families": {}}

    monkeypatch.setattr(ldn.mechanisms.run, "calibrate", fake_calibrate)
    out = tmp_path / "missing" / "deeper"
    code, text = _run(["calibrate", "--out-dir", str(out)], capsys)
    assert code == 0, text
    assert seen == [True]
    for bad in _not_a_folder(tmp_path):
        code, text = _run(["calibrate", "--out-dir", str(bad)], capsys)
        assert code == 2, text
        assert f"--out-dir: cannot create the folder {bad}" in text


def test_calibrate_reweigh_reads_out_dir_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing"
    code, text = _run(["calibrate", "--reweigh", "--out-dir", str(out)], capsys)
    assert code == 2, text
    assert f"no calibration in {out}" in text
    assert not out.exists()


def test_registry_report_csv_folder_is_checked_before_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--csv` is made before the database is opened, so nothing is written when it cannot be."""
    html = tmp_path / "report.html"
    database = f"sqlite:///{tmp_path / 'registry.db'}"
    for csv in _not_a_folder(tmp_path):
        argv = ["registry", "report", "--out", str(html), "--csv", str(csv)]
        code, text = _run([*argv, "--database", database], capsys)
        assert code == 2, text
        assert f"--csv: cannot create the folder {csv}" in text
        assert not html.exists()


def test_cli_figures_share_the_library_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--plot` is written by `ldn.figures.save_figure` (120 dpi); a failed write names --plot."""
    from PIL import Image

    import ldn.cli._output
    from ldn.figures import DPI

    assert not hasattr(ldn.cli._output, "save_figure")
    plot = tmp_path / "prisma.png"
    code, text = _run(["evidence", "prisma", "--plot", str(plot)], capsys)
    assert code == 0, text
    with Image.open(plot) as image:
        assert round(image.info["dpi"][0]) == DPI == 120
    from matplotlib.figure import Figure

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)  # the write itself fails
    code, text = _run(["evidence", "prisma", "--plot", str(plot)], capsys)
    assert code == 2, text
    assert f"cannot write --plot {plot}: No space left on device" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["simulate", "--dose-mg", "4.5", "--days", "1", "--plot"], "--plot"),
        (["simulate", "--dose-mg", "4.5", "--days", "1", "--format", "csv", "--out"], "--out"),
        (["evidence", "forest", "--condition", "fm", "--plot"], "--plot"),
    ],
)
def test_a_file_option_naming_a_folder_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    """A folder that happens to end in .png is still a folder: one message, exit 2, no output."""
    folder = tmp_path / "looks_like.png"
    folder.mkdir()
    code, text = _run([*argv, str(folder)], capsys)
    assert code == 2, text
    assert f"{option} {folder} is a folder; name a file inside it." in text
    assert list(folder.iterdir()) == []
