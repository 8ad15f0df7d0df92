# resnetgen: `make build` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test serve check clean bench deploy

# The virtualenv is rebuilt only when the pins change.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) (log: $(VENV)/pip.log)"
	$(BIN)/pip install --disable-pip-version-check -r requirements-dev.txt > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	$(BIN)/pip install --disable-pip-version-check --no-deps -e . >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	touch $(STAMP)

# The checkers the tests run (vnu.jar, axe-core), pinned in package-lock.json.
# --ignore-scripts: vnu-jar's install script would download a Java; Debian's is used.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  echo "Installing the HTML and accessibility checkers into node_modules (npm ci)"; \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: HTML and accessibility tests will skip (apt-get install npm)"; fi

build: $(STAMP)
	$(BIN)/resnetgen build

check: $(STAMP)
	$(BIN)/resnetgen check

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

# make serve PORT=8001 when port 8000 is taken.
serve: $(STAMP)
	$(BIN)/resnetgen serve $(if $(PORT),--port $(PORT))

# Builds (stopping on any error), then pushes output/ as the gh-pages branch of origin.
deploy: $(STAMP)
	$(BIN)/resnetgen deploy

# `make bench [SIZES="1000 10000"]`: resnetgen against Hugo on synthetic sites (bench/).
SIZES ?= 1000 10000
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -r requirements-bench.txt >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES)

clean:
	rm -rf output .output.staging .resnetgen-cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
