# Every target makes its own .venv first, so a fresh clone needs only Python 3.11 and pip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test soak lint bench screenshots clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(INSTALLED)

run: $(INSTALLED)  ## Start the local stack on 127.0.0.1:$${BILLING_LOCAL_PORT:-3000}
	$(BIN)/python -m infra.local

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/cfn-lint template.yaml

# The end-to-end tests start the local stack inside their own pytest process: handlers build their
# AWS clients when imported, so they must be imported after the stack points them at its emulator.
# The browser tests drive the console in Debian's Chromium (/usr/bin/chromium) against `python -m infra.local`;
# where Chromium is missing they are skipped, and the skip says how to install it.
test: lint  ## ruff, cfn-lint on template.yaml, then every test
	$(BIN)/python -m pytest tests/unit tests/integration
	$(BIN)/python -m pytest tests/e2e
	$(BIN)/python -m pytest tests/browser

soak: $(INSTALLED)  ## The long runs `make test` leaves out (tests marked soak)
	$(BIN)/python -m pytest -m soak tests/e2e

screenshots: $(INSTALLED)  ## Refresh the console screenshots the README shows (docs/screenshots)
	CONSOLE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/browser

bench: $(INSTALLED)  ## Run benchmarks/ and write benchmarks/results.json
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
