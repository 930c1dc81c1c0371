"""`ldn serve`: refuses an unsafe secret before binding, migrates the database, runs uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ldn.cli.serve import serve
from ldn.errors import InputError


def test_production_without_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LDN_ENVIRONMENT", "production")
    monkeypatch.delenv("LDN_SECRET_KEY", raising=False)
    with pytest.raises(InputError, match="LDN_SECRET_KEY is not set"):
        serve(host="127.0.0.1", port=8000, database=f"sqlite:///{tmp_path / 'r.sqlite'}", workers=1)
    assert not (tmp_path / "r.sqlite").exists()  # refused before touching the database


def test_serve_migrates_and_starts_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setenv("LDN_DATABASE_URL", "set-by-serve")  # restored after the test
    monkeypatch.setenv("LDN_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LDN_ENVIRONMENT", "production")
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    serve(host="127.0.0.1", port=8123, database=url, workers=1)
    assert (tmp_path / "r.sqlite").exists()
    (call,) = calls
    assert call["app"] == "ldn.web.app:create_app" and call["factory"] is True
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    err = capsys.readouterr().err
    assert "http://127.0.0.1:8123/" in err and "demo-data" in err
