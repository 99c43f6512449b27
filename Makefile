# Image URL to use all building/pushing image targets
IMG ?= ghcr.io/scimbridge/scimbridge:latest
# Version stamped into the manager (internal/version) by every build.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS ?= -X github.com/scimbridge/scimbridge/internal/version.Version=$(VERSION)
# Kubernetes version of the local control plane that envtest and the demo run.
ENVTEST_K8S_VERSION ?= 1.37.2

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

GOOS ?= $(shell go env GOOS)
GOARCH ?= $(shell go env GOARCH)

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p $(LOCALBIN)

## Tools. Each of helm, promtool, golangci-lint and ko is pinned in its own
## module under hack/tools/ (see hack/tools/README.md) and built into bin/.
CONTROLLER_GEN ?= go tool controller-gen
KUSTOMIZE ?= $(LOCALBIN)/kustomize
KUSTOMIZE_VERSION ?= v5.8.1
HELM ?= $(LOCALBIN)/helm
PROMTOOL ?= $(LOCALBIN)/promtool
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint
KO ?= $(LOCALBIN)/ko
TOOLS = hack/tools
KUBECTL ?= kubectl
CONTAINER_TOOL ?= docker
ENVTEST_ASSETS ?= $(LOCALBIN)/k8s/$(ENVTEST_K8S_VERSION)-$(GOOS)-$(GOARCH)

## Test selection. Packages that start a control plane run in their own phase.
ENVTEST_PKGS ?= ./api/... ./internal/controller/...
E2E_PKGS ?= ./test/e2e/...
# Only packages with tests: building the others (cmd, test/demo) with -race and
# coverage would compile all of Kubernetes' client libraries once more.
UNIT_PKGS = $(shell go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | grep -v -E '/api/|/internal/controller|/test/e2e|/test/packaging|/test/prometheus')
# Fuzz targets as package:Target; each runs for FUZZTIME.
FUZZ_TARGETS ?= ./internal/scim:FuzzFilterEscape ./internal/scim:FuzzDecodeListPage ./internal/scim:FuzzParseErrorBody ./internal/okta:FuzzDecodeUsers
FUZZTIME ?= 5s
PHASE = hack/phase.sh

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the API types and markers, and copy them, the alerts and the dashboard into the Helm chart.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/..." paths="./internal/..." output:crd:artifacts:config=config/crd/bases
	hack/sync-chart.sh

.PHONY: generate
generate: ## Generate DeepCopy methods and apply configurations.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."
	$(CONTROLLER_GEN) applyconfiguration:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: verify-generated
verify-generated: manifests generate ## Fail if generated files differ from what is committed.
	@hack/verify-generated.sh

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

.PHONY: lint
lint: golangci-lint ## Run golangci-lint (.golangci.yml) over the module; any finding fails.
	$(GOLANGCI_LINT) run --allow-parallel-runners ./...

.PHONY: verify-tidy
verify-tidy: ## Fail if go mod tidy would change go.mod or go.sum (of the module and of each tool module).
	hack/verify-tidy.sh . $(TOOLS)/helm $(TOOLS)/promtool $(TOOLS)/golangci-lint $(TOOLS)/ko

.PHONY: test
test: ## Run every test suite (generation, vet, tidy, lint, unit, alerts, envtest, packaging, image, fuzz, e2e, demo), timing each phase.
	@$(PHASE) reset
	@$(PHASE) run "generate + verify" $(MAKE) --no-print-directory verify-generated
	@$(PHASE) run "vet" $(MAKE) --no-print-directory vet
	@$(PHASE) run "go mod tidy" $(MAKE) --no-print-directory verify-tidy
	@$(PHASE) run "lint" $(MAKE) --no-print-directory lint
	@$(PHASE) run "envtest binaries" $(MAKE) --no-print-directory envtest
	@$(PHASE) run "unit tests" $(MAKE) --no-print-directory test-unit
	@$(PHASE) run "alerts + dashboard" $(MAKE) --no-print-directory test-alerts
	@$(PHASE) run "envtest suites" $(MAKE) --no-print-directory test-envtest
	@$(PHASE) run "helm + install.yaml" $(MAKE) --no-print-directory test-packaging
	@$(PHASE) run "image (ko)" $(MAKE) --no-print-directory test-image
	@$(PHASE) run "fuzz (short)" $(MAKE) --no-print-directory test-fuzz
	@$(PHASE) run "e2e" $(MAKE) --no-print-directory test-e2e
	@$(PHASE) run "demo (--once)" $(MAKE) --no-print-directory demo DEMO_ARGS=--once
	@$(PHASE) summary

