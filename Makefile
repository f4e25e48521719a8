# Every target installs what it needs first, so a fresh machine (root, Debian) works.
SWIFT ?= swift
SCRATCH ?= .build
BIN = $(SCRATCH)/debug/sexton
APT_PACKAGES = libmicrohttpd-dev prometheus prometheus-alertmanager curl python3-venv postgresql buildah binutils
PY_PACKAGES = pytest pyyaml
# A fresh virtual environment for the client and OpenAPI tests: they install what a user would.
VENV ?= .venv-tests
# The container image: a release build of its own (static Swift runtime, stripped) and buildah.
IMAGE ?= localhost/sexton
IMAGE_SCRATCH ?= .build-image
VERSION = $(shell sed -n 's/.*static let version = "\(.*\)"/\1/p' Sources/SextonTelemetry/BuildInfo.swift)
BUILDAH = buildah --storage-driver vfs

.PHONY: deps build test test-swift test-monitoring test-clients test-image image bench-build demo run bench clean

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
test: build test-swift test-monitoring test-clients test-image bench-build

# Serially (about 70 s instead of 35): the binary tests wait for processes and sockets on the
# cooperative pool's two threads, and in parallel they starved a real-clock test for 30 s.
test-swift:
	SEXTON_BINARY=$(abspath $(BIN)) $(SWIFT) test --scratch-path $(SCRATCH) --no-parallel

# The monitoring stack, and replicas sharing a throwaway PostgreSQL (Tests/replicas).
test-monitoring:
	SEXTON_BINARY=$(abspath $(BIN)) python3 -m pytest -q Tests/monitoring Tests/replicas

# The Python client installed as a user installs it, and schemathesis over docs/openapi.yaml.
test-clients:
	rm -rf $(VENV) && python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q ./clients/python pytest pyyaml schemathesis
	SEXTON_BINARY=$(abspath $(BIN)) $(VENV)/bin/python -m pytest -q Tests/contract Tests/clients

# The image built, then run from its own root (buildah run): it serves, probes and metrics.
test-image: image
	SEXTON_IMAGE=$(IMAGE):$(VERSION) python3 -m pytest -q Tests/image

# localhost/sexton:<version> and :latest in buildah's local storage, and the same image as an OCI
# archive in $(IMAGE_SCRATCH)/sexton.oci.tar (for skopeo, podman load or a registry push).
image: deps
	$(SWIFT) build -c release --product sexton --static-swift-stdlib -Xlinker -s --scratch-path $(IMAGE_SCRATCH)
	deploy/image/rootfs.sh $(IMAGE_SCRATCH)/release/sexton $(IMAGE_SCRATCH)/context
	$(BUILDAH) bud -q --isolation chroot --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) -t $(IMAGE):latest $(IMAGE_SCRATCH)/context
	rm -f $(IMAGE_SCRATCH)/sexton.oci.tar
	$(BUILDAH) push -q $(IMAGE):$(VERSION) oci-archive:$(IMAGE_SCRATCH)/sexton.oci.tar:$(IMAGE):$(VERSION)
	@echo "image $(IMAGE):$(VERSION): $$($(BUILDAH) images --format '{{.Size}}' $(IMAGE):$(VERSION) | head -n1) unpacked, $$(du -m $(IMAGE_SCRATCH)/sexton.oci.tar | cut -f1) MB compressed"

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
	rm -rf $(SCRATCH) $(VENV) $(IMAGE_SCRATCH)
