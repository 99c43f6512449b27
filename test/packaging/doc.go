// Package packaging checks what users install: the Helm chart in dist/chart
// and dist/install.yaml from `make build-installer`. The tests render them,
// compare them with config/ (CRDs, RBAC, alerts, dashboard), apply every
// object with server-side apply to a real kube-apiserver (envtest), and read
// the objects back. Helm comes from hack/tools/helm (`make helm`).
package packaging
