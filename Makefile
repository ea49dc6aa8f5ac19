# The two commands a newcomer needs: `make run` and `make test`. Both set up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test bench bench-classify bench-train clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/crowdsketch serve

test: setup
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/ingest.py

bench-classify: setup
	$(BIN)/python bench/classify.py

bench-train: setup
	$(BIN)/python bench/train.py

clean:
	rm -rf $(VENV) .pytest_cache
