# Every target installs what it needs first, so a fresh machine (root, Debian) works.
SWIFT ?= swift
SCRATCH ?= .build
BIN = $(SCRATCH)/debug/sexton
APT_PACKAGES = libmicrohttpd-dev prometheus curl python3-venv postgresql
PY_PACKAGES = pytest pyyaml
# A fresh virtual environment for the client and OpenAPI tests: they install what a user would.
VENV ?= .venv-tests

.PHONY: deps build test test-swift test-monitoring test-clients bench-build demo run bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@python3 -c "import pytest, yaml" 2>/dev/null || python3 -m pip install -q $(PY_PACKAGES)

build: deps
	$(SWIFT) build --scratch-path $(SCRATCH)

# The one command that runs every test (CI calls exactly this). The benchmarks are built too,
# so a change that breaks them fails here rather than at the next `make bench`.
test: build test-swift test-monitoring test-clients bench-build

test-swift:
	SEXTON_BINARY=$(abspath $(BIN)) $(SWIFT) test --scratch-path $(SCRATCH)

test-monitoring:
	SEXTON_BINARY=$(abspath $(BIN)) python3 -m pytest -q Tests/monitoring

# The Python client installed as a user installs it, and schemathesis over docs/openapi.yaml.
test-clients:
	rm -rf $(VENV) && python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q ./clients/python pytest pyyaml schemathesis
	SEXTON_BINARY=$(abspath $(BIN)) $(VENV)/bin/python -m pytest -q Tests/contract Tests/clients

# Runs the sidecar with its demo workload: metrics on :9477, API on 127.0.0.1:7477.
demo: build
	$(BIN) serve --demo

run: build
	$(BIN) serve

bench-build:
	$(SWIFT) build --package-path Benchmarks

bench: deps
	$(SWIFT) package --package-path Benchmarks --allow-writing-to-package-directory benchmark

clean:
	rm -rf $(SCRATCH) $(VENV)
