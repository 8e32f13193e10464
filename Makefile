# geosuff: the two commands in the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= output

.PHONY: setup browser demo test lint format bench clean

ASSETS := geosuff/maps/assets

setup: $(VENV)/.installed $(ASSETS)/node_modules/.installed browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Leaflet and its plugins (pinned in $(ASSETS)/package-lock.json), inlined into
# self-contained maps.
$(ASSETS)/node_modules/.installed: $(ASSETS)/package-lock.json
	npm ci --prefix $(ASSETS) --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests of the maps (needs root and the Debian
# registry; without it those tests skip and say why).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "warning: could not install chromium; browser tests will be skipped"

demo: setup
	$(PY) -m geosuff -q layers summary --area Wiltshire
	$(PY) -m geosuff -q layers summary --area Worcestershire
	$(PY) -m geosuff -q layers summary --area Rutland
	$(PY) -m geosuff -q map maps/tisbury.toml
	$(PY) -m geosuff -q map maps/tenbury.toml
	$(PY) -m geosuff -q map maps/rutland.toml

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	nice $(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache $(ASSETS)/node_modules
