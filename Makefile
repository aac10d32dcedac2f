PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml tests/e2e/emulator/package.json
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned to the CPU wheel, so that no dependency pulls a CUDA build
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test]"
	cd tests/e2e/emulator && npm ci --silent --no-audit --no-fund
	touch $(STAMP)

run: install
	$(BIN)/essbot start

# every test (end to end, eval quality, PostgreSQL...): several minutes
test: install
	$(BIN)/python -m pytest

# the fast part (no test marked slow): under a minute
check: install
	$(BIN)/python -m pytest -m "not slow"

bench: install
	$(BIN)/python benchmarks/quality.py --knowledge knowledge --questions tests/eval/questions.yaml
	$(BIN)/python benchmarks/performance.py
	$(BIN)/python benchmarks/bot_bench.py

lint: install
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy indexing bot
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) data
