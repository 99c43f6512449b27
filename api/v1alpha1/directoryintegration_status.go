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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SyncMode tells whether a cycle read everything or only changes.
// +kubebuilder:validation:Enum=Full;Incremental
type SyncMode string

const (
	// SyncModeFull reads both sides completely.
	SyncModeFull SyncMode = "Full"
	// SyncModeIncremental reads only what changed in Okta since the watermark.
	SyncModeIncremental SyncMode = "Incremental"
)

// DirectoryIntegrationStatus is the observed state of a DirectoryIntegration.
// Every list in it is bounded, so the object stays small at 100k users.
type DirectoryIntegrationStatus struct {
	// observedGeneration is the generation most recently processed, whether
	// the processing succeeded or failed. While a cycle for a new generation
	// runs it keeps the previous value (and Reconciling is True).
	// +optional
	// +kubebuilder:default=0
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the integration's state: Ready, OktaVerified,
	// TargetVerified, Synced, Reconciling, Stalled and DeactivationsHeld.
	// docs/architecture.md lists what each state means and what to do.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// users compares the users wanted in the target with those present, as
	// the last cycle verified.
	// +optional
	Users *UserCounts `json:"users,omitempty"`

	// groups compares the groups to push with those pushed, as the last
	// cycle verified.
	// +optional
	Groups *GroupCounts `json:"groups,omitempty"`

	// usersSummary is users.synced/users.inScope, for kubectl get.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	UsersSummary string `json:"usersSummary,omitempty"`

	// groupsSummary is groups.pushed/groups.wanted, for kubectl get.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	GroupsSummary string `json:"groupsSummary,omitempty"`

	// outOfSync samples the objects that did not match after the last
	// cycle, and why.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	OutOfSync []OutOfSyncObject `json:"outOfSync,omitempty"`

	// lastSyncTime is when the last cycle finished.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// nextSyncTime is when the next cycle is due.
	// +optional
	NextSyncTime *metav1.Time `json:"nextSyncTime,omitempty"`

	// lastFullSyncTime is when the last full cycle finished.
	// +optional
	LastFullSyncTime *metav1.Time `json:"lastFullSyncTime,omitempty"`

	// lastSuccessfulSyncTime is when a cycle last left the target in sync
	// with the source (Synced True).
	// +optional
	LastSuccessfulSyncTime *metav1.Time `json:"lastSuccessfulSyncTime,omitempty"`

	// lastSync summarises the last cycle.
	// +optional
	LastSync *SyncSummary `json:"lastSync,omitempty"`

	// target describes how the cycles talk to the target: the pace they
	// learned and whether writes go in SCIM Bulk requests.
	// +optional
	Target *TargetStatus `json:"target,omitempty"`

	// plan is the plan computed by the last dry run.
	// +optional
	Plan *PlanSummary `json:"plan,omitempty"`

	// heldDeactivations describes the changes held for approval, if any.
	// +optional
	HeldDeactivations *HeldDeactivations `json:"heldDeactivations,omitempty"`

	// lastApprovedPlanID is the planID of the held set most recently released
	// by approval. An approval is applied once.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	LastApprovedPlanID string `json:"lastApprovedPlanID,omitempty"`

	// lastHandledReconcileAt is the value of the
	// scimbridge.io/reconcile-requested-at annotation last acted upon.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// lastHandledFullSyncAt is the value of the
	// scimbridge.io/full-sync-requested-at annotation last acted upon.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	LastHandledFullSyncAt string `json:"lastHandledFullSyncAt,omitempty"`

	// changeFeed describes the System Log feed and the targeted cycles it ran.
	// +optional
	ChangeFeed *ChangeFeedStatus `json:"changeFeed,omitempty"`
}

// ChangeFeedStatus describes the change feed of an integration.
type ChangeFeedStatus struct {
	// cursor is the publication time (RFC 3339, milliseconds) of the last
	// System Log event the feed handed on; after a restart polling resumes
	// there. Losing it costs nothing but time: changes before the poll
	// started reach the target with the next scheduled cycle.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Cursor string `json:"cursor,omitempty"`

	// active is true while the feed polls the System Log for this integration.
	// +optional
	Active bool `json:"active,omitempty"`

	// message says why the feed is off, when it is.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Message string `json:"message,omitempty"`

	// lastEventTime is when the last event that concerned this integration
	// was published in Okta.
	// +optional
	LastEventTime *metav1.Time `json:"lastEventTime,omitempty"`

	// lastTargetedSyncTime is when the last targeted cycle finished.
	// +optional
	LastTargetedSyncTime *metav1.Time `json:"lastTargetedSyncTime,omitempty"`

	// targetedCycles counts the targeted cycles that completed.
	// +optional
	// +kubebuilder:validation:Minimum=0
	TargetedCycles int64 `json:"targetedCycles,omitempty"`
}

