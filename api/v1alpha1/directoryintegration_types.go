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

// TargetProfile selects the attribute set and limits of a SCIM target.
// +kubebuilder:validation:Enum=CiscoSecureAccess;Generic
type TargetProfile string

const (
	// TargetProfileCiscoSecureAccess sends Cisco's attribute set (with the
	// ciscoumbrella user extension) and enforces Cisco's group cap (1000).
	TargetProfileCiscoSecureAccess TargetProfile = "CiscoSecureAccess"
	// TargetProfileGeneric sends core RFC 7643 attributes and has no group cap.
	TargetProfileGeneric TargetProfile = "Generic"
)

// DirectoryIntegrationSpec defines the desired provisioning from one Okta org
// to one SCIM 2.0 target.
// +kubebuilder:validation:XValidation:rule="!has(self.attributeMapping.expressions) || (has(self.target.profile) && self.target.profile != 'Generic') || self.attributeMapping.expressions.all(x, !(x.target in ['nativeObjectId', 'authName']))",message="nativeObjectId and authName are attributes of the CiscoSecureAccess profile"
// +kubebuilder:validation:XValidation:rule="!has(self.attributeMapping.expressions) || (has(self.target.profile) && self.target.profile == 'Generic') || self.attributeMapping.expressions.all(x, !x.target.startsWith('urn:'))",message="extension attributes (urn:...) need the Generic profile"
// +kubebuilder:validation:XValidation:rule="!has(self.syncInterval) || !has(self.fullResyncInterval) || duration(self.fullResyncInterval) >= duration(self.syncInterval)",message="fullResyncInterval must not be shorter than syncInterval"
type DirectoryIntegrationSpec struct {
	// displayName is the IdP directory name shown in Secure Access, for
	// example "OKTA Integration".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	DisplayName string `json:"displayName"`

	// okta is the source: the Okta org and its API credentials.
	// +required
	Okta OktaSource `json:"okta"`

	// target is the SCIM 2.0 endpoint users and groups are written to.
	// +required
	Target SCIMTarget `json:"target"`

	// provisioning switches the kinds of writes on or off, like the "To App"
	// features of Okta's provisioning tab.
	// +optional
	// +kubebuilder:default={}
	Provisioning ProvisioningSettings `json:"provisioning,omitzero"`

	// assignments lists people assigned directly, in addition to the members
	// of ProvisionedGroups with assignMembers.
	// +optional
	Assignments Assignments `json:"assignments,omitzero"`

	// attributeMapping chooses which Okta profile attributes fill the SCIM
	// user: the shorthand fields, and CEL expressions per target attribute.
	// +optional
	// +kubebuilder:default={}
	AttributeMapping AttributeMapping `json:"attributeMapping,omitzero"`

	// scope is a CEL expression over the Okta user (user.id, user.status,
	// user.profile.*, and attributeMapping.constants as constants.*) that
	// must be true for an assigned user to be provisioned, for example
	// user.profile.department != "Contractors". A user who leaves the scope
	// is deactivated under the same safety rules as any departure. An
	// expression that does not compile stalls the integration
	// (InvalidMapping); one that fails for a user fails that user only.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	Scope string `json:"scope,omitempty"`

	// syncInterval is how often an incremental cycle runs. At least 1m.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="syncInterval must be at least 1m"
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('24h')",message="syncInterval must be at most 24h"
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// fullResyncInterval is how often a full cycle re-reads everything on both
	// sides, repairing drift made in the target and catching users deleted in
	// Okta. At least 10m, at most 168h.
	// +optional
	// +kubebuilder:default="24h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10m')",message="fullResyncInterval must be at least 10m"
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('168h')",message="fullResyncInterval must be at most 168h"
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	FullResyncInterval *metav1.Duration `json:"fullResyncInterval,omitempty"`

	// safety bounds how many deactivations one cycle may apply without approval.
	// +optional
	// +kubebuilder:default={}
	Safety SafetySettings `json:"safety,omitzero"`

	// dryRun computes the plan and reports it in status.plan without writing
	// anything to the target.
	// +optional
	// +kubebuilder:default=false
	DryRun bool `json:"dryRun,omitempty"`

	// suspend stops every call to Okta and to the target until it is false again.
	// +optional
	// +kubebuilder:default=false
	Suspend bool `json:"suspend,omitempty"`
}

