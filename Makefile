# Every target makes its own .venv first, so a fresh clone needs only Python 3.11 and pip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test soak lint bench screenshots clean package lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

# requirements.lock pins every version the tests run on; `make package` builds the functions with the same pins.
$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(INSTALLED)

lock: $(INSTALLED)  ## Rewrite requirements.lock from .venv (after a deliberate change of pyproject.toml's requirements)
	$(BIN)/python -m infra.dependencies lock

run: $(INSTALLED)  ## Start the local stack on 127.0.0.1:$${BILLING_LOCAL_PORT:-3000}
	$(BIN)/python -m infra.local

# checkov, an outside scanner of the template's security settings, lives in a tool environment of its own like
# the SAM CLI (its pins must not hold back the project's). Each finding is fixed or skipped in the resource's
# Metadata with the reason beside it. --skip-download: it scans offline, with the checks it ships.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .tools/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet "checkov==$(CHECKOV_VERSION)"

# lint-imports checks the layers of .importlinter (what may import what: the README's Layout section).
lint: $(INSTALLED) $(CHECKOV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV) --file template.yaml --framework cloudformation --compact --quiet --skip-download

# The end-to-end tests start the local stack inside their own pytest process: handlers build their
# AWS clients when imported, so they must be imported after the stack points them at its emulator.
# The simulation (tests/simulation) starts the local stack in its own pytest process too, for the same reason.
# The browser tests drive the console in Debian's Chromium (/usr/bin/chromium) against `python -m infra.local`;
# where Chromium is missing they are skipped, and the skip says how to install it.
test: lint  ## ruff, the import contract, cfn-lint and checkov on template.yaml, then every test
	$(BIN)/python -m pytest tests/unit tests/integration tests/fuzz
	$(BIN)/python -m pytest tests/e2e
	$(BIN)/python -m pytest tests/simulation
	$(BIN)/python -m pytest tests/browser

soak: $(INSTALLED)  ## The long runs `make test` leaves out (tests marked soak)
	$(BIN)/python -m pytest -m soak tests/integration tests/fuzz
	$(BIN)/python -m pytest -m soak tests/e2e
	$(BIN)/python -m pytest -m soak tests/simulation

screenshots: $(INSTALLED)  ## Refresh the console screenshots the README shows (docs/screenshots)
	CONSOLE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/browser

bench: $(INSTALLED)  ## Run benchmarks/ (or BENCH="cold_import ...") and write benchmarks/results.json; QUICK=1: small sizes (CI), into build/bench-quick.json
	$(BIN)/python -m benchmarks $(if $(filter 1,$(QUICK)),--quick) $(BENCH)

# The SAM CLI lives in a tool environment of its own: it pins boto3 and pydantic, which must not hold back
# the project's. No AWS account or credentials are needed: validate and build run offline (pip downloads the
# arm64 wheels). The functions are built from a staging directory (infra/package.py), never the whole tree.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_REGION ?= us-east-1
PACKAGE_DIR := build/package
export SAM_CLI_TELEMETRY := 0

$(SAM):
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==$(SAM_CLI_VERSION)"

package: $(INSTALLED) $(SAM)  ## sam validate --lint and sam build (offline), into build/package/.aws-sam/build
	$(BIN)/python -m infra.dependencies check
	$(SAM) validate --lint --template-file template.yaml --region $(SAM_REGION)
	$(BIN)/python -m infra.package stage $(PACKAGE_DIR)
	cd $(PACKAGE_DIR) && $(CURDIR)/$(SAM) build --template-file template.yaml --build-dir .aws-sam/build --region $(SAM_REGION)
	$(BIN)/python -m infra.package compile $(PACKAGE_DIR)/.aws-sam/build
	$(BIN)/python -m infra.package verify $(PACKAGE_DIR)/.aws-sam/build

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .hypothesis $(PACKAGE_DIR)
