"""`ldn registry …` commands on a temporary SQLite database (CliRunner, in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError

runner = CliRunner()

CSV = (
    "record_type,patient_code,birth_year,sex,conditions,dose_mg,start_date,scale,value,"
    "assessed_on\n"
    "patient,C-1,1980,female,ra,,,,,\n"
    "prescription,C-1,,,,4.5,2024-01-01,,,\n"
    "assessment,C-1,,,,,,das28,4.4,2024-02-01\n"
)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def _ok(*args: str) -> str:
    result = runner.invoke(app, ["registry", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_init_users_import_export_fhir(db: str, tmp_path: Path) -> None:
    from ldn.registry.db import head_revision

    assert f"schema {head_revision()}" in _ok("init", "--database", db)
    _ok("create-clinic", "North", "--database", db)
    out = _ok(
        "create-user",
        "dr.n",
        "--role",
        "clinician",
        "--clinic",
        "North",
        "--password",
        "long-password",
        "--database",
        db,
    )
    assert "created clinician 'dr.n'" in out
    src = tmp_path / "in.csv"
    src.write_text(CSV, encoding="utf-8")
    assert "1 patient(s)" in _ok("import", str(src), "--database", db)
    dst = tmp_path / "out.csv"
    _ok("export", str(dst), "--database", db)
    assert "assessment,C-1" in dst.read_text(encoding="utf-8")
    bundle = tmp_path / "b.json"
    _ok("fhir", "--patient", "C-1", "--out", str(bundle), "--database", db)
    assert json.loads(bundle.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    head = head_revision()
    assert f"schema {head} → empty" in _ok(
        "migrate", "--down", "--revision", "base", "--database", db
    )
    assert f"schema empty → {head}" in _ok("migrate", "--database", db)


def test_bad_import_is_an_input_error_naming_row_and_column(db: str, tmp_path: Path) -> None:
    _ok("create-clinic", "North", "--database", db)
    src = tmp_path / "bad.csv"
    src.write_text(CSV.replace("4.4", "44"), encoding="utf-8")
    result = runner.invoke(app, ["registry", "import", str(src), "--database", db])
    assert isinstance(result.exception, InputError)
    assert "row 4, column value: DAS28 value 44.0 is outside" in str(result.exception)


def test_main_prints_errors_without_traceback(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ldn.cli.main import main

    monkeypatch.setattr(
        "sys.argv",
        ["ldn", "registry", "fhir", "--patient", "X", "--out", "x.json", "--database", db],
    )
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "no patient with code 'X'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("migrate", "--revision", "nope"), "Can't locate revision identified by 'nope'"),
        (("export", "no/such/dir/x.csv"), "the folder no/such/dir does not exist"),
        (("fhir", "--patient", "X", "--out", "no/such/dir/b.json"), "does not exist"),
        (("n-of-1", "--patient", "X", "--plot", "course.txt"), "must end in .png"),
    ],
)
def test_bad_paths_and_revisions_are_input_errors(
    db: str, args: tuple[str, ...], message: str
) -> None:
    result = runner.invoke(app, ["registry", *args, "--database", db])
    assert isinstance(result.exception, InputError), repr(result.exception)
    assert message in str(result.exception)


def test_unreachable_database_is_one_message_without_the_password() -> None:
    url = "postgresql+psycopg://me:secret@127.0.0.1:1/none"  # nothing listens on port 1
    result = runner.invoke(app, ["registry", "init", "--database", url])
    assert isinstance(result.exception, InputError), repr(result.exception)
    assert "cannot open the registry database" in str(result.exception)
    assert "secret" not in str(result.exception)


def test_clinic_is_given_by_name_or_id(db: str, tmp_path: Path) -> None:
    from ldn.registry.errors import NotFound

    assert "(id 1)" in _ok("create-clinic", "North", "--database", db)
    for clinic in ("North", "1"):
        _ok("export", str(tmp_path / f"{clinic}.csv"), "--clinic", clinic, "--database", db)
    result = runner.invoke(
        app, ["registry", "report", "--out", str(tmp_path / "r.html"), "--clinic", "99",
              "--database", db],
    )  # fmt: skip
    assert isinstance(result.exception, NotFound) and "clinic 99 not found" in str(result.exception)


def test_analysis_commands_do_not_create_a_database(tmp_path: Path) -> None:
    typo = tmp_path / "typo.sqlite"
    for args in (["n-of-1", "--patient", "X"], ["report", "--out", str(tmp_path / "r.html")]):
        result = runner.invoke(app, ["registry", *args, "--database", f"sqlite:///{typo}"])
        assert isinstance(result.exception, InputError), repr(result.exception)
        assert "no registry database at" in str(result.exception)
    assert not typo.exists()
