PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# One stamp per layer: `make run` needs the runtime only; tests and linters add theirs.
RUNTIME := $(VENV)/.runtime
TESTSTACK := $(VENV)/.teststack
DEVSTACK := $(VENV)/.devstack
TORCH_VERSION := 2.13.0
# PyTorch's CPU-only wheels (PyPI's torch brings several GB of CUDA libraries).
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: install install-test run test check bench lint starter-vectors clean

# Runtime: the project and its default models (numpy only), no torch, no Node.js.
install: $(RUNTIME)

$(RUNTIME): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

# Test stack: CPU torch, sentence-transformers, the test models, the Bot API emulator (npm).
# torch comes from PyTorch's CPU index when it answers; otherwise (offline machines, CI mirrors)
# from what pip's own configuration offers (find-links, a local index), never unpinned.
install-test: $(TESTSTACK)

$(TESTSTACK): $(RUNTIME) tests/e2e/emulator/package.json
	@if $(BIN)/python -c "import sys, urllib.request as u; u.urlopen(sys.argv[1] + '/torch/', timeout=10)" "$(TORCH_INDEX)" 2>/dev/null; then \
		echo "torch==$(TORCH_VERSION) (CPU) depuis $(TORCH_INDEX)"; \
		$(BIN)/pip install --quiet --index-url "$(TORCH_INDEX)" "torch==$(TORCH_VERSION)"; \
	else \
		echo "$(TORCH_INDEX) injoignable : torch==$(TORCH_VERSION) depuis la configuration de pip (find-links, index local)"; \
		$(BIN)/pip install --quiet "torch==$(TORCH_VERSION)"; \
	fi
	@$(BIN)/python -c "import torch, sys; sys.exit(0 if torch.version.cuda is None else 'torch installé avec CUDA : attendu la version CPU')"
	$(BIN)/pip install --quiet -e ".[test]"
	cd tests/e2e/emulator && npm ci --silent --no-audit --no-fund
	touch $(TESTSTACK)

run: install
	$(BIN)/essbot start

# every test (end to end, eval quality, PostgreSQL...): several minutes
test: install-test
	$(BIN)/python -m pytest

# the fast part (no test marked slow): under a minute
check: install-test
	$(BIN)/python -m pytest -m "not slow"

bench: install-test
	$(BIN)/python benchmarks/quality.py --knowledge knowledge --questions tests/eval/questions.yaml
	$(BIN)/python benchmarks/performance.py
	$(BIN)/python benchmarks/bot_bench.py

$(DEVSTACK): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(DEVSTACK)

lint: $(DEVSTACK)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy indexing bot
	$(BIN)/lint-imports

# Re-encode the starter base's passages shipped with the package (after editing knowledge/
# or changing the default model); see indexing/retrieval/starter.py.
starter-vectors: install
	$(BIN)/python -m indexing.retrieval.starter --knowledge knowledge

clean:
	rm -rf $(VENV) data
