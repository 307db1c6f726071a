# riskgraph — see README.md. `make run` for the embedded demo, `make test` for the tests.
GO          ?= go
BIN         := bin/riskgraph
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test lint bench services-up services-down clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/riskgraph

## run: the embedded demo (no services needed) on http://127.0.0.1:8080
run: build
	./$(BIN) demo

## test: starts Neo4j and Redis, then vets, lints and runs every test
test: services-up lint
	scripts/test.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
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
