# Pinned tool versions. `make tools` installs them into .bin/ with
# `go install pkg@version`, so only Go is needed on a clean clone.
# protoc-gen-go must match google.golang.org/protobuf in go.mod.
BUF_VERSION                := v1.75.0
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
STATICCHECK_VERSION        := v0.8.2
GRPCURL_VERSION            := v1.9.4

BIN         := $(CURDIR)/.bin
TOOLS_STAMP := $(BIN)/.tools-$(BUF_VERSION)-$(PROTOC_GEN_GO_VERSION)-$(PROTOC_GEN_GO_GRPC_VERSION)-$(STATICCHECK_VERSION)-$(GRPCURL_VERSION)

.PHONY: tools generate lint

## tools: install the pinned code generators and linters into .bin/
tools: $(TOOLS_STAMP)

# The stamp names every version, so changing a pin reinstalls the tools.
$(TOOLS_STAMP):
	@mkdir -p $(BIN)
	@rm -f $(BIN)/.tools-*
	GOBIN=$(BIN) go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	GOBIN=$(BIN) go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(BIN) go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	GOBIN=$(BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	GOBIN=$(BIN) go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)
	@touch $@

## generate: regenerate the Go code of proto/ (committed; rerunning changes nothing)
generate: tools
	rm -f proto/scv/v1/*.pb.go
	PATH="$(BIN):$$PATH" $(BIN)/buf generate

## lint: gofmt, go vet, staticcheck, buf lint and buf format
lint: tools
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files that need gofmt:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code

.PHONY: build demo test bench eval crash-test

## build: build the scv binary into ./scv
build:
	go build -o scv ./cmd/scv

## demo: run the whole pipeline on the bundled demo silos
demo: build
	./scv demo

## test: everything CI checks: lint, then every test with the race detector
test: lint
	go test -race -count=1 ./...

## bench: hot-path benchmarks and whole-pipeline timings with peak RSS, written to $(BENCH_OUT)
BENCH_OUT ?= bench-results.txt
bench: build
	SCV=$(CURDIR)/scv scripts/bench.sh $(BENCH_OUT)

## eval: pairwise precision, recall and F1 on the Febrl data sets in ../shared/data
eval: build
	SCV=$(CURDIR)/scv scripts/febrl-eval.sh

## crash-test: SIGKILL scv sync at 20 random moments on 50,000 generated customers (make test runs 2,000)
crash-test:
	SCV_CRASH_CUSTOMERS=50000 go test -count=1 -timeout 60m -run TestCrashedSyncsConverge -v ./cmd/scv
