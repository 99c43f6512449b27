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
	// the processing succeeded or failed.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the integration's state: Ready, OktaVerified,
	// TargetVerified, Synced, Reconciling, Stalled and DeactivationsHeld.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// users is the number of users managed in the target (linked by externalId).
	// +optional
	// +kubebuilder:validation:Minimum=0
	Users *int32 `json:"users,omitempty"`

	// activeUsers is the number of managed users that are active in the target.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ActiveUsers *int32 `json:"activeUsers,omitempty"`

	// groups is the number of groups pushed to the target.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Groups *int32 `json:"groups,omitempty"`

	// targetGroups is the number of groups in the target, ours or not, which
	// counts toward the profile's group cap.
	// +optional
	// +kubebuilder:validation:Minimum=0
	TargetGroups *int32 `json:"targetGroups,omitempty"`

	// lastSyncTime is when the last cycle finished.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// nextSyncTime is when the next cycle is due.
	// +optional
	NextSyncTime *metav1.Time `json:"nextSyncTime,omitempty"`

	// lastFullSyncTime is when the last full cycle finished.
	// +optional
	LastFullSyncTime *metav1.Time `json:"lastFullSyncTime,omitempty"`

	// lastSync summarises the last cycle.
	// +optional
	LastSync *SyncSummary `json:"lastSync,omitempty"`

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
	// planID identifies the held set by its content; approve it by setting the
	// annotation scimbridge.io/approve-deactivations to this value.
	// +required
	// +kubebuilder:validation:MaxLength=64
	PlanID string `json:"planID"`

	// count is the number of held changes.
	// +required
	// +kubebuilder:validation:Minimum=0
	Count int32 `json:"count"`

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
