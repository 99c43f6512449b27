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

// DeletionPolicy decides what happens to the target group when its
// ProvisionedGroup is deleted.
// +kubebuilder:validation:Enum=Retain;Delete
type DeletionPolicy string

const (
	// DeletionPolicyRetain leaves the target group in place.
	DeletionPolicyRetain DeletionPolicy = "Retain"
	// DeletionPolicyDelete deletes the target group (Okta's "delete in target").
	DeletionPolicyDelete DeletionPolicy = "Delete"
)

// ProvisionedGroupSpec declares one Okta group assigned to an integration
// (its members become provisioned users) and/or pushed (the group and its
// membership are kept in sync in the target).
// +kubebuilder:validation:XValidation:rule="self.assignMembers || self.push",message="at least one of assignMembers or push must be true"
type ProvisionedGroupSpec struct {
	// integrationRef names the DirectoryIntegration, in the same namespace,
	// this group belongs to. It cannot be changed.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="integrationRef is immutable"
	IntegrationRef LocalObjectReference `json:"integrationRef"`

	// oktaGroup identifies the Okta group by exactly one of name or id. After
	// the first lookup the group is followed by its id, so a rename in Okta
	// renames the target group.
	// +required
	OktaGroup OktaGroupReference `json:"oktaGroup"`

	// assignMembers makes the group's members provisioned users.
	// +optional
	// +kubebuilder:default=false
	AssignMembers bool `json:"assignMembers"`

	// push creates the group in the target and keeps its membership in sync
	// with the Okta group's provisioned members.
	// +optional
	// +kubebuilder:default=false
	Push bool `json:"push"`

	// targetDisplayName is the group's name in the target, when it should
	// differ from the Okta group's name.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	TargetDisplayName string `json:"targetDisplayName,omitempty"`

	// deletionPolicy decides whether deleting this object deletes the target
	// group (Delete) or leaves it (Retain).
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// OktaGroupReference identifies an Okta group by exactly one of name or id.
// +kubebuilder:validation:XValidation:rule="has(self.name) != has(self.id)",message="exactly one of name or id must be set"
type OktaGroupReference struct {
	// name is the exact name of the Okta group.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name,omitempty"`

	// id is the Okta group id, for example 00g1emaKYZTWRYYRRTSK.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9A-Za-z]{20}$`
	ID string `json:"id,omitempty"`
}

// ProvisionedGroupStatus is the observed state of a ProvisionedGroup. The
// ProvisionedGroup controller owns resolution and readiness; the integration's
// cycle owns the push fields.
type ProvisionedGroupStatus struct {
	// observedGeneration is the generation most recently processed.
	// +optional
	// +kubebuilder:default=0
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions describe the group's state: Ready, Resolved, Pushed, and
	// Reconciling and Stalled while they hold (kstatus).
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// oktaGroupID is the id of the resolved Okta group.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	OktaGroupID string `json:"oktaGroupID,omitempty"`

	// oktaGroupName is the current name of the Okta group.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	OktaGroupName string `json:"oktaGroupName,omitempty"`

	// targetGroupID is the SCIM id of the pushed group in the target.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	TargetGroupID string `json:"targetGroupID,omitempty"`

	// members is the number of members of the Okta group, active or not,
	// provisioned or not.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Members *int32 `json:"members,omitempty"`

	// confirmedMembers is the Okta member count the safety rules judge the
	// next reads by. It follows members, except after a read that went
	// empty or lost too many members: it then keeps the earlier count until
	// the changes resting on that read are approved.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ConfirmedMembers *int32 `json:"confirmedMembers,omitempty"`

	// pushedMembers is the number of members of the target group.
	// +optional
	// +kubebuilder:validation:Minimum=0
	PushedMembers *int32 `json:"pushedMembers,omitempty"`

	// skippedMembers is the number of Okta members not pushed because they
	// are not provisioned and active in the target.
	// +optional
	// +kubebuilder:validation:Minimum=0
	SkippedMembers *int32 `json:"skippedMembers,omitempty"`

	// lastPushTime is when the group's membership was last pushed.
	// +optional
	LastPushTime *metav1.Time `json:"lastPushTime,omitempty"`
}

// ProvisionedGroup assigns and/or pushes one Okta group through a
// DirectoryIntegration.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=pg,categories=scimbridge
// +kubebuilder:printcolumn:name="Integration",type=string,JSONPath=`.spec.integrationRef.name`
// +kubebuilder:printcolumn:name="Okta Group",type=string,JSONPath=`.status.oktaGroupName`
// +kubebuilder:printcolumn:name="Okta Members",type=integer,JSONPath=`.status.members`,description="Members of the Okta group"
// +kubebuilder:printcolumn:name="Pushed",type=integer,JSONPath=`.status.pushedMembers`,description="Members of the target group (active provisioned users)"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ProvisionedGroup struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the desired group provisioning.
	// +required
	Spec ProvisionedGroupSpec `json:"spec"`

	// status is the observed state. It defaults to an empty status with
	// observedGeneration 0, so an object not processed yet reads as in progress.
	// +optional
	// +kubebuilder:default={observedGeneration:0}
	Status ProvisionedGroupStatus `json:"status,omitzero"`
}

// ProvisionedGroupList contains a list of ProvisionedGroup.
// +kubebuilder:object:root=true
type ProvisionedGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []ProvisionedGroup `json:"items"`
}

func init() {
	register(&ProvisionedGroup{}, &ProvisionedGroupList{})
}
