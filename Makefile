# Two commands on a fresh Debian 12 machine: `make demo` and `make test`.
# Every target installs what it needs first; nothing is installed by hand.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
KCC   := $(VENV)/bin/kcc
SITE  ?= config/site.yaml

.PHONY: deps rootfs venv lock lint unit test demo up down bench soak trace check-config clean

deps:
	@bash scripts/install-deps.sh

rootfs: deps
	@bash scripts/build-rootfs.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

# Re-pin every package after a change of pyproject.toml's dependencies.
lock: venv
	$(VENV)/bin/pip install -q -e '.[dev]'
	{ echo "# Pinned environment for Python 3.11 (pip freeze of '.[dev]'); regenerate with 'make lock'."; \
	  $(VENV)/bin/pip freeze --exclude-editable; } > requirements.lock

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) scripts/import-cycles.py

unit: venv
	$(VENV)/bin/pytest tests/unit

# The unit tier alone must drive every module (scripts/coverage-floor.py: 80 % of its
# lines), then the integration tier runs against the real parts.
COVERED := acd,ivr_flows,asterisk_conf,realtime_stats,recordings,sqlite_schema

test: deps rootfs venv lint
	$(VENV)/bin/coverage run --source=$(COVERED) -m pytest tests/unit
	$(PY) scripts/coverage-floor.py
	$(VENV)/bin/pytest --durations=20 tests/integration

check-config: venv
	$(KCC) check-config $(SITE)

demo: deps rootfs venv
	$(KCC) demo --site $(SITE)

up: deps rootfs venv
	$(KCC) up --site $(SITE)

down: venv
	$(KCC) down

# Re-record the real Asterisk AMI trace the parse benchmark reads (bench/traces/).
trace: deps rootfs venv
	KCC_WRITE_TRACE=1 $(VENV)/bin/pytest -q tests/integration/test_capture_ami_trace.py

bench: deps rootfs venv
	$(PY) bench/run.py

# An hour of steady calls: memory flat, per-call tables empty after (docs/reliability.md).
soak: deps rootfs venv
	$(PY) bench/bench_soak.py

clean:
	rm -rf $(VENV) build
