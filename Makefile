# obkm-topology: the two commands of the README, and their parts.
#   make serve   installs what is missing, builds, serves http://127.0.0.1:8080
#   make test    installs what is missing, runs every test (native, clippy, release build, browser)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# wasm-opt comes from npm's binaryen (node_modules/.bin), never from Debian.
# cargo installs trunk and wasm-bindgen-cli into $CARGO_HOME/bin (~/.cargo/bin by default).
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)
# The Python the export tests run: the project's own virtual environment (scripts/install-tools.sh).
export OBKM_VENV ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/obkm-topology/venv
export OBKM_PYTHON ?= $(OBKM_VENV)/bin/python
# Build products live outside the clone (a warm CI run of the same clone reuses them), one
# directory per clone: cargo names a crate's artifacts the same in every clone and judges them
# by file times, so two clones sharing one directory could each run the other's build (seen:
# a release build of one clone served to the other). Override with CARGO_TARGET_DIR=....
export CARGO_TARGET_DIR ?= $(HOME)/.cache/obkm-topology/target-$(shell printf '%s' '$(CURDIR)' | sha256sum | cut -c1-12)
export CARGO_TERM_COLOR ?= never

.PHONY: help tools fetch build serve dev test test-native lint test-browser bench fmt clean

help:
	@echo "make serve    build and serve the app at http://127.0.0.1:8080"
	@echo "make test     run every test (installs what is missing)"
	@echo "make bench    measure the budgets of product.md"

tools:
	@bash scripts/install-tools.sh

fetch:
	@cargo fetch --quiet

# The release build, then the page's Content-Security-Policy (hashes of its inline scripts).
build: tools fetch
	trunk build --release
	node scripts/csp.mjs dist

# The built app with its policy as a header (no autoreload: the policy would refuse it).
serve: build
	node scripts/serve.mjs dist 127.0.0.1 8080

# For development: trunk's server, rebuilding on change (no policy).
dev: tools fetch
	trunk serve --release --address 127.0.0.1 --port 8080

test-native:
	cargo fmt --check
	cargo test --all-targets

lint:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bin obkm-topology-web -- -D warnings

test-browser:
	node --test --test-concurrency=1 tests/browser/

test: tools fetch
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory lint
	trunk build --release
	node scripts/csp.mjs dist
	$(MAKE) --no-print-directory test-browser

bench: tools fetch
	trunk build --release
	node scripts/csp.mjs dist
	cargo build --quiet --release --bin obkm-topology
	node bench/budgets.mjs

fmt:
	cargo fmt

clean:
	rm -rf dist tests/browser/artifacts
