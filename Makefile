# scope: a Go transformer runtime with Vulkan and SIMD CPU backends and SCOPE KV compression.

# A Go that can build the module (scripts/go.sh fetches one when the installed go is older
# than 1.21, which cannot download toolchains itself).
ifeq ($(origin GO),undefined)
GO := $(shell sh scripts/go.sh)
endif
BIN     := bin/scope

.PHONY: all build test test-race test-vk-modes test-short bench generate check-shaders demo vet fmt deps clean gpu-bundle

all: build

# The source revision for 'scope version' (builds with -buildvcs=false carry no VCS stamp).
REVISION ?= $(shell git describe --always --dirty --abbrev=12 2>/dev/null)

build:
	$(GO) build -ldflags "-X main.revision=$(REVISION)" -o $(BIN) ./cmd/scope

vet:
	$(GO) vet ./...

# The whole test suite (what CI runs). Tests that need ../shared/testdata or a Vulkan device
# say so when they skip; CI sets SCOPE_REQUIRE_TESTDATA=1 and SCOPE_REQUIRE_VULKAN=1 so they
# cannot skip there.
test: vet
	$(GO) test -count=1 -timeout 25m ./...
	$(MAKE) test-race
	$(MAKE) test-vk-modes

# The misuse, resource and fault-injection suites, the session lifecycle, the batched
# step and the engine and server under the race detector (docs/reliability.md).
test-race:
	$(GO) test -race -count=1 -timeout 20m -run 'TestMisuse|TestResource|TestFault|TestBatch' ./tests
	$(GO) test -race -count=1 ./engine ./serve
	$(GO) test -race -count=1 -run 'TestForkCloseReturnsPages|FuzzSessionCalls|TestFork|TestContinue' ./runtime

# The Vulkan tests again as a GPU would run them, on lavapipe: subgroups of 32
# (LP_NATIVE_VECTOR_WIDTH=1024), then the discrete-GPU kernel and memory choices at
# subgroups of 8 (SCOPE_VK_DISCRETE=1); both with NaN after every allocation in the
# descriptors' view (SCOPE_VK_NAN_SLACK=1), so that a read past an operand shows.
test-vk-modes:
	LP_NATIVE_VECTOR_WIDTH=1024 SCOPE_VK_NAN_SLACK=1 $(GO) test -count=1 -timeout 10m ./vk
	SCOPE_VK_DISCRETE=1 SCOPE_VK_NAN_SLACK=1 $(GO) test -count=1 -timeout 10m ./vk

test-short:
	$(GO) test -short ./...

bench: build
	$(GO) test -run XXX -bench . -benchtime 1x ./internal/cpu/ ./model/quant/

generate:
	$(GO) generate ./shaders

# Regenerates the SPIR-V and fails when it differs from what is committed.
check-shaders: generate
	git diff --exit-code -- shaders
	test -z "$$(git status --porcelain -- shaders)"

# Installs the Debian packages the Vulkan backend and its tests use (needs root).
deps:
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 libvulkan-dev glslc vulkan-validationlayers

# Tells two stories with the built-in stories260K model (no model file needed): a greedy
# one and a sampled one.
demo: build
	$(BIN) generate -p "Once upon a time" -n 120 --temp 0
	$(BIN) generate -p "Tom had a little dog" -n 120 --temp 0.8 --seed 7

# One folder (git-ignored) with what a bare GPU machine needs to check and benchmark the
# Vulkan backend without Go: see docs/performance.md.
gpu-bundle:
	GO="$(GO)" sh scripts/gpu-bundle.sh out/gpu-bundle

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out