.PHONY: test-unit
test-unit: ## Run unit and loopback integration tests (no control plane).
	go test -race -count=1 -coverprofile=cover-unit.out $(UNIT_PKGS)

.PHONY: test-alerts
test-alerts: promtool ## Unit-test the alerts with promtool and check the dashboard's queries.
	PROMTOOL=$(PROMTOOL) go test -count=1 ./test/prometheus/

.PHONY: test-packaging
test-packaging: helm envtest build-installer ## Lint and render the Helm chart, and apply it and dist/install.yaml server-side to a real API server.
	HELM=$(HELM) KUSTOMIZE=$(KUSTOMIZE) INSTALLER_IMAGE=$(IMG) KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test -count=1 ./test/packaging/

.PHONY: test-image
test-image: ko ## Build the image with ko from an empty local base (offline) and check platforms, user and version.
	KO=$(KO) hack/test-image.sh

.PHONY: test-envtest
test-envtest: envtest ## Run the suites that start a real kube-apiserver and etcd.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test -count=1 -coverprofile=cover-envtest.out $(ENVTEST_PKGS)

.PHONY: test-fuzz
test-fuzz: ## Run each fuzz target briefly (FUZZTIME) beyond its seed corpus.
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		go test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

.PHONY: test-e2e
test-e2e: envtest ## Run end-to-end tests of the manager binary against a local control plane.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test -v -count=1 -timeout=20m $(E2E_PKGS) -ginkgo.v

.PHONY: cover
cover: ## Print statement coverage per package from the last unit test run (cover-unit.out), then the total.
	@awk -F'[: ]' 'NR > 1 { b = $$1 ":" $$2; pkg = $$1; sub(/\/[^\/]*$$/, "", pkg); \
		if (!(b in of)) { of[b] = pkg; n[b] = $$3 } if ($$4 > 0) hit[b] = 1 } \
		END { for (b in of) { all[of[b]] += n[b]; if (b in hit) cov[of[b]] += n[b] } \
		for (p in all) if (all[p]) printf "%-64s %5.1f%%\n", p, 100 * cov[p] / all[p] }' cover-unit.out | sort
	@go tool cover -func=cover-unit.out | tail -1

.PHONY: argocd-cm
argocd-cm: ## Regenerate config/argocd/argocd-cm.yaml from the Argo CD health scripts.
	UPDATE_ARGOCD_CM=1 go test -count=1 -run TestArgoCDConfigMapMatchesScripts ./test/argocd

.PHONY: argocd-testdata
argocd-testdata: envtest ## Capture the Argo CD health checks' testdata (real objects) from the e2e run of the manager binary.
	SCIMBRIDGE_CAPTURE_ARGOCD=1 KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go test -count=1 -timeout=15m $(E2E_PKGS) -ginkgo.focus "Argo CD"

##@ Demo

.PHONY: demo
demo: envtest-kubectl ## Run scimbridge locally end to end (control plane, Okta emulator, SCIM server, manager); DEMO_ARGS=--once exits after printing.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go run ./test/demo $(DEMO_ARGS)

##@ Benchmarks

.PHONY: bench
bench: $(LOCALBIN) ## Benchmark the provisioning engine (BENCH_USERS, BENCH_GROUPS; BENCH_MODE=many runs bench-many, BENCH_MODE=latency its change-to-target latency phase; see docs/benchmarks.md); writes bench/results.json.
ifeq ($(BENCH_MODE),many)
	$(MAKE) --no-print-directory bench-many
else ifeq ($(BENCH_MODE),latency)
	$(MAKE) --no-print-directory bench-many
else
	go build -o $(LOCALBIN)/bench ./test/bench
	$(LOCALBIN)/bench
endif

.PHONY: bench-many
bench-many: $(LOCALBIN) ## Benchmark one manager with many integrations (BENCH_INTEGRATIONS, BENCH_ORGS, BENCH_USERS_PER_INTEGRATION; see docs/benchmarks.md); writes bench/results-many.json.
	go build -o $(LOCALBIN)/bench-many ./test/bench/many
	$(LOCALBIN)/bench-many

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build manager binary.
	go build -ldflags "$(LDFLAGS)" -o bin/manager ./cmd

