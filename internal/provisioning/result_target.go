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

package provisioning

// BulkState says how a cycle's writes reached the target.
type BulkState string

const (
	// BulkUsed means the writes went in SCIM Bulk requests.
	BulkUsed BulkState = "Used"
	// BulkNotAdvertised means the target does not advertise Bulk (or has no
	// readable /ServiceProviderConfig); one request per write.
	BulkNotAdvertised BulkState = "NotAdvertised"
	// BulkDisabled means Bulk is switched off in the configuration.
	BulkDisabled BulkState = "Disabled"
	// BulkRejected means the target advertises Bulk but refused a Bulk request;
	// the writes fell back to single requests until the next full cycle.
	BulkRejected BulkState = "Rejected"
)

// BulkReport is what a cycle knew and did about SCIM Bulk. State is empty
// when the cycle had nothing to write and did not need to know.
type BulkReport struct {
	State BulkState
	// MaxOperations and MaxPayloadSize are the target's advertised limits.
	MaxOperations, MaxPayloadSize int
	// Requests and Operations count the Bulk requests sent and the
	// operations they carried.
	Requests, Operations int
	// Message says why Bulk is not used, with the target's answer.
	Message string
}
