# The README's two commands: `make demo` and `make test`. Both set up the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO   ?= demo

.PHONY: setup demo test lint unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/winnow sample-data $(DEMO)/evidence --seed 1
	$(BIN)/winnow case create $(DEMO)/case --name "Demo case" --examiner "Demo examiner"
	$(BIN)/winnow ingest $(DEMO)/evidence --case $(DEMO)/case
	$(BIN)/winnow audit verify --case $(DEMO)/case

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint unit

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
