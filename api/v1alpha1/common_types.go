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

// SecretKeySelector selects one key of a Secret in the same namespace as the
// object that refers to it. Cross-namespace references are deliberately not
// possible: a namespace's users must not be able to read another's credentials.
type SecretKeySelector struct {
	// name is the name of the Secret, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// key is the key within the Secret's data whose value is used.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// name is the name of the referenced object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// Annotations understood by the controllers. The controllers only read them:
// tools such as Argo CD own the objects' metadata.
const (
	// ReconcileRequestedAtAnnotation triggers a cycle when its value changes
	// (incremental when a full one is not due) and retries objects waiting
	// out a failure backoff; the handled value is echoed in
	// status.lastHandledReconcileAt.
	ReconcileRequestedAtAnnotation = "scimbridge.io/reconcile-requested-at"
	// FullSyncRequestedAtAnnotation triggers a full cycle when its value
	// changes: both sides are read again and drift made in the target is
	// repaired. The handled value is echoed in status.lastHandledFullSyncAt.
	FullSyncRequestedAtAnnotation = "scimbridge.io/full-sync-requested-at"
	// ApproveDeactivationsAnnotation names the planID of a held set of
	// deactivations that an administrator approves.
	ApproveDeactivationsAnnotation = "scimbridge.io/approve-deactivations"
)
