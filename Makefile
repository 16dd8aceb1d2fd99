# The two commands a newcomer needs: `make demo` and `make test`.
# Each bootstraps .venv on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-load bench lint docs picture fixtures clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/esp demo esp-demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The suite twice (RUNS=n) with a busy loop on every core, as CI's loaded machine runs it.
RUNS ?= 2
test-load: $(STAMP)
	$(BIN)/python scripts/test_under_load.py --runs $(RUNS)

bench: $(STAMP)
	$(BIN)/python bench/bench.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

# The command reference from the commands themselves, then every session in README and docs/
# rewritten with esp's real output (make test fails when either is out of date), and the KPI
# chart's picture in docs/images/ redrawn from the sample.
docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py
	$(BIN)/python scripts/readme_sessions.py --update
	$(BIN)/python scripts/kpi_picture.py

# The picture of a document's page in docs/commands/document.md (needs LibreOffice Writer
# and pdftoppm); after changing the built-in templates (scripts/make_templates.py).
picture: $(STAMP)
	$(BIN)/python scripts/document_picture.py

fixtures: $(STAMP)
	$(BIN)/python scripts/make_fixtures.py
	$(BIN)/python scripts/make_templates.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
