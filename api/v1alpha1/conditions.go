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

// Condition types. Reconciling and Stalled follow kstatus: each is present
// and True only while it holds (abnormal-true), so kstatus, Flux and
// kubectl wait read an object right. docs/architecture.md has the table of
// states, conditions and what a user should do.
const (
	// ConditionReady summarises whether the object does its job.
	ConditionReady = "Ready"
	// ConditionOktaVerified reports the result of the Okta credential check.
	ConditionOktaVerified = "OktaVerified"
	// ConditionTargetVerified reports the result of the SCIM credential check.
	ConditionTargetVerified = "TargetVerified"
	// ConditionSynced reports whether, after the last cycle, the target
	// matches the source: every in-scope user present, linked and current,
	// every pushed group complete, nothing held or deferred, both reads complete.
	ConditionSynced = "Synced"
	// ConditionReconciling is True while a cycle is queued or running, or a
	// retry after a transient failure is scheduled.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the object cannot progress without a human.
	ConditionStalled = "Stalled"
	// ConditionDeactivationsHeld is True while changes wait for approval.
	ConditionDeactivationsHeld = "DeactivationsHeld"
	// ConditionResolved reports whether a ProvisionedGroup's Okta group was found.
	ConditionResolved = "Resolved"
	// ConditionPushed reports whether a ProvisionedGroup is pushed to the target.
	ConditionPushed = "Pushed"
	// ConditionChangeFeed reports whether the System Log feed brings Okta's
	// changes to the target between scheduled cycles. It never affects
	// Ready: without the feed, changes wait for the scheduled cycles.
	ConditionChangeFeed = "ChangeFeedActive"
)

// Reasons of ChangeFeedActive.
const (
	// ReasonFeedPolling: the feed polls the System Log and its last poll succeeded.
	ReasonFeedPolling = "Polling"
	// ReasonFeedStarting: the feed has not polled yet.
	ReasonFeedStarting = "Starting"
	// ReasonFeedBehind: the feed fell behind or a change it handed on was
	// not written; a full cycle runs to cover every change.
	ReasonFeedBehind = "FeedBehind"
	// ReasonFeedLogsDenied: the Okta credentials may not read the System Log.
	ReasonFeedLogsDenied = "LogsReadDenied"
	// ReasonFeedDisabled: spec.okta.changeFeed is Disabled or the manager runs without the feed.
	ReasonFeedDisabled = "FeedDisabled"
	// ReasonFeedInactive: the integration runs no cycles (suspended, unusable or unverified credentials, a duplicate).
	ReasonFeedInactive = "Inactive"
)

// Reasons of the verification conditions (OktaVerified, TargetVerified),
// also used by Ready and Stalled when they are the cause.
const (
	ReasonVerified        = "Verified"
	ReasonUnauthorized    = "Unauthorized"
	ReasonForbidden       = "Forbidden"
	ReasonDPoPRequired    = "DPoPRequired"
	ReasonUnreachable     = "Unreachable"
	ReasonTLSError        = "TLSError"
	ReasonNotSCIMEndpoint = "NotSCIMEndpoint"
	ReasonSecretNotFound  = "SecretNotFound"
	ReasonInvalidSecret   = "InvalidSecret"
	ReasonInvalidConfig   = "InvalidConfiguration"
	// ReasonInvalidMapping: an attribute mapping expression or the scope
	// does not compile; nothing is read or written until the spec is fixed.
	ReasonInvalidMapping = "InvalidMapping"
)

// Reasons of Synced (and of Ready when it is False because of the sync).
const (
	// ReasonSynced: the target matches the source.
	ReasonSynced = "Synced"
	// ReasonObjectsFailing: changes failed, wait out a retry backoff, or
	// cannot be written (conflicts); they are retried automatically.
	ReasonObjectsFailing = "ObjectsFailing"
	// ReasonChangesHeld: deactivations, renames or member removals wait for approval.
	ReasonChangesHeld = "ChangesHeld"
	// ReasonGroupCapReached: groups were not created because of the target's cap.
	ReasonGroupCapReached = "GroupCapReached"
	// ReasonSourceIncomplete: part of the Okta read failed or cannot be used.
	ReasonSourceIncomplete = "SourceIncomplete"
	// ReasonTargetIncomplete: part of the target could not be read.
	ReasonTargetIncomplete = "TargetIncomplete"
	// ReasonDryRun: spec.dryRun is set; nothing is written.
	ReasonDryRun = "DryRun"
	// ReasonSyncFailed: the cycle failed as a whole (for example the target
	// could not be listed); nothing was written on the basis of it.
	ReasonSyncFailed = "SyncFailed"
	// ReasonPending: no cycle has completed yet.
	ReasonPending = "Pending"
)

// Reasons of Reconciling, Stalled and Ready that are not a sync outcome.
const (
	ReasonCycleQueued     = "CycleQueued"
	ReasonCycleRunning    = "CycleRunning"
	ReasonRetryScheduled  = "RetryScheduled"
	ReasonIdle            = "Idle"
	ReasonSuspended       = "Suspended"
	ReasonDuplicateTarget = "DuplicateTarget"
	ReasonNoneHeld        = "NoneHeld"
)

// Reasons of ProvisionedGroup conditions.
const (
	ReasonDuplicateGroup        = "DuplicateGroup"
	ReasonIntegrationAbsent     = "IntegrationNotFound"
	ReasonIntegrationStalled    = "IntegrationStalled"
	ReasonWaitingForIntegration = "WaitingForIntegration"
	ReasonWaitingForCycle       = "WaitingForCycle"
	ReasonGroupNotFound         = "GroupNotFound"
	ReasonGroupAmbiguous        = "GroupAmbiguous"
	ReasonResolved              = "Resolved"
	ReasonPushed                = "Pushed"
	ReasonPushFailed            = "PushFailed"
	ReasonDeleted               = "Deleted"
	ReasonAssignedOnly          = "AssignedOnly"
	ReasonReady                 = "Ready"
)
