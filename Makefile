# riskgraph — see README.md. `make run` for the embedded demo, `make test` for the tests.
GO          ?= go
BIN         := bin/riskgraph
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test lint bench services-up services-down clean web web-e2e

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/riskgraph

## run: the embedded demo (no services needed) on http://127.0.0.1:8080 — the UI at /
## (built first when missing or older than its sources, with Node.js 20+ and npm; without npm a warning)
run: web/dist/app/index.html build
	./$(BIN) demo

## web: build the UI (web/ → web/dist/app, embedded by the next go build); see docs/ui.md
web:
	scripts/web-build.sh

web/dist/app/index.html: web/package-lock.json web/index.html web/vite.config.js $(wildcard web/src/*)
	scripts/web-build.sh --if-possible

## web-e2e: the UI's end-to-end test in headless Chromium against riskgraph demo
web-e2e:
	scripts/web-e2e.sh

## test: starts Neo4j and Redis, installs Chromium when missing (the report's HTML check in the
## Go tests needs it), then vets, lints and runs every test (and the UI's end-to-end test in
## headless Chromium, which installs npm packages). Without Chromium the HTML check skips,
## except under CI=true, where the install must succeed.
test: services-up lint
	scripts/chromium-install.sh || [ "$$CI" != true ]
	scripts/pdf-tools-install.sh || [ "$$CI" != true ]
	scripts/test.sh
	scripts/api-conformance.sh
	scripts/web-e2e.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	for tag in apibench auditbench matchbench; do $(GO) vet -tags $$tag ./benchmarks/ || exit 1; done
	$(GO) run $(STATICCHECK) ./...

## bench: throughput and replay benchmarks (see benchmarks/RESULTS.md)
bench: services-up build
	benchmarks/run.sh

services-up:
	scripts/services-up.sh

services-down:
	scripts/services-down.sh

clean:
	rm -rf bin
