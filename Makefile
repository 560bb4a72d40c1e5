# lockcheck: every target sets itself up; a fresh clone needs only python3 (>= 3.11).
# The virtualenv is made from PYTHON when given, else from the first of
# PYTHON_CANDIDATES that is a CPython >= 3.11 with venv: the distribution's
# own build first, which on Debian (PGO, LTO, linked statically) runs a scan
# about 15 % faster than a default pyenv build (shared library, no PGO) on
# the same machine, with the same output (benchmarks/RESULTS.md).
PYTHON_CANDIDATES ?= /usr/bin/python3 /usr/local/bin/python3 python3
PYTHON   ?= $(or $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11) or sys.implementation.name != "cpython")' >/dev/null 2>&1 && echo $(p)))),python3)
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
KVERSION ?= 6.12
KERNEL   ?= kernel/linux-source-$(KVERSION)

.PHONY: all setup test demo kernel bench recall clean golden fuzz python

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# the hot modules compiled with Cython (lockcheck/compiled_modules.py): a scan
# uses each while its source is unchanged, so a failed or stale build only
# costs speed (LOCKCHECK_PURE=1 runs everything as Python); incremental
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) $(wildcard lockcheck/*.py lockcheck/frontend/*.py lockcheck/analysis/*.py lockcheck/report/*.py)
	($(BIN)/pip install -q -e '.[compiled]' && $(BIN)/python -m lockcheck.compiled_modules) || \
	  echo "lockcheck: compiled modules not built; every module runs as Python"
	touch $(COMPILED)

## setup: the virtualenv, with the hot modules compiled (about 6 min the first time on two cores)
setup: $(COMPILED)

## python: the interpreter the virtualenv is (or would be) made from
python:
	@echo $(PYTHON)

## test: install into .venv, then run the whole suite (real-tree tests skip without `make kernel`)
test: $(COMPILED)
	$(BIN)/python -m pytest -q tests

## fuzz: the long fuzz campaign, niced: a seeded mutation loop until each reader has its quota
## (10^6 front-end inputs, 10^5 for each other reader) or FUZZ_SECONDS (default 3600) are spent;
## FUZZ_JOBS workers (default 1; the ones past the first pause while the load is above 3); seed
## functions also from $(KERNEL) when it is unpacked; crashes saved to fuzz-crashes/; prints inputs
## per reader, time and crashes (a short hypothesis pass of the same fuzzers runs in `make test`)
FUZZ_SECONDS ?= 3600
FUZZ_JOBS ?= 1
FUZZ_SEEDS := $(wildcard $(KERNEL)/kernel/locking $(KERNEL)/drivers/virtio $(KERNEL)/mm)
fuzz: $(STAMP)
	nice -n 19 $(BIN)/python -m tests.fuzz.campaign --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS) --max-load 3 \
		--crash-dir fuzz-crashes --report fuzz-report.json $(if $(FUZZ_SEEDS),--kernel-seeds $(FUZZ_SEEDS))

## golden: regenerate the report golden files (tests/report/golden/) after a deliberate change; review the diff
golden: $(STAMP)
	$(BIN)/python -m tests.report.regen

## demo: scan the mini-KVM fixture before and after the upstream fix
demo: $(STAMP)
	@echo "== mini KVM before commit 44d17459 (expect the 4-lock cycle) =="
	-$(BIN)/lockcheck scan fixtures/minikvm/before
	@echo
	@echo "== mini KVM after the fix (kvm_usage_lock; expect no cycle) =="
	$(BIN)/lockcheck scan fixtures/minikvm/after

## kernel: install Debian's linux-source-$(KVERSION) if missing and unpack it under kernel/ (git-ignored)
kernel: $(KERNEL)/Makefile

$(KERNEL)/Makefile:
	@test -f /usr/src/linux-source-$(KVERSION).tar.xz || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-$(KVERSION))
	mkdir -p kernel
	tar -C kernel -xf /usr/src/linux-source-$(KVERSION).tar.xz
	touch $@

## bench: front-end and scan benchmarks on the real tree; writes benchmarks/RESULTS.md
bench: $(COMPILED) kernel
	$(BIN)/python benchmarks/run.py --tree $(KERNEL)

## recall: the whole recall set (benchmarks/RECALL.md) on linux-source-6.1 and 6.12 (both unpacked: make kernel, make kernel KVERSION=6.1):
##         the table, then every case's test (`make test` runs only the cases marked quick)
recall: $(COMPILED)
	$(BIN)/python benchmarks/recall.py
	RECALL_ALL=1 $(BIN)/python -m pytest -q tests/test_recall.py

clean:
	rm -rf $(VENV) .pytest_cache .lockcheck-cache
