# Reprise: `make run` builds and starts the gateway with its bundled
# extensions; `make test` installs what the tests need and runs them all.
GO        ?= go
BIN       := bin
EXT_BIN   := $(BIN)/extensions
EXTENSIONS := echotest videoroom recordplay
GOFLAGS_BUILD := -trimpath

.PHONY: all build run test test-deps generate fuzz bench clean

all: build

build:
	@mkdir -p $(EXT_BIN)
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/gateway ./cmd/gateway
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/extctl ./cmd/extctl
	@for e in $(EXTENSIONS); do \
		echo "$(GO) build -o $(EXT_BIN)/$$e ./extensions/$$e"; \
		$(GO) build $(GOFLAGS_BUILD) -o $(EXT_BIN)/$$e ./extensions/$$e || exit 1; \
	done

run: build
	./$(BIN)/gateway -data ./data $(ARGS)

test-deps:
	bash scripts/install-test-deps.sh

test: test-deps build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

# Regenerates schema/extpb from schema/extension.proto (needs protoc).
generate:
	$(GO) generate ./schema/...

# Runs every fuzz target for FUZZTIME each (the seed corpora run in `make test`).
FUZZTIME ?= 20s
fuzz:
	@for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | cut -d' ' -f2); do \
			echo "== $$t $$f"; $(GO) test $$t -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./core/...

clean:
	rm -rf $(BIN)
