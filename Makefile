# One command to start draaibot, one to test it; both set everything up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint eval bench clean

$(BIN)/draaibot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/draaibot

run: $(BIN)/draaibot
	$(BIN)/draaibot index
	$(BIN)/draaibot run

test: $(BIN)/draaibot
	$(BIN)/draaibot check
	$(BIN)/draaibot index
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

eval: $(BIN)/draaibot
	$(BIN)/python benchmarks/eval.py --dev ../shared/eval/dev_questions.jsonl \
		--dev tests/fixtures/extra_questions.jsonl --dev tests/fixtures/heldout_questions.jsonl

bench: $(BIN)/draaibot
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
