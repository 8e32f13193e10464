# geosuff: the two commands in the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= output

# The data folder: $GEOSUFF_DATA, else ../shared/data beside the checkout. Without one
# (or with GEOSUFF_DATA=sample), `make demo` uses the Rutland sample shipped in geosuff.
DATA_DIR := $(or $(GEOSUFF_DATA),$(wildcard ../shared/data))
ifeq ($(filter-out sample,$(DATA_DIR)),)
DEMO := demo-sample
else
DEMO := demo-data
endif

.PHONY: setup browser demo demo-data demo-sample test lint format bench clean \
	check-install vendor-assets sample

setup: $(VENV)/.installed browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium for the browser tests of the maps (needs root and the Debian
# registry; without it those tests skip and say why).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "warning: could not install chromium; browser tests will be skipped"

demo: setup $(DEMO)

demo-data:
	$(PY) -m geosuff -q layers summary --area Wiltshire
	$(PY) -m geosuff -q layers summary --area Worcestershire
	$(PY) -m geosuff -q layers summary --area Rutland
	$(PY) -m geosuff -q map maps/tisbury.toml
	$(PY) -m geosuff -q map maps/tenbury.toml
	$(PY) -m geosuff -q map maps/rutland.toml
	$(PY) -m geosuff -q report --area Wiltshire --year 2030 --zones wiltshire_15_zones \
		--focus Tisbury --out $(OUT)/reports/wiltshire-2030.html
	@echo "Wiltshire market position report (2030, 15 zones): $(OUT)/reports/wiltshire-2030.html"

demo-sample:
	@echo "no data folder (../shared/data or GEOSUFF_DATA=DIR): using the Rutland sample shipped with geosuff"
	$(PY) -m geosuff -q layers summary --area Rutland --data sample
	$(PY) -m geosuff -q map maps/rutland.toml --data sample
	$(PY) -m geosuff -q report --area Rutland --data sample \
		--network osm/rutland-2022-07-20.osm.pbf --zones rutland_3_zones --focus Oakham \
		--out $(OUT)/reports/rutland.html
	@echo "Rutland market position report (its road network): $(OUT)/reports/rutland.html"

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest

# Build the wheel, install it into a fresh venv and run the README's commands from a
# temporary folder, with the data folder (when there is one) and with --data sample.
check-install: setup
	$(PY) scripts/check_install.py --python $(PYTHON) $(if $(filter-out sample,$(DATA_DIR)),--data $(DATA_DIR),--no-data)

# Refresh the vendored Leaflet files from the versions pinned in the npm lock (needs npm).
vendor-assets: setup
	$(PY) scripts/vendor_leaflet.py

# Rebuild the Rutland sample (geosuff/datasets/rutland) from the data folder.
sample: setup
	$(PY) scripts/build_sample.py --data $(or $(filter-out sample,$(DATA_DIR)),../shared/data)

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	nice $(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
