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

// Package localenv runs scimbridge the way it is deployed, on one machine and
// on loopback only: a real kube-apiserver and etcd (built by hack/envtest),
// the Okta emulator, the Cisco-profile SCIM test server, and the manager
// binary built from cmd/main.go as its own process, authenticated as a
// non-admin user that holds only the RBAC generated in config/rbac. The
// end-to-end tests and `make demo` share it.
package localenv
