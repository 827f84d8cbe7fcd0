# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run    install and play a short demo on the embedded SQLite default
#   make test   install the dev tools, lint, type-check and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test test-fast lint install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/adv db upgrade
	$(BIN)/adv roll 4d6kh3 --times 6
	$(BIN)/adv sheet create --example rogue --replace
	$(BIN)/adv sheet show
	$(BIN)/adv check --skill stealth --dc 15 --odds

lint: install-dev
	$(BIN)/ruff check adventorator tests bench
	$(BIN)/ruff format --check adventorator tests bench
	$(BIN)/mypy

# A worker per core, each taking whole test files (--dist loadfile: a file's tests
# share its fixtures and order). The package is byte-compiled first: the suite
# starts `adv` as a process hundreds of times, and with PYTHONDONTWRITEBYTECODE
# set (as on CI) each would otherwise compile the package again.
PYTEST_PARALLEL = -n auto --dist loadfile

test: lint
	$(BIN)/python -m compileall -q adventorator
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The inner loop: SQLite only, no real processes or servers (see tests/conftest.py).
test-fast: install-dev
	$(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not slow and not postgres"

bench: install-dev
	$(BIN)/python bench/dice.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build
