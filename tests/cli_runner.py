"""Run `ldn` in-process as a user would (`ldn.cli.main.main`, so `InputError` becomes exit 2)."""

from __future__ import annotations

import sys

import pytest

from ldn.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `ldn ARGS`."""
    old = sys.argv
    sys.argv = ["ldn", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err