// UserCounts compares the users wanted in the target with those present.
type UserCounts struct {
	// inScope is the number of users in scope and active in Okta: they
	// should be present and active in the target.
	// +required
	// +kubebuilder:validation:Minimum=0
	InScope int32 `json:"inScope"`
	// synced is the number of in-scope users present, linked, active and
	// current in the target.
	// +required
	// +kubebuilder:validation:Minimum=0
	Synced int32 `json:"synced"`
	// managed is the number of target users linked to an Okta user
	// (externalId), active or not.
	// +required
	// +kubebuilder:validation:Minimum=0
	Managed int32 `json:"managed"`
	// active is the number of managed users active in the target.
	// +required
	// +kubebuilder:validation:Minimum=0
	Active int32 `json:"active"`
	// deferred is the number of users whose change waits out a retry
	// backoff after an earlier failure.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Deferred int32 `json:"deferred,omitempty"`
	// failed is the number of users whose change failed in the last cycle.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Failed int32 `json:"failed,omitempty"`
	// held is the number of user changes held for approval.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Held int32 `json:"held,omitempty"`
	// conflicts is the number of users whose userName belongs to a target
	// user linked to another Okta user; nothing is written to them.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Conflicts int32 `json:"conflicts,omitempty"`
}

// GroupCounts compares the groups to push with those pushed.
type GroupCounts struct {
	// wanted is the number of groups this integration pushes.
	// +required
	// +kubebuilder:validation:Minimum=0
	Wanted int32 `json:"wanted"`
	// pushed is the number of wanted groups present with their full membership.
	// +required
	// +kubebuilder:validation:Minimum=0
	Pushed int32 `json:"pushed"`
	// capped is the number of wanted groups not created because the
	// target's group cap is reached.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Capped int32 `json:"capped,omitempty"`
	// inTarget is the number of groups in the target, ours or not, which
	// count toward the group cap.
	// +required
	// +kubebuilder:validation:Minimum=0
	InTarget int32 `json:"inTarget"`
	// cap is the target's group cap; 0 means none.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Cap int32 `json:"cap,omitempty"`
}

// OutOfSyncObject is one object that did not match after a cycle.
type OutOfSyncObject struct {
	// kind is User or Group.
	// +required
	Kind ObjectKind `json:"kind"`
	// name is the userName or group displayName.
	// +required
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
	// reason says why it does not match.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Reason string `json:"reason,omitempty"`
}

// SyncCounts counts the changes of one cycle or plan.
type SyncCounts struct {
	// created is the number of users created.
	// +optional
	Created int32 `json:"created,omitempty"`
	// updated is the number of users whose attributes were updated.
	// +optional
	Updated int32 `json:"updated,omitempty"`
	// deactivated is the number of users set to active=false.
	// +optional
	Deactivated int32 `json:"deactivated,omitempty"`
	// reactivated is the number of users set back to active=true.
	// +optional
	Reactivated int32 `json:"reactivated,omitempty"`
	// groupsCreated is the number of groups created in the target.
	// +optional
	GroupsCreated int32 `json:"groupsCreated,omitempty"`
	// groupsRenamed is the number of target groups renamed.
	// +optional
	GroupsRenamed int32 `json:"groupsRenamed,omitempty"`
	// groupsDeleted is the number of target groups deleted.
	// +optional
	GroupsDeleted int32 `json:"groupsDeleted,omitempty"`
	// membersAdded is the number of group memberships added.
	// +optional
	MembersAdded int32 `json:"membersAdded,omitempty"`
	// membersRemoved is the number of group memberships removed.
	// +optional
	MembersRemoved int32 `json:"membersRemoved,omitempty"`
	// failures is the number of objects whose change failed.
	// +optional
	Failures int32 `json:"failures,omitempty"`
}

// SyncSummary describes one finished cycle.
type SyncSummary struct {
	SyncCounts `json:",inline"`

	// mode is Full or Incremental.
	// +optional
	Mode SyncMode `json:"mode,omitempty"`

	// startTime is when the cycle started.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// duration is how long the cycle took.
	// +optional
	Duration *metav1.Duration `json:"duration,omitempty"`

	// oktaRequests is the number of requests sent to Okta.
	// +optional
	OktaRequests int64 `json:"oktaRequests,omitempty"`

	// targetRequests is the number of requests sent to the target.
	// +optional
	TargetRequests int64 `json:"targetRequests,omitempty"`

	// failureSample holds a few of the failures, for a first diagnosis.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	FailureSample []ObjectFailure `json:"failureSample,omitempty"`
}

// ObjectKind names the kind of a target object.
// +kubebuilder:validation:Enum=User;Group
type ObjectKind string

const (
	// ObjectKindUser is a SCIM user.
	ObjectKindUser ObjectKind = "User"
	// ObjectKindGroup is a SCIM group.
	ObjectKindGroup ObjectKind = "Group"
)

// ObjectFailure is one failed change.
type ObjectFailure struct {
	// kind is User or Group.
	// +required
	Kind ObjectKind `json:"kind"`
	// name is the userName or group displayName.
	// +required
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
	// message is the error, as the target reported it.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Message string `json:"message,omitempty"`
}