// OktaSource names the Okta org and how to authenticate to its Management API.
// +kubebuilder:validation:XValidation:rule="has(self.apiTokenSecretRef) != has(self.oauth)",message="exactly one of apiTokenSecretRef or oauth must be set"
type OktaSource struct {
	// orgURL is the Okta org's base URL, for example https://example.okta.com,
	// without a path, query, fragment or credentials. It must use https;
	// plain http is accepted only for loopback hosts (local runs).
	// +required
	// +kubebuilder:validation:MinLength=8
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != ''",message="orgURL must be an absolute URL with a host"
	// +kubebuilder:validation:XValidation:rule="self.startsWith('https://') || self.matches('^http://(localhost|127[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}|[[]::1[]])(:[0-9]{1,5})?(/.*)?$')",message="orgURL must use https (http is allowed only for loopback hosts)"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || url(self).getQuery().size() == 0",message="orgURL must not have a query"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || url(self).getEscapedPath() in ['', '/']",message="orgURL must not have a path"
	// +kubebuilder:validation:XValidation:rule="!self.contains('#')",message="orgURL must not have a fragment"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@')",message="orgURL must not carry credentials"
	OrgURL string `json:"orgURL"`

	// apiTokenSecretRef selects an Okta API token (sent as "SSWS <token>").
	// Exactly one of apiTokenSecretRef and oauth must be set.
	// +optional
	APITokenSecretRef *SecretKeySelector `json:"apiTokenSecretRef,omitempty"`

	// oauth authenticates as an Okta API service app with OAuth 2.0 client
	// credentials and a private-key JWT, which Okta recommends over API tokens.
	// +optional
	OAuth *OktaOAuth `json:"oauth,omitempty"`

	// changeFeed selects how changes made in Okta reach the target between
	// scheduled cycles. SystemLog (the default) polls the org's System Log
	// with a small share of its rate bucket and runs a targeted cycle for
	// the users and groups its events name, within seconds; Disabled leaves
	// every change to the scheduled cycles. An OAuth service app needs the
	// okta.logs.read scope (add it to oauth.scopes and grant it in Okta);
	// without it the feed stays off and status.changeFeed says why.
	// +optional
	// +kubebuilder:default=SystemLog
	ChangeFeed ChangeFeedMode `json:"changeFeed,omitempty"`

	// eventHook accepts Okta Event Hooks for this integration at
	// /hooks/okta/<namespace>/<name> on the manager's event hook endpoint,
	// which must be enabled (--event-hook-bind-address). A hook only wakes
	// the System Log poll: what is written always comes from Okta's
	// current state, so lost, repeated or reordered hooks change nothing.
	// +optional
	EventHook *EventHookSettings `json:"eventHook,omitempty"`
}

// ChangeFeedMode selects the change feed.
// +kubebuilder:validation:Enum=SystemLog;Disabled
type ChangeFeedMode string

const (
	// ChangeFeedSystemLog polls the Okta System Log.
	ChangeFeedSystemLog ChangeFeedMode = "SystemLog"
	// ChangeFeedDisabled leaves changes to the scheduled cycles.
	ChangeFeedDisabled ChangeFeedMode = "Disabled"
)

// EventHookSettings authenticates Okta's Event Hook requests.
type EventHookSettings struct {
	// secretRef selects the static secret the Okta admin configured as the
	// value of the hook's authentication header. Requests without it are
	// answered 401.
	// +required
	SecretRef SecretKeySelector `json:"secretRef"`

	// headerName is the name of the authentication header, as configured
	// in Okta.
	// +optional
	// +kubebuilder:default=Authorization
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9-]+$`
	HeaderName string `json:"headerName,omitempty"`
}

// OktaOAuth configures OAuth 2.0 client credentials with a private-key JWT.
type OktaOAuth struct {
	// clientID is the client id of the Okta API service app.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9._-]+$`
	ClientID string `json:"clientID"`

	// privateKeySecretRef selects the PEM private key (RSA or EC) registered
	// with the service app.
	// +required
	PrivateKeySecretRef SecretKeySelector `json:"privateKeySecretRef"`

	// keyID is the key id ("kid") of the registered public key, when Okta has
	// more than one key for the app.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	KeyID string `json:"keyID,omitempty"`

	// scopes requested for the access token. Defaults to read-only access to
	// users and groups.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^okta\.[A-Za-z]+\.[A-Za-z]+$`
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:default={"okta.users.read","okta.groups.read"}
	Scopes []string `json:"scopes,omitempty"`
}

