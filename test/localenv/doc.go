// Package localenv runs scimbridge the way it is deployed, on one machine and
// on loopback only: a real kube-apiserver and etcd (built by hack/envtest),
// the Okta emulator, the Cisco-profile SCIM test server, and the manager
// binary built from cmd/main.go as its own process, authenticated as a
// non-admin user that holds only the RBAC generated in config/rbac. The
// end-to-end tests and `make demo` share it.
package localenv