// PlannedChange is one change of a plan, for a sample.
type PlannedChange struct {
	// action is what would be done, for example Create, Update, Deactivate,
	// Reactivate, CreateGroup, RenameGroup, DeleteGroup, AddMembers or RemoveMembers.
	// +required
	// +kubebuilder:validation:MaxLength=32
	Action string `json:"action"`
	// kind is User or Group.
	// +required
	Kind ObjectKind `json:"kind"`
	// name is the userName or group displayName.
	// +required
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
	// detail says more, for example the attributes that change.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Detail string `json:"detail,omitempty"`
}

// PlanSummary describes a plan computed without being applied (dry run).
type PlanSummary struct {
	SyncCounts `json:",inline"`

	// planID identifies the plan by its content.
	// +required
	// +kubebuilder:validation:MaxLength=64
	PlanID string `json:"planID"`

	// generatedTime is when the plan was computed.
	// +optional
	GeneratedTime *metav1.Time `json:"generatedTime,omitempty"`

	// sample holds a few of the planned changes.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	Sample []PlannedChange `json:"sample,omitempty"`
}

// HeldDeactivations is a set of changes withheld by the safety thresholds.
type HeldDeactivations struct {
	// planID identifies the held set by its content and by the approval
	// before it (a set held again after an approval gets a new id); approve
	// it by setting the annotation scimbridge.io/approve-deactivations to
	// this value.
	// +required
	// +kubebuilder:validation:MaxLength=64
	PlanID string `json:"planID"`

	// count is the number of held changes.
	// +required
	// +kubebuilder:validation:Minimum=0
	Count int32 `json:"count"`

	// deactivations is the number of held deactivations.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Deactivations int32 `json:"deactivations,omitempty"`
	// renames is the number of held userName changes.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Renames int32 `json:"renames,omitempty"`
	// memberRemovals is the number of held removals from pushed groups.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MemberRemovals int32 `json:"memberRemovals,omitempty"`

	// since is when this set was first held.
	// +required
	Since metav1.Time `json:"since"`

	// reason says which threshold was exceeded.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Reason string `json:"reason,omitempty"`

	// sample holds a few of the held changes.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	Sample []PlannedChange `json:"sample,omitempty"`
}

// TargetStatus describes how the cycles talk to the target.
type TargetStatus struct {
	// pacing is the pace of the requests to the target after the last cycle.
	// +optional
	Pacing *TargetPacing `json:"pacing,omitempty"`

	// bulk says whether the last cycle that wrote used SCIM Bulk requests.
	// +optional
	Bulk *TargetBulk `json:"bulk,omitempty"`
}

// TargetPacing is the pace of the requests to the target. The rate Adaptive
// pacing learned is kept in the manager's memory across cycles (a restart
// learns it again).
type TargetPacing struct {
	// mode is Adaptive or Fixed.
	// +required
	Mode PacingMode `json:"mode"`

	// requestsPerSecond is the rate requests are sent at now, as a decimal:
	// the rate Adaptive pacing found, or the Fixed rate.
	// +required
	// +kubebuilder:validation:MaxLength=16
	RequestsPerSecond string `json:"requestsPerSecond"`

	// maxRequestsPerSecond is the ceiling never exceeded.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxRequestsPerSecond int32 `json:"maxRequestsPerSecond,omitempty"`

	// maxInFlight is the cap on requests in flight now; Adaptive pacing
	// moves it with the rate.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxInFlight int32 `json:"maxInFlight,omitempty"`

	// throttledRequests counts the 429 and 503 answers of the last cycle.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ThrottledRequests int64 `json:"throttledRequests,omitempty"`

	// lastThrottledTime is when the target last answered 429 or 503.
	// +optional
	LastThrottledTime *metav1.Time `json:"lastThrottledTime,omitempty"`
}

// TargetBulkState says how a cycle's writes reached the target.
// +kubebuilder:validation:Enum=Used;NotAdvertised;Disabled;Rejected
type TargetBulkState string

const (
	// TargetBulkUsed means writes go in SCIM Bulk requests.
	TargetBulkUsed TargetBulkState = "Used"
	// TargetBulkNotAdvertised means the target does not advertise Bulk:
	// one request per change.
	TargetBulkNotAdvertised TargetBulkState = "NotAdvertised"
	// TargetBulkDisabled means spec.target.bulk is Disabled.
	TargetBulkDisabled TargetBulkState = "Disabled"
	// TargetBulkRejected means the target advertises Bulk but refused a
	// Bulk request: single requests are used until the next full cycle.
	TargetBulkRejected TargetBulkState = "Rejected"
)

// TargetBulk says whether writes go in SCIM Bulk requests.
type TargetBulk struct {
	// state is Used, NotAdvertised, Disabled or Rejected.
	// +required
	State TargetBulkState `json:"state"`

	// maxOperations is the target's advertised cap on operations per request.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxOperations int32 `json:"maxOperations,omitempty"`

	// maxPayloadSize is the target's advertised cap on a request's size, in bytes.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxPayloadSize int32 `json:"maxPayloadSize,omitempty"`

	// requests is the number of Bulk requests the cycle sent.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Requests int32 `json:"requests,omitempty"`

	// message says why Bulk is not used, with the target's answer.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Message string `json:"message,omitempty"`
}
