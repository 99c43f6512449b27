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

// Package controller holds the reconcilers of DirectoryIntegration and
// ProvisionedGroup. The RBAC markers below are the whole of the manager's
// cluster permissions (config/rbac/role.yaml is generated from them): read
// access to its own kinds and to Secrets, status writes, the ProvisionedGroup
// finalizer, and events. It never writes spec and never writes Secrets.
package controller

// +kubebuilder:rbac:groups=identity.scimbridge.io,resources=directoryintegrations,verbs=get;list;watch
// +kubebuilder:rbac:groups=identity.scimbridge.io,resources=directoryintegrations/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=identity.scimbridge.io,resources=provisionedgroups,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=identity.scimbridge.io,resources=provisionedgroups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=identity.scimbridge.io,resources=provisionedgroups/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
