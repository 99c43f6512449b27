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

package v1alpha1

// Condition types. Each controller owns its own types (conditions are a list
// map keyed by type, written with server-side apply).
const (
	// ConditionReady summarises whether the object does its job.
	ConditionReady = "Ready"
	// ConditionOktaVerified reports the result of the Okta credential check.
	ConditionOktaVerified = "OktaVerified"
	// ConditionTargetVerified reports the result of the SCIM credential check.
	ConditionTargetVerified = "TargetVerified"
	// ConditionSynced reports whether the last cycle applied every change.
	ConditionSynced = "Synced"
	// ConditionReconciling is true while a cycle runs.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is true when the object cannot progress without a change by a human.
	ConditionStalled = "Stalled"
	// ConditionDeactivationsHeld is true while deactivations wait for approval.
	ConditionDeactivationsHeld = "DeactivationsHeld"
	// ConditionResolved reports whether a ProvisionedGroup's Okta group was found.
	ConditionResolved = "Resolved"
	// ConditionPushed reports whether a ProvisionedGroup is pushed to the target.
	ConditionPushed = "Pushed"
)

// Condition reasons.
const (
	ReasonVerified          = "Verified"
	ReasonUnauthorized      = "Unauthorized"
	ReasonForbidden         = "Forbidden"
	ReasonDPoPRequired      = "DPoPRequired"
	ReasonUnreachable       = "Unreachable"
	ReasonTLSError          = "TLSError"
	ReasonNotSCIMEndpoint   = "NotSCIMEndpoint"
	ReasonSecretNotFound    = "SecretNotFound"
	ReasonInvalidSecret     = "InvalidSecret"
	ReasonSynced            = "Synced"
	ReasonPartialSync       = "PartialSync"
	ReasonSyncFailed        = "SyncFailed"
	ReasonCycleRunning      = "CycleRunning"
	ReasonIdle              = "Idle"
	ReasonSuspended         = "Suspended"
	ReasonDryRun            = "DryRun"
	ReasonPending           = "Pending"
	ReasonHeld              = "ThresholdExceeded"
	ReasonNoneHeld          = "NoneHeld"
	ReasonDuplicateTarget   = "DuplicateTarget"
	ReasonDuplicateGroup    = "DuplicateGroup"
	ReasonInvalidConfig     = "InvalidConfiguration"
	ReasonIntegrationAbsent = "IntegrationNotFound"
	ReasonGroupNotFound     = "GroupNotFound"
	ReasonGroupAmbiguous    = "GroupAmbiguous"
	ReasonResolved          = "Resolved"
	ReasonPushed            = "Pushed"
	ReasonPushFailed        = "PushFailed"
	ReasonDeleted           = "Deleted"
	ReasonAssignedOnly      = "AssignedOnly"
	ReasonGroupCapReached   = "GroupCapReached"
	ReasonNotReady          = "NotReady"
	ReasonReady             = "Ready"
)
