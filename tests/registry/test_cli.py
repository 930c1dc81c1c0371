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


def test_import_notes_each_row_in_an_old_spelling(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_runner import run

    src = tmp_path / "old.csv"
    src.write_text(
        "record_type,patient_code,birth_year,sex,dose_mg,titration,start_date\n"
        "patient,C-2,1980,female,,,\n"
        "prescription,C-2,,,4.5,1.5x7;3x7;,2024-01-01\n"
        'prescription,C-2,,,4.5,"1.5:7,",2024-02-01\n',
        encoding="utf-8",
    )
    _ok("create-clinic", "North", "--database", db)
    code, out, err = run(["registry", "import", str(src), "--database", db], capsys)
    assert code == 0, err
    assert "imported 1 patient(s), 2 prescription(s)" in out
    assert err.splitlines() == [
        "ldn: note: row 3, column titration: titration '1.5x7;3x7;' uses the old titration "
        "spelling; write '1.5:7,3:7' (dose_mg:days steps, comma-separated)"
    ]


def test_a_given_sqlite_path_needs_an_existing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The FILE rule: one message naming the option and the missing folder, nothing created."""
    from cli_runner import run

    deep = tmp_path / "x" / "deep"
    for args, option in (
        (["--database", f"sqlite:///{deep / 'x.db'}"], "--database"),
        ([], "LDN_DATABASE_URL"),
    ):
        monkeypatch.setenv("LDN_DATABASE_URL", f"sqlite:///{deep / 'env.db'}")
        for command in ("init", "migrate"):
            code, out, err = run(["registry", command, *args], capsys)
            assert code == 2, out + err
            message = " ".join(err.split())
            assert f"{option} {deep}/" in message, message
            assert f"the folder {deep} does not exist" in message
    assert not (tmp_path / "x").exists()


def test_the_default_database_folder_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --database or LDN_DATABASE_URL the user-data folder is made on first use."""
    from cli_runner import run
    from ldn.registry.config import default_sqlite_path

    monkeypatch.delenv("LDN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    target = default_sqlite_path()
    assert target.is_relative_to(tmp_path) and not target.parent.exists()
    code, out, err = run(["registry", "init"], capsys)
    assert code == 0, err
    assert target.is_file() and str(target) in "".join(out.split())
