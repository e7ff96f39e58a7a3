# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DATA := demo/online_retail_sample.csv

.PHONY: run test fuzz test-neo4j test-milvus test-topology bench lint install install-dev frontend migrate demo-data screenshots \
	clean services services-stop neo4j neo4j-stop milvus milvus-stop check-compose

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# The browser libraries the pages use, from frontend/package-lock.json, served as static files (no CDN):
# npm ci only when the lock changed, then the built files and their licences (chart.umd bundles
# @kurkle/color) into static/vendor/, and the customer's app (frontend/app, Vite) built into static/app/.
FRONTEND_MODULES := frontend/node_modules
VENDOR := static/vendor
CHARTJS := $(VENDOR)/chart.js/chart.umd.min.js
APP := static/app/index.html
APP_SOURCES := $(shell find frontend/app -type f) frontend/vite.config.ts frontend/tsconfig.json

$(FRONTEND_MODULES)/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHARTJS): $(FRONTEND_MODULES)/.package-lock.json
	mkdir -p $(@D)
	cp $(FRONTEND_MODULES)/chart.js/dist/chart.umd.min.js $(FRONTEND_MODULES)/chart.js/dist/chart.umd.min.js.map $(@D)/
	cp $(FRONTEND_MODULES)/chart.js/LICENSE.md $(@D)/LICENSE.md
	cp $(FRONTEND_MODULES)/@kurkle/color/LICENSE.md $(@D)/LICENSE-kurkle-color.md

$(APP): $(FRONTEND_MODULES)/.package-lock.json $(APP_SOURCES)
	cd frontend && npm run --silent build

frontend: $(CHARTJS) $(APP)

install: $(VENV)/.runtime frontend
install-dev: $(VENV)/.dev frontend

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo-data: migrate
	$(BIN)/python manage.py import_online_retail $(DEMO_DATA)
	$(BIN)/python manage.py attach_demo_images
	$(BIN)/python manage.py load_demo $(DEMO_DATA)

# A first model on the demo data, so recommendations never start without one (not again once one is ready).
# HOST and PORT reach the settings too: links in emails (SITE_URL) follow them unless SITE_URL is set.
run: demo-data
	$(BIN)/python manage.py train_recommender --if-missing
	$(BIN)/python manage.py ensure_admin
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py runplatform

# Tests use their own VAR_DIR so they never share a broker or files with `make run`.
test: install-dev
	VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

# Hostile generated input (tests/fuzz) at a larger, fixed budget; FUZZ_RANDOM=1 draws fresh inputs.
FUZZ_EXAMPLES ?= 300
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m fuzz $(PYTEST_ARGS)

# The graph and media tests again, on Neo4j and the S3-compatible store (`make services`).
test-neo4j: install-dev
	eval "$$(ops/services env)" && export REDIS_URL=redis://127.0.0.1:6379/15 && \
	  VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m "graph or object_store" $(PYTEST_ARGS)

# The vector store's tests again, on a Milvus server (`make milvus`).
test-milvus: install-dev
	eval "$$(ops/services env | grep MILVUS_URI)" && VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m vectors $(PYTEST_ARGS)

# The production topology as separate processes (gunicorn, workers, beat) on those servers.
test-topology: install-dev
	eval "$$(ops/services env)" && VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m topology $(PYTEST_ARGS)

# PostgreSQL, Redis, Neo4j, an S3-compatible store and Milvus on 127.0.0.1, installed when missing;
# `ops/services env` prints the variables that point the platform at them.
services:
	ops/services start

services-stop:
	ops/services stop

neo4j:
	ops/services start neo4j

neo4j-stop:
	ops/services stop neo4j

milvus:
	ops/services start milvus

milvus-stop:
	ops/services stop milvus

bench: install-dev
	$(BIN)/python -m bench

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# docker-compose.yml against the Compose specification and nginx's configuration, no Docker needed.
check-compose:
	ops/check-compose

# The browser tests save what they saw under var/test/screenshots; the README shows these.
screenshots: install-dev
	VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m browser $(PYTEST_ARGS)
	cp var/test/screenshots/*.png docs/screenshots/

# The analytics page and a campaign's page on the full Online Retail import (the bench database).
.PHONY: screenshots-analytics
screenshots-analytics: install-dev
	$(BIN)/python -m bench.analytics_pages

clean:
	rm -rf var/db.sqlite3* var/broker var/test var/imports var/celerybeat-schedule* $(VENDOR) static/app $(FRONTEND_MODULES)