// SCIMTarget names the SCIM 2.0 endpoint and its bearer token.
type SCIMTarget struct {
	// url is the SCIM base URL, for example
	// https://api.sse.cisco.com/identity/v2/scim, without a query, fragment
	// or credentials. It must use https; plain http is accepted only for
	// loopback hosts (local runs).
	// +required
	// +kubebuilder:validation:MinLength=8
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != ''",message="url must be an absolute URL with a host"
	// +kubebuilder:validation:XValidation:rule="self.startsWith('https://') || self.matches('^http://(localhost|127[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}|[[]::1[]])(:[0-9]{1,5})?(/.*)?$')",message="url must use https (http is allowed only for loopback hosts)"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || url(self).getQuery().size() == 0",message="url must not have a query"
	// +kubebuilder:validation:XValidation:rule="!self.contains('#')",message="url must not have a fragment"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@')",message="url must not carry credentials"
	URL string `json:"url"`

	// tokenSecretRef selects the bearer token that the target generated
	// (in Secure Access: Integrate Directory → Generate Token).
	// +required
	TokenSecretRef SecretKeySelector `json:"tokenSecretRef"`

	// profile selects the target's attribute set and limits.
	// +optional
	// +kubebuilder:default=CiscoSecureAccess
	Profile TargetProfile `json:"profile,omitempty"`

	// maxGroups overrides the profile's cap on groups in the target (1000 for
	// CiscoSecureAccess, none for Generic; older Cisco tenants had 200).
	// Groups past the cap are not created, and a warning is raised from 90%.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	MaxGroups *int32 `json:"maxGroups,omitempty"`

	// caBundleSecretRef selects PEM CA certificates trusted in addition to the
	// system roots, for targets behind a private CA.
	// +optional
	CABundleSecretRef *SecretKeySelector `json:"caBundleSecretRef,omitempty"`

	// rateLimit paces the requests to the target. Cisco publishes no rate
	// limit for its SCIM API, so by default the manager finds the target's
	// rate by itself (its --target-rate-mode and ceilings apply).
	// +optional
	RateLimit *TargetRateLimit `json:"rateLimit,omitempty"`

	// bulk says whether writes go in SCIM Bulk requests (RFC 7644 §3.7):
	// Auto uses them when the target advertises Bulk in its
	// /ServiceProviderConfig, Disabled never does.
	// +optional
	// +kubebuilder:default=Auto
	Bulk BulkMode `json:"bulk,omitempty"`
}

// PacingMode selects how the requests to a target are paced.
// +kubebuilder:validation:Enum=Adaptive;Fixed
type PacingMode string

const (
	// PacingAdaptive starts low, speeds up while the target answers well and
	// slows down on 429, 503 or rising latency, never above the ceiling.
	PacingAdaptive PacingMode = "Adaptive"
	// PacingFixed always sends at maxRequestsPerSecond at most.
	PacingFixed PacingMode = "Fixed"
)

// TargetRateLimit paces the requests to one target.
type TargetRateLimit struct {
	// mode is Adaptive or Fixed. Defaults to the manager's
	// --target-rate-mode (Adaptive unless set otherwise).
	// +optional
	Mode PacingMode `json:"mode,omitempty"`

	// maxRequestsPerSecond is the most requests per second ever sent to the
	// target: the ceiling of Adaptive pacing, the rate of Fixed pacing.
	// Defaults to the manager's --target-max-requests-per-second (Adaptive)
	// or --target-requests-per-second (Fixed).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MaxRequestsPerSecond *int32 `json:"maxRequestsPerSecond,omitempty"`
}

// BulkMode says whether writes go in SCIM Bulk requests.
// +kubebuilder:validation:Enum=Auto;Disabled
type BulkMode string

const (
	// BulkAuto uses Bulk when the target advertises it.
	BulkAuto BulkMode = "Auto"
	// BulkDisabled sends one request per change.
	BulkDisabled BulkMode = "Disabled"
)

