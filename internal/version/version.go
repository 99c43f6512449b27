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
