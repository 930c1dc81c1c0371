"""`ldn.trials` re-exports its public names lazily, so `ldn` commands that only need
`ldn.trials.design` (every command: an option default) do not import scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ldn.trials


def test_every_public_name_resolves_to_its_module() -> None:
    assert sorted(ldn.trials.__all__) == sorted(ldn.trials._SOURCES)
    for name in ldn.trials.__all__:
        value = getattr(ldn.trials, name)
        assert value.__name__ == name
        assert value.__module__ == ldn.trials._SOURCES[name]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = ldn.trials.no_such_name


def test_the_cli_imports_without_scipy_stats() -> None:
    code = "import sys, ldn.cli.main; print('scipy.stats' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