// ProvisioningSettings switches kinds of writes on or off. Each is a pointer
// so that a Go client can set false where the default is true.
type ProvisioningSettings struct {
	// createUsers allows creating users in the target.
	// +optional
	// +kubebuilder:default=true
	CreateUsers *bool `json:"createUsers,omitempty"`

	// updateUserAttributes allows updating attributes of existing users.
	// +optional
	// +kubebuilder:default=true
	UpdateUserAttributes *bool `json:"updateUserAttributes,omitempty"`

	// deactivateUsers allows setting active=false on users who left the scope,
	// were suspended or were deactivated in Okta. Users are never deleted.
	// +optional
	// +kubebuilder:default=true
	DeactivateUsers *bool `json:"deactivateUsers,omitempty"`
}

// Assignments lists people assigned to the integration directly.
type Assignments struct {
	// people are Okta logins (an email-style login such as
	// jane.doe@example.com) or Okta user ids (00u followed by 17 letters and
	// digits) assigned directly. Okta's alias "me" and anything with a
	// slash, "?", "#", "%", a quote or whitespace are refused: each entry is
	// looked up by putting it into a URL path.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	// +kubebuilder:validation:items:XValidation:rule="self.matches('^00u[0-9A-Za-z]{17}$') || self.matches('^[A-Za-z0-9.!$&*+=^_{|}~-]+@[A-Za-z0-9.-]+$')",message="each entry must be an Okta user id (00u followed by 17 letters and digits) or an email-style Okta login"
	People []string `json:"people,omitempty"`
}

// AttributeMapping chooses which Okta profile attributes fill the SCIM user.
// Attribute names are Okta profile keys, custom attributes included.
type AttributeMapping struct {
	// userName is the Okta profile attribute used as the SCIM userName.
	// +optional
	// +kubebuilder:default=login
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	UserName string `json:"userName,omitempty"`

	// displayName is the Okta profile attribute used as the SCIM displayName;
	// when the attribute is empty, "firstName lastName" is used.
	// +optional
	// +kubebuilder:default=displayName
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	DisplayName string `json:"displayName,omitempty"`

	// nativeObjectId is the Okta profile attribute (for example objectGUID)
	// sent as the Cisco extension's nativeObjectId. Only AnyConnect 4.10 MR5
	// and older need it. Ignored by the Generic profile.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	NativeObjectID string `json:"nativeObjectId,omitempty"`

	// sendEmails sends the Okta email as the SCIM emails attribute. Off by
	// default because Cisco does not list emails among its attributes.
	// +optional
	// +kubebuilder:default=false
	SendEmails bool `json:"sendEmails,omitempty"`

	// expressions fill target attributes from CEL expressions, one per
	// target; an expression wins over the shorthand field of the same
	// attribute. Each expression sees the Okta user as user (user.id,
	// user.status, user.profile.<attribute>) and the constants below as
	// constants.<name>, with CEL's standard functions, optional values
	// (user.profile.?title.orValue("")) and the string extensions
	// (lowerAscii, split, replace, trim, ...). A missing profile attribute
	// is an error unless guarded with has() or ?.; null and "" mean no
	// value: the attribute is left out of a create and removed from the
	// target. Each evaluation is limited to a cost of 10000 (see
	// docs/sync-engine.md); a runtime error fails that user only.
	// +optional
	// +listType=map
	// +listMapKey=target
	// +kubebuilder:validation:MaxItems=32
	Expressions []AttributeExpression `json:"expressions,omitempty"`

	// constants are named values the expressions read as constants.<name>,
	// for example the domain of the target's userNames.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[A-Za-z_][A-Za-z0-9_]{0,62}$'))",message="constant names must be identifiers of at most 63 characters"
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(self[k]) <= 1024)",message="constant values must be at most 1024 characters"
	Constants map[string]string `json:"constants,omitempty"`
}

// MappingApplyOn says when a mapped attribute is written.
// +kubebuilder:validation:Enum=Always;Create
type MappingApplyOn string

const (
	// MappingApplyAlways writes the attribute on create and keeps it current.
	MappingApplyAlways MappingApplyOn = "Always"
	// MappingApplyCreate writes the attribute only when the user is
	// created; the target owns it afterwards (also for users linked by
	// userName).
	MappingApplyCreate MappingApplyOn = "Create"
)

