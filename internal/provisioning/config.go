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

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Profile selects the target's attribute set.
type Profile string

const (
	// ProfileCiscoSecureAccess sends the ciscoumbrella user extension.
	ProfileCiscoSecureAccess Profile = "CiscoSecureAccess"
	// ProfileGeneric sends core RFC 7643 attributes only.
	ProfileGeneric Profile = "Generic"
)

// DefaultCiscoMaxGroups is Cisco Secure Access's cap on groups per integration.
const DefaultCiscoMaxGroups = 1000

// Mode is the kind of cycle.
type Mode string

const (
	// ModeFull reads both sides completely and repairs drift in the target.
	ModeFull Mode = "Full"
	// ModeIncremental re-reads only what changed in Okta since the watermark.
	ModeIncremental Mode = "Incremental"
	// ModeTargeted re-reads only the users and groups a change feed named
	// (see RunTargeted); the controller never requests it through Run.
	ModeTargeted Mode = "Targeted"
)

// Mapping chooses the Okta profile attributes of the SCIM user: the
// shorthands (one Okta attribute per target attribute, as before CEL) and
// Expressions, which win over the shorthand of the same attribute.
type Mapping struct {
	// UserName is the Okta attribute used as userName ("login" by default).
	UserName string
	// DisplayName is the Okta attribute used as displayName; empty values
	// fall back to "firstName lastName".
	DisplayName string
	// NativeObjectID is the Okta attribute sent as the Cisco nativeObjectId.
	NativeObjectID string
	// SendEmails sends profile.email as the primary work email.
	SendEmails bool
	// Expressions fill target attributes from CEL expressions over the Okta
	// user (see mapping_compile.go), at most one per target attribute.
	Expressions []AttributeExpression
	// Constants are the integration's named values, constants.<name> in
	// expressions.
	Constants map[string]string
}

// ApplyOn says when a mapped attribute is written.
type ApplyOn string

const (
	// ApplyAlways writes the attribute on create and keeps it current.
	ApplyAlways ApplyOn = "Always"
	// ApplyCreate writes the attribute only when the user is created: the
	// target owns it afterwards (a linked or adopted user keeps its value).
	ApplyCreate ApplyOn = "Create"
)

// AttributeExpression maps one target attribute.
type AttributeExpression struct {
	// Target is the attribute: userName, displayName, name.givenName,
	// name.familyName, emails, title, department, employeeNumber, manager,
	// nativeObjectId, authName, or an extension attribute
	// "urn:…:<attribute>" (Generic profile).
	Target string
	// Expression is the CEL source.
	Expression string
	// ApplyOn is Always when empty.
	ApplyOn ApplyOn
}

// GroupConfig is one ProvisionedGroup as the engine needs it.
type GroupConfig struct {
	// Key identifies the ProvisionedGroup (namespace/name); results use it.
	Key string
	// OktaID is the resolved Okta group id. Empty means not resolved yet.
	OktaID string
	// OktaName is the resolved Okta group name, used when TargetName is empty.
	OktaName string
	// Assign makes the members provisioned users.
	Assign bool
	// Push creates the group in the target and mirrors its membership.
	Push bool
	// TargetName overrides the target group's displayName.
	TargetName string
	// TargetID is the target group id reported by an earlier cycle.
	TargetID string
	// Deleting is set for a Delete-policy group being deleted: the cycle
	// deletes its target group.
	Deleting bool
	// BaselineMembers is the member count last pushed (it survives restarts in
	// status): a group that had members and now reads empty is held.
	BaselineMembers int
	// ConfirmedMembers is the Okta member count last confirmed (it survives
	// restarts in status): an assigned group whose read falls from it to
	// empty, or by more than the percentage bound, holds the deactivations
	// that rest on it until they are approved.
	ConfirmedMembers int
	// Blocked says why the group cannot be used although it is configured
	// (for example it became a duplicate of another ProvisionedGroup). An
	// assigned group that is blocked makes the scope incomplete: nothing
	// that rests on it is deactivated or removed.
	Blocked string
}

// Config is one integration's desired provisioning.
type Config struct {
	Profile Profile
	// MaxGroups caps the groups in the target; 0 means no cap.
	MaxGroups int

	CreateUsers     bool
	UpdateUsers     bool
	DeactivateUsers bool

	// People are Okta logins or ids assigned directly.
	People []string
	Groups []GroupConfig

	Mapping Mapping
	// Scope is a CEL boolean over the Okta user that must hold for a user to
	// be provisioned; empty means every user of the assignments. A user who
	// leaves it is deactivated under the safety rules, like any departure.
	Scope string

	// compiled is Mapping and Scope compiled; the engine sets it at the start
	// of a cycle. nil means the shorthands alone (no expressions, no scope).
	compiled *compiledMapping
	// memo maps each user once per cycle when there are expressions.
	memo *mappingMemo

	// MaxDeactivations and MaxDeactivationPercent bound deactivations (and
	// userName changes) per cycle; 0 means every one needs approval.
	MaxDeactivations       int
	MaxDeactivationPercent int
	// DeactivationFloor is how many changes the percentage bound always
	// allows, so a one- or two-person change in a small directory is not
	// held (it does not lift MaxDeactivations).
	DeactivationFloor int

	// DryRun plans without writing.
	DryRun bool
	// Mode is the kind of cycle requested; the engine runs a full cycle
	// anyway when it has no state or the configuration changed.
	Mode Mode
	// ApprovedPlanID releases the held set with this id, once.
	ApprovedPlanID string
	// LastApprovedPlanID is the held set most recently released. A new hold
	// derives its id from it, so a set held again after an approval gets a
	// new id even when its content is the same.
	LastApprovedPlanID string
	// RetryDeferred retries objects still in their failure backoff (a
	// person asked for the cycle).
	RetryDeferred bool
	// Bulk sends the writes in SCIM Bulk requests when the target
	// advertises Bulk in its /ServiceProviderConfig.
	Bulk bool

	// spent counts the changes targeted cycles already made towards the
	// thresholds since the last scheduled cycle.
	spent int
}

// EffectiveMaxGroups returns the group cap, from MaxGroups or the profile.
func (c Config) EffectiveMaxGroups() int {
	if c.MaxGroups > 0 {
		return c.MaxGroups
	}
	if c.Profile == ProfileCiscoSecureAccess {
		return DefaultCiscoMaxGroups
	}
	return 0
}

// scopeHash identifies everything that decides what the engine reads and how it
// maps users: when it changes, state from earlier cycles cannot be trusted and
// the next cycle is a full one.
func (c Config) scopeHash() string {
	var b strings.Builder
	// Only source text goes in: compiled programs are pointers and would
	// make every hash different.
	fmt.Fprintf(&b, "profile=%s\nmapping=%+v\nscope=%q\n", c.Profile, c.Mapping, c.Scope)
	people := slices.Clone(c.People)
	slices.Sort(people)
	fmt.Fprintf(&b, "people=%q\n", people)
	groups := slices.Clone(c.Groups)
	slices.SortFunc(groups, func(a, b GroupConfig) int { return strings.Compare(a.Key, b.Key) })
	for _, g := range groups {
		fmt.Fprintf(&b, "group=%s|%s|%t|%t|%s|%t\n", g.Key, g.OktaID, g.Assign, g.Push, g.TargetName, g.Blocked != "")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
