# Two commands do everything: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,import]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python -m bot

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check bot tests
	$(BIN)/mypy bot
