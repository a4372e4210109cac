# lokapp – the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := lokapp
PO := $(wildcard lokapp/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test install translations messages lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(MO)

# Fuzzy entries are guesses made by `pybabel update`; they are not shown (Swedish is, until
# someone checks the translation and removes the flag).
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

translations: $(MO)

# Extract Swedish source strings and update the English catalogue. --ignore-dirs replaces
# Babel's default, which also skips every directory starting with "_" (templates/_macros).
# tests/core/test_translations.py reads the keywords and ignore patterns from this line.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__' \
		--add-comments=TRANSLATORS: --project=lokapp --copyright-holder='Västerås stad' \
		-o lokapp/translations/messages.pot .
	$(BIN)/pybabel update -i lokapp/translations/messages.pot -d lokapp/translations

run: install
	@mkdir -p instance/mail
	$(BIN)/flask db upgrade
	$(BIN)/flask lok demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
