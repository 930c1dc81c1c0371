# Two commands for a fresh machine with only Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint bench clean browser

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ldn demo --out demo-output

# Browser tests need Debian's Chromium; scripts/ensure-chromium.sh installs it with apt when missing.
browser:
	bash scripts/ensure-chromium.sh

test: lint browser
	$(BIN)/python -m pytest

# ruff, the formatting check and the import contracts of pyproject.toml ([tool.importlinter]:
# layers, no cycles, a pure model core; docs/architecture.md).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) demo-output .pytest_cache