// AttributeExpression fills one target attribute from a CEL expression.
type AttributeExpression struct {
	// target is the SCIM attribute: userName, displayName, name.givenName,
	// name.familyName, emails (a string or a list of strings, the first
	// one primary), title; the enterprise extension's department,
	// employeeNumber and manager (the manager's Okta user id, sent as the
	// id of the target user linked to it); Cisco's nativeObjectId and
	// authName (CiscoSecureAccess profile); or an extension attribute of a
	// Generic target as "<schema URN>:<attribute>".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:XValidation:rule="self in ['userName', 'displayName', 'name.givenName', 'name.familyName', 'emails', 'title', 'department', 'employeeNumber', 'manager', 'nativeObjectId', 'authName'] || self.matches('^urn:[A-Za-z0-9][A-Za-z0-9.:_-]*:[A-Za-z][A-Za-z0-9_]*$')",message="target must be a supported attribute or an extension attribute urn:<schema>:<attribute>"
	Target string `json:"target"`

	// expression is the CEL expression; it must produce a string (a
	// string or a list of strings for emails), null or an optional.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	Expression string `json:"expression"`

	// applyOn is Always (the attribute follows Okta) or Create (written
	// when the user is created, then owned by the target).
	// +optional
	// +kubebuilder:default=Always
	ApplyOn MappingApplyOn `json:"applyOn,omitempty"`
}

// SafetySettings bounds deactivations per cycle. A cycle whose deactivations
// (and userName changes) exceed either bound applies none of them: they are
// held in status.heldDeactivations until approved through the
// scimbridge.io/approve-deactivations annotation. Membership removals from one
// pushed group are held by the same percentage of that group's members.
type SafetySettings struct {
	// maxDeactivations is the largest number of users one cycle may deactivate
	// without approval. 0 means every deactivation needs approval.
	// +optional
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000
	MaxDeactivations *int32 `json:"maxDeactivations,omitempty"`

	// maxDeactivationPercent is the largest share, in whole percent of the
	// users managed in the target, that one cycle may deactivate without
	// approval; it always allows deactivationFloor, so a one- or
	// two-person change in a small directory is not held. 0 means every
	// deactivation needs approval.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MaxDeactivationPercent *int32 `json:"maxDeactivationPercent,omitempty"`

	// deactivationFloor is how many deactivations (and userName changes,
	// and member removals from one pushed group) the percentage bound always
	// allows in one cycle. With 6 users and the default 10%, the percentage
	// alone would hold a second departure; the floor of 2 lets it through,
	// while 3 or more still wait for approval. It never lifts
	// maxDeactivations, and it does not apply when maxDeactivationPercent
	// is 0. A group read that went from members to empty, or lost more
	// than this bound of its members, holds the deactivations resting on it
	// whatever these settings allow.
	// +optional
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	DeactivationFloor *int32 `json:"deactivationFloor,omitempty"`
}

// DirectoryIntegration provisions users and groups from an Okta org to a SCIM
// 2.0 target such as Cisco Secure Access. Deleting it stops management and
// deprovisions nothing.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=di,categories=scimbridge
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Users",type=string,JSONPath=`.status.usersSummary`,description="Users in sync in the target / users in scope"
// +kubebuilder:printcolumn:name="Groups",type=string,JSONPath=`.status.groupsSummary`,description="Groups pushed with full membership / groups to push"
// +kubebuilder:printcolumn:name="Last Sync",type=date,JSONPath=`.status.lastSyncTime`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Target Rate",type=string,JSONPath=`.status.target.pacing.requestsPerSecond`,priority=1,description="Requests per second sent to the target now"
// +kubebuilder:printcolumn:name="Bulk",type=string,JSONPath=`.status.target.bulk.state`,priority=1
type DirectoryIntegration struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec is the desired provisioning.
	// +required
	Spec DirectoryIntegrationSpec `json:"spec"`

	// status is the observed state. It defaults to an empty status with
	// observedGeneration 0, so that tools reading it (kstatus, Flux,
	// kubectl wait) see an object the controller has not processed yet as
	// in progress.
	// +optional
	// +kubebuilder:default={observedGeneration:0}
	Status DirectoryIntegrationStatus `json:"status,omitzero"`
}

// DirectoryIntegrationList contains a list of DirectoryIntegration.
// +kubebuilder:object:root=true
type DirectoryIntegrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []DirectoryIntegration `json:"items"`
}

func init() {
	register(&DirectoryIntegration{}, &DirectoryIntegrationList{})
}