.PHONY: run
run: manifests generate fmt vet ## Run a controller from your host against the current kubeconfig (probes on loopback).
	go run -ldflags "$(LDFLAGS)" ./cmd --health-probe-bind-address=127.0.0.1:8081

.PHONY: docker-build
docker-build: ## Build the manager image (VERSION is stamped into the binary).
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the manager image.
	$(CONTAINER_TOOL) push $(IMG)

# The image is set in a throw-away overlay, so config/ stays as committed.
define kustomize-with-image
	rm -rf $(LOCALBIN)/overlay && mkdir -p $(LOCALBIN)/overlay
	printf 'resources:\n- ../../config/default\n' > $(LOCALBIN)/overlay/kustomization.yaml
	cd $(LOCALBIN)/overlay && $(KUSTOMIZE) edit set image ghcr.io/scimbridge/scimbridge=$(IMG)
endef

.PHONY: build-installer
build-installer: manifests generate kustomize ## Generate a consolidated YAML with CRDs and deployment in dist/install.yaml.
	mkdir -p dist
	$(kustomize-with-image)
	$(KUSTOMIZE) build $(LOCALBIN)/overlay > dist/install.yaml

.PHONY: ko-build
ko-build: ko ## Build the manager image for linux/amd64 and arm64 with ko, without a Docker daemon, into dist/image (OCI layout) and dist/image.tar.
	KO=$(KO) VERSION=$(VERSION) hack/ko-build.sh

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install CRDs into the cluster of the current kubeconfig.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) apply --server-side -f -

.PHONY: uninstall
uninstall: manifests kustomize ## Uninstall CRDs. Call with ignore-not-found=true to ignore missing resources.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: deploy
deploy: manifests kustomize ## Deploy the controller to the cluster of the current kubeconfig.
	$(kustomize-with-image)
	$(KUSTOMIZE) build $(LOCALBIN)/overlay | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: kustomize ## Undeploy the controller. Call with ignore-not-found=true to ignore missing resources.
	$(KUSTOMIZE) build config/default | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

##@ Dependencies

.PHONY: envtest
envtest: ## Build kube-apiserver and etcd from source into bin/k8s (no downloads).
	@K8S_VERSION=$(ENVTEST_K8S_VERSION) ENVTEST_DIR=$(ENVTEST_ASSETS) hack/envtest/build.sh >/dev/null

.PHONY: envtest-kubectl
envtest-kubectl: ## Build kube-apiserver, etcd and kubectl from source into bin/k8s, for the demo.
	@K8S_VERSION=$(ENVTEST_K8S_VERSION) ENVTEST_DIR=$(ENVTEST_ASSETS) hack/envtest/build.sh etcd kube-apiserver kubectl >/dev/null

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Build kustomize from the Go module proxy if necessary.
$(KUSTOMIZE): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

# Rebuilt when the tool's module changes; the Go build cache makes that cheap.
.PHONY: helm promtool golangci-lint ko
helm: $(HELM) ## Build helm from hack/tools/helm.
$(HELM): $(TOOLS)/helm/go.mod $(TOOLS)/helm/go.sum | $(LOCALBIN)
	go build -C $(TOOLS)/helm -o $(HELM) helm.sh/helm/v3/cmd/helm

promtool: $(PROMTOOL) ## Build promtool from hack/tools/promtool (without service discovery, which rule tests do not need).
$(PROMTOOL): $(TOOLS)/promtool/go.mod $(TOOLS)/promtool/go.sum | $(LOCALBIN)
	go build -C $(TOOLS)/promtool -tags remove_all_sd -o $(PROMTOOL) github.com/prometheus/prometheus/cmd/promtool

golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint from hack/tools/golangci-lint.
$(GOLANGCI_LINT): $(TOOLS)/golangci-lint/go.mod $(TOOLS)/golangci-lint/go.sum | $(LOCALBIN)
	go build -C $(TOOLS)/golangci-lint -o $(GOLANGCI_LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

ko: $(KO) ## Build ko from hack/tools/ko.
$(KO): $(TOOLS)/ko/go.mod $(TOOLS)/ko/go.sum | $(LOCALBIN)
	go build -C $(TOOLS)/ko -o $(KO) github.com/google/ko
