# One command each: `make demo` brings a lab up, proves it and tears it down; `make test` runs the suite.
# Both install what they need on a fresh Debian machine (as root): docker.io, dockerd, a busybox image.
VENV ?= .venv
PY := $(VENV)/bin/python
DL := $(VENV)/bin/dockerlab
DEMO ?= labs/user-bridge.yaml

.PHONY: demo test unit lint engine image bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

engine image:
	bash scripts/setup-engine.sh

demo: $(VENV)/.installed engine
	$(DL) validate labs/*.yaml
	$(DL) apply $(DEMO)
	$(DL) apply $(DEMO)
	$(DL) status $(DEMO)
	$(DL) destroy $(DEMO)

test: $(VENV)/.installed engine
	$(PY) -m pytest -ra $(PYTEST_ARGS)

unit: $(VENV)/.installed
	$(PY) -m pytest -ra -m 'not engine' $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check dockerlab tests

clean:
	rm -rf $(VENV) .pytest_cache
