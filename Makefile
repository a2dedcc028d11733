# The two commands of the README: `make demo` and `make test`.
# Both create .venv from requirements.txt when it is missing (or older than it); `make test` also
# installs the Debian packages the tests need when run as root (scripts/install-system-deps.sh).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean-venv

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m newscrawler demo

test: $(STAMP)
	@scripts/install-system-deps.sh
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m newscrawler bench

clean-venv:
	rm -rf $(VENV)
