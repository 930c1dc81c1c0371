"""The `ldn` entry point: usage errors and user errors are one message, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _ldn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ldn.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("simulate", "--dose", "3"), "No such option"),
        (("no-such-command",), "No such command"),
        (("simulate", "--dose-mg", "abc"), "Invalid value"),
        (("simulate", "--dose-mg", "-1", "--days", "1"), "greater than 0"),
    ],
)
def test_bad_invocations_exit_2_without_traceback(args: tuple[str, ...], message: str) -> None:
    result = _ldn(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
