# The two commands a newcomer needs: `make run` and `make test`. Both set up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The web front end: dependencies again when the lock file changes, a build when a source does.
NPM ?= npm
WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed-stamp
WEB_BUILD := $(WEB)/dist/index.html
# pytest processes for `make test` (pytest-xdist). 0, the default, runs the suite in one
# process; TEST_WORKERS=2 takes about half the time on 2 cores (most tests wait on a service),
# but one run in four there hung in a worker's shutdown (README.md, "Tests").
TEST_WORKERS ?= 0
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json $(WEB)/package.json

.PHONY: bench-together bench-scale setup run run-distributed test test-web test-stress bench bench-classify bench-train bench-bundle bench-mixed bench-datasets bench-events bench-browser bench-experiments clean

setup: $(STAMP) $(WEB_BUILD)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(WEB_STAMP): $(WEB)/package-lock.json $(WEB)/package.json
	cd $(WEB) && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd $(WEB) && $(NPM) run build
	touch $(WEB_BUILD)

run: setup
	$(BIN)/crowdsketch serve

# The distributed topology on this machine: nginx on :8080 in front of collection (:3001),
# admin (:3002) and inference (:3003), and two training workers, on PostgreSQL, Redis,
# RabbitMQ and S3 (a development moto server when AWS_ENDPOINT_URL is unset). Needs nginx
# (Debian: apt-get install -y nginx). Settings: README.md, "Distributed deployment".
run-distributed: setup
	$(BIN)/python deploy/run.py

test: setup test-web
	$(BIN)/pytest -q -n $(TEST_WORKERS) --durations=30

test-web: $(WEB_STAMP)
	cd $(WEB) && $(NPM) test

# The whole suite (Vitest, then pytest) three times in a row while one core is kept busy (RUNS=n).
RUNS ?= 3
test-stress: setup $(WEB_STAMP)
	$(BIN)/python tests/stress.py --runs $(RUNS) --workers $(TEST_WORKERS)

bench: setup
	$(BIN)/python bench/ingest.py

bench-classify: setup
	$(BIN)/python bench/classify.py

bench-train: setup
	$(BIN)/python bench/train.py

bench-together: setup
	$(BIN)/python bench/together.py

bench-bundle: setup
	$(BIN)/python bench/bundle.py

bench-mixed: setup
	$(BIN)/python bench/mixed.py

bench-datasets: setup
	$(BIN)/python bench/dataset_export.py

bench-events: setup
	$(BIN)/python bench/events.py

bench-browser: setup
	$(BIN)/python bench/browser_parity.py

bench-experiments: setup
	$(BIN)/python bench/experiments.py

# Ten million drawings (issue 21): load (about 5 min and 7.6 GB), then time the reads.
ROWS ?= 10000000
bench-scale: setup
	$(BIN)/python bench/scale.py all --rows $(ROWS) --database postgres

clean:
	rm -rf $(VENV) .pytest_cache $(WEB)/node_modules $(WEB)/dist
