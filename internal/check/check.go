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

// Package check names the outcomes of a credential check, the one
// vocabulary both clients' Verify methods speak. It is a leaf package of its
// own rather than part of httpx: the outcomes are not HTTP plumbing (an app
// that demands DPoP, a URL that is not a SCIM endpoint), and the controller,
// which turns them into condition reasons, needs them without the transport.
package check

// Reason classifies a credential check. The values match the API's
// condition reasons where they mean the same, so logs read alike.
type Reason string

// Credential check outcomes. Each client returns the subset it can detect.
const (
	OK           Reason = "OK"
	Unauthorized Reason = "Unauthorized"
	Forbidden    Reason = "Forbidden"
	// DPoPRequired means the Okta OAuth app demands DPoP proofs.
	DPoPRequired Reason = "DPoPRequired"
	Unreachable  Reason = "Unreachable"
	TLSError     Reason = "TLSError"
	// NotSCIMEndpoint means the URL answered, but not as a SCIM server.
	NotSCIMEndpoint Reason = "NotSCIMEndpoint"
	// Error is a failure none of the others describes.
	Error Reason = "Error"
)
