// Package version carries the build's version, stamped by -ldflags.
package version

// Version is set at build time with
// -ldflags "-X github.com/scimbridge/scimbridge/internal/version.Version=v0.1.0".
var Version = "dev"

// UserAgent is sent on every request to the SCIM target (a sharded replica
// appends its identity). Okta requests carry "scimbridge" alone.
func UserAgent() string {
	return "scimbridge/" + Version
}
