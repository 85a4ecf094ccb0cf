# Two commands do everything: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The web chat's browser tests drive Debian's Chromium through its driver. `make test` installs
# both when it can (as root, or with password-less sudo); where it cannot, those tests are
# skipped with a banner at the end of the run.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver

.PHONY: run test lint install browser

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,import]'
	touch $@

install: $(BIN)/.installed

browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "installing chromium and chromium-driver for the browser tests"; \
	  $(APT_INSTALL) >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -q >/dev/null 2>&1 && $(APT_INSTALL) >/dev/null 2>&1; } || \
	  echo "warning: could not install chromium and chromium-driver; browser tests will be skipped" >&2; }

run: install
	$(BIN)/python -m bot

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check bot tests
	$(BIN)/mypy bot
