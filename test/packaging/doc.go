/*
Copyright 2026 The scimbridge Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package packaging checks what users install: the Helm chart in dist/chart
// and dist/install.yaml from `make build-installer`. The tests render them,
// compare them with config/ (CRDs, RBAC, alerts, dashboard), apply every
// object with server-side apply to a real kube-apiserver (envtest), and read
// the objects back. Helm comes from hack/tools/helm (`make helm`).
package packaging
