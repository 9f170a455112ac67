# Two commands: `make run` and `make test`. Everything else is set up on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := web/static/vendor/.installed
MO := web/translations/en/LC_MESSAGES/messages.mo

.PHONY: setup run test lint bench load peer clean

setup: $(PY_STAMP) $(JS_STAMP) $(MO)

$(PY_STAMP): pyproject.toml
	@echo "setting up Python packages in $(VENV) …"
	@$(PY) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(JS_STAMP): package.json package-lock.json tools/copy_vendor.mjs tools/build_designer.mjs $(wildcard web/static/designer_src/*)
	@echo "setting up front-end assets (bpmn-js, ECharts, the process designer) …"
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@node tools/copy_vendor.mjs >/dev/null
	@node tools/build_designer.mjs >/dev/null
	@touch $@

$(MO): web/translations/en/LC_MESSAGES/messages.po $(PY_STAMP)
	@$(BIN)/pybabel -q compile --use-fuzzy -d web/translations -D messages

run: setup
	@$(BIN)/qinglian init --demo      # prints the demo logins (issue 10 #12: nothing else)
	@$(BIN)/qinglian serve --host 127.0.0.1 --port 5000

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: setup lint
	$(BIN)/pytest -n 2 --dist loadfile  # both cores: one test file per worker

bench: setup
	$(BIN)/python bench/run.py

load: setup
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,load]'
	$(BIN)/python bench/load.py --think 5-15  # officers reading a step and filling its form between requests
	$(BIN)/python bench/load.py --think 1-3  # a stress test: what 2 cores serve when users hardly pause

peer: setup
	$(BIN)/python bench/peer.py

clean:
	rm -rf $(VENV) node_modules web/static/vendor instance $(MO)
