# Everything a fresh machine needs, from Python 3.11 and pip up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench read clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## build the demo district (SQLite) and serve it on http://127.0.0.1:8000
	$(BIN)/taizhang demo

test: $(STAMP)  ## the whole suite; set DATABASE_URL to run it on PostgreSQL
	$(BIN)/ruff check taizhang tests bench
	TAIZHANG_DEBUG=1 $(BIN)/taizhang makemigrations --check --dry-run >/dev/null
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/ledger.py

read: $(STAMP)  ## the reader on the seed documents
	$(BIN)/taizhang read ../shared/seeds --jsonl var/facts.jsonl

clean:
	rm -rf $(VENV) var
