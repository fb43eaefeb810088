# The commands people and CI run. See README.md.

GO        ?= go
CLUSTER   := $(GO) run ./internal/testcluster/cmd/cluster
# Examples in the order make demo runs them: each reads the cluster it
# talks to, then changes it, then cleans up after itself.
EXAMPLES  := $(filter $(patsubst %/,%,$(wildcard examples/*/)),examples/api-resources examples/quickstart examples/get examples/crud-deployment examples/crd examples/apply examples/scale examples/watch)
EXAMPLES  += $(filter-out $(EXAMPLES),$(patsubst %/,%,$(wildcard examples/*/)))

.PHONY: all test controlplane cluster demo demo-examples bench check-deps lint

all: lint check-deps test

# Builds kube-apiserver and etcd into the cache on first use (several
# minutes), so that the build is not counted against a test timeout.
controlplane:
	@$(CLUSTER) -build >/dev/null

# Unit and end-to-end tests, with the race detector. The end-to-end tests
# start a real kube-apiserver and etcd on loopback.
test: controlplane
	$(GO) test -race -count=1 -timeout 30m ./...

# Runs the local control plane until Ctrl-C and prints its kubeconfig.
cluster:
	$(CLUSTER)

# Runs the examples against $$KUBECONFIG when set, else against a local
# control plane started for the occasion and torn down after.
demo:
ifdef KUBECONFIG
	@$(MAKE) --no-print-directory demo-examples
else
	@$(CLUSTER) -- $(MAKE) --no-print-directory demo-examples
endif

demo-examples:
	@test -n "$(strip $(EXAMPLES))" || { echo "no examples found under examples/" >&2; exit 1; }
	@set -e; for ex in $(EXAMPLES); do \
		printf '\n==> go run ./%s %s\n' "$$ex" "$$(cat $$ex/demo-args 2>/dev/null)"; \
		$(GO) run ./$$ex $$(cat $$ex/demo-args 2>/dev/null); \
	done

# Side-by-side benchmarks against client-go; prints one table.
bench: controlplane
	cd internal/bench && $(GO) run ./cmd/report

# Fails when the library depends on client-go or k8s.io/api.
check-deps:
	@bad=$$($(GO) list -deps -test ./... | grep -E '^k8s\.io/(client-go|api)(/|$$)' || true); \
	if [ -n "$$bad" ]; then echo "forbidden dependencies:"; echo "$$bad"; exit 1; fi; \
	echo "check-deps: no k8s.io/client-go or k8s.io/api in the library"

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
