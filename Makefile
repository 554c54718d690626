# Excerpta. `make run` and `make test` set everything up themselves (see README.md).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
INSTALLED := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint setup chromium office axe benchmark clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(INSTALLED)

var/demo-password:
	mkdir -p -m 700 var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(12))' > $@
	chmod 600 $@

run: $(INSTALLED) var/demo-password
	@# Quiet unless something goes wrong: a fresh clone applies some seventy migrations.
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo --password "$$(cat var/demo-password)"
	@echo ""
	@echo "  Excerpta is running at http://127.0.0.1:$(PORT)/"
	@echo "  Log in as 'researcher' (owner) or 'committee' (reviewer), password: $$(cat var/demo-password)"
	@echo "  (set when the demo users were created; a password changed in the app since stays)"
	@echo "  Stop it with Ctrl+C."
	@echo ""
	$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --log-level warning

# Chromium for the browser tests: the system's if there is one, else Debian's package when
# root, else Playwright's own download.
chromium: $(INSTALLED)
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
	    || command -v google-chrome >/dev/null || [ -n "$$EXCERPTA_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium package for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	    $(VENV)/bin/playwright install chromium; \
	fi

# axe-core (package.json) for the accessibility sweep in the browser tests, from npm; Debian's
# npm package when npm is missing and we are root.
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "Installing Debian's npm package for the accessibility tests..."; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	    else \
	        echo "The accessibility tests need npm (Debian's npm package) to install axe-core." >&2; \
	        exit 1; \
	    fi; \
	fi
	npm install --no-audit --no-fund
	touch $@

axe: $(AXE)

# LibreOffice and poppler for the tests marked slow, which render the findings document to
# PDF and read its pages: Debian's packages when root, else a message saying what to install.
office:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing LibreOffice Writer and poppler-utils for the rendering tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        libreoffice-writer-nogui poppler-utils fonts-liberation >/dev/null; \
	else \
	    echo "The tests marked slow need LibreOffice (soffice) and pdftotext: install" \
	        "libreoffice-writer-nogui and poppler-utils." >&2; \
	    exit 1; \
	fi

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(INSTALLED) chromium office axe
	$(VENV)/bin/pytest

test-postgres: $(INSTALLED) chromium office axe
	./.ci/with-postgres $(VENV)/bin/pytest

test: lint test-sqlite test-postgres

benchmark: $(INSTALLED)
	EXCERPTA_DEVTOOLS=1 $(PY) manage.py benchmark

clean:
	rm -rf $(VENV) var build *.egg-info tests/artifacts node_modules
