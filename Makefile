# Everything a fresh machine needs is installed by these targets; nothing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
VENDOR := src/joinedup/web/static/vendor
DEMO_DIR ?= demo-output

.PHONY: install system-deps demo test lint typecheck check bench clean

install: $(STAMP) $(NPM_STAMP)

# Re-install only when the dependency list changes; an unchanged tree takes no time.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

# The NHS.UK frontend CSS/JS/images and Vega-Lite (vega, vega-lite, vega-embed: the dashboard's
# charts) the server serves, and axe-core for the accessibility tests, from npm at the versions
# package-lock.json pins; the served files are copied into the package.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp $(NHSUK)/nhsuk-frontend.min.css $(NHSUK)/nhsuk-frontend.min.js $(VENDOR)/
	cp -r $(NHSUK)/assets $(VENDOR)/assets
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
	  node_modules/vega-embed/build/vega-embed.min.js $(VENDOR)/
	touch $(NPM_STAMP)

# Debian packages the tests need: PostgreSQL (the tests start a throwaway cluster of their own on
# loopback), Chromium (driven by Playwright) and Java 17 for Spark's local mode (the spark
# engine's tests). Each is skipped when already there (any `java` on the PATH will do).
system-deps:
	@pkgs=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs="$$pkgs postgresql"; \
	command -v chromium >/dev/null || pkgs="$$pkgs chromium fonts-liberation"; \
	command -v java >/dev/null || pkgs="$$pkgs openjdk-17-jre-headless"; \
	if [ -z "$$pkgs" ]; then \
	  true; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    $$pkgs; \
	else \
	  echo "make system-deps: as root, or install the Debian packages$$pkgs"; exit 1; \
	fi

demo: install
	$(BIN)/joinedup demo --out $(DEMO_DIR) $(if $(PATIENTS),--patients $(PATIENTS))

test: install system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2 -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR) \
	  test-artifacts
