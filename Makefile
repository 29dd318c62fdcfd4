# Pusip — one command to run, one command to test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PATH := $(HOME)/.local/bin:$(HOME)/.cargo/bin:$(PATH)
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_FLAGS ?= -q

.PHONY: help uv sync run test test-services services-up services-down services-status system-deps lint typecheck audit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

uv: ## Install uv if it is missing
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
	  { echo "uv tidak ada, memasang / installing uv"; python3 -m pip install --user --quiet uv || pip install --quiet uv; }

sync: uv ## Install the workspace (all packages, dev tools)
	$(UV) sync --all-packages --frozen

system-deps: ## Debian packages the tests use (Chromium, docker-compose, yaz)
	bash infra/dev/system-deps.sh

run: sync ## Start the whole suite (embedded mode, demo data on first start)
	$(UV) run pusip up

test: sync system-deps ## Every test that needs no external server (browser tests included)
	$(UV) run pytest -m "not services" $(PYTEST_FLAGS)

test-services: sync ## The behaviour suites against real PostgreSQL, Redis, Elasticsearch, MinIO, Keycloak
	$(UV) run pytest -m services $(PYTEST_FLAGS)

services-up: ## Provision and start the real servers on 127.0.0.1 (cached outside the checkout)
	bash infra/dev/services.sh up

services-down: ## Stop the real servers
	bash infra/dev/services.sh down

services-status: ## Show the real servers' state
	bash infra/dev/services.sh status

lint: sync ## Ruff and mypy
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy libs/pusip-kit/src gateway/src services/*/src src

audit: sync ## Audit the locked dependencies for known vulnerabilities (pip-audit; fails if it cannot run)
	UV=$(UV) bash infra/dev/audit.sh

bench: sync ## Benchmarks (results go to docs/benchmarks.md by hand)
	$(UV) run python -m bench

clean: ## Remove local run data (./var)
	rm -rf var
