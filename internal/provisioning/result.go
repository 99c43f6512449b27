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
	"time"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// Counts counts the changes of one cycle or plan.
type Counts struct {
	Created        int
	Updated        int
	Deactivated    int
	Reactivated    int
	GroupsCreated  int
	GroupsRenamed  int
	GroupsDeleted  int
	MembersAdded   int
	MembersRemoved int
	Failures       int
}

// Failure is one change that failed; the engine retries it in later cycles
// with backoff.
type Failure struct {
	// Kind is "User" or "Group".
	Kind string
	// Name is the userName or group displayName.
	Name string
	// Action is what was attempted.
	Action Action
	// Err is the error, as the target or source reported it.
	Err error
}

// GroupResult is what one cycle did for one ProvisionedGroup.
type GroupResult struct {
	// Key is GroupConfig.Key.
	Key string
	// OktaName is the Okta group's current name (empty when not read).
	OktaName string
	// OktaFound is true when the group was read from Okta in this cycle or
	// an earlier one; OktaDeleted is true when Okta answered 404 for its id.
	OktaFound   bool
	OktaDeleted bool
	// Members is the number of members of the Okta group.
	Members int
	// TargetID is the id of the pushed group in the target.
	TargetID string
	// TargetName is the displayName of the pushed group in the target.
	TargetName string
	// PushedMembers is the number of members of the target group after the cycle.
	PushedMembers int
	// SkippedMembers counts Okta members not pushed because they are not
	// provisioned and active in the target.
	SkippedMembers int
	// Pushed is true when the group exists in the target with the desired
	// membership (no failures, nothing held or blocked).
	Pushed bool
	// Renamed is true when the cycle renamed the target group.
	Renamed bool
	// Deleted is true when the cycle deleted the target group (Deleting).
	Deleted bool
	// CapBlocked is true when the group was not created because of the group cap.
	CapBlocked bool
	// RemovalsHeld counts member removals held by the safety threshold or
	// blocked because the source read was incomplete or the group is gone.
	RemovalsHeld int
	// ConfirmedMembers is the Okta member count to keep as the baseline of
	// the next cycles: the count read, unless the read was suspicious and
	// held changes, which keeps the previous baseline until they are approved.
	ConfirmedMembers int
	// Err is the last error for this group, if any.
	Err error
	// LastPushTime is when the membership was last written or confirmed.
	LastPushTime time.Time
}

// HeldSet is a set of changes withheld by the safety thresholds. Its ID is
// derived from its content, so an approval can never release another set.
type HeldSet struct {
	ID     string
	Reason string
	Since  time.Time
	// Changes are the held changes, sorted; callers show a sample.
	Changes []HeldChange
}

// HeldChange is one withheld change.
type HeldChange struct {
	Action Action
	// Kind is "User" or "Group".
	Kind string
	// Name is the userName, or the group displayName for member removals.
	Name string
	// Detail says more (new userName, removed member).
	Detail string
	// key identifies the change for approvals: "deactivate:<targetID>" etc.
	key string
}

// Requests counts requests by kind ("users.list", "groups.patch", ...).
type Requests map[string]int64

// Total returns the number of requests.
func (r Requests) Total() int64 {
	var n int64
	for _, c := range r {
		n += c
	}
	return n
}

// Result is the outcome of one cycle.
type Result struct {
	// Mode is the kind of cycle that ran (a requested incremental cycle runs
	// as full when the engine has no usable state).
	Mode    Mode
	Started time.Time
	// Duration is the cycle's wall time.
	Duration time.Duration
	// DryRun is true when nothing was written.
	DryRun bool

	// Counts are the changes applied, or planned for a dry run.
	Counts Counts
	// Failures lists failed changes (at most MaxFailuresKept); Counts.Failures has the total.
	Failures []Failure
	// Deferred counts changes skipped because their object is in retry
	// backoff after earlier failures.
	Deferred int
	// InSync is true when, after the cycle, nothing is left to do: every
	// in-scope user is present, linked, active and current in the target,
	// every pushed group exists with its full membership, nothing is held or
	// deferred, and both reads were complete. Never true for a dry run.
	InSync bool
	// Gap says what keeps the cycle from being in sync.
	Gap SyncGap
	// UserCounts and GroupCounts compare wanted and present objects after
	// the cycle.
	UserCounts  UserCounts
	GroupCounts GroupCounts
	// OutOfSync samples what does not match yet, and why (at most MaxSample).
	OutOfSync []OutOfSync
	// Sample is a bounded sample of the planned changes (dry run and reports).
	Sample []PlannedChange
	// PlanID identifies the plan by content.
	PlanID string

	// Held is the set of changes withheld for approval, if any.
	Held *HeldSet
	// ApprovalConsumed is the approved plan id this cycle released, if any.
	ApprovalConsumed string

	// SourceComplete is false when any part of the Okta read failed: the
	// cycle then made no scope-based deactivations or member removals.
	SourceComplete bool
	// SourceErrors describes what failed to read (bounded).
	SourceErrors []string
	// TargetErrors describes what part of the target could not be read.
	TargetErrors []string
	// SourceAuthErr and TargetAuthErr are the first 401 or 403 an end
	// answered in this cycle; nothing more was sent to that end after it.
	SourceAuthErr error
	TargetAuthErr error
	// Conflicts counts target users matched by userName whose externalId
	// links them to another Okta user; nothing is written to them.
	Conflicts int

	// CapWarning is set when the target holds 90% or more of its group cap.
	CapWarning bool

	// Groups holds per-ProvisionedGroup results, by GroupConfig.Key.
	Groups map[string]GroupResult

	// OktaRequests and TargetRequests count the requests sent in this cycle by kind.
	OktaRequests   Requests
	TargetRequests Requests
	// Throttled counts the target's 429 and 503 answers in this cycle.
	Throttled int64
	// Pacing is the target's pacing after the cycle (nil when the target
	// does not report it).
	Pacing *scim.PaceStats
	// Bulk says whether the writes went in SCIM Bulk requests.
	Bulk BulkReport
}

// SyncGap counts what keeps a cycle from being in sync, by cause.
type SyncGap struct {
	// SourceIncomplete: part of the Okta read failed or is not usable, so
	// nothing resting on it was deactivated or removed.
	SourceIncomplete bool
	// TargetIncomplete: part of the target could not be read.
	TargetIncomplete bool
	// Held changes wait for approval.
	Held int
	// Capped groups were not created because of the target's group cap.
	Capped int
	// Pending changes remain: failed, deferred, conflicting or blocked objects.
	Pending int
}

// UserCounts compares wanted and present users.
type UserCounts struct {
	// InScope users are in scope and active in Okta: they should be present
	// and active in the target.
	InScope int
	// Synced users are in scope and present, linked, active and current.
	Synced int
	// Managed users are target users linked to an Okta user; Active those of
	// them active in the target.
	Managed, Active int
	// Deferred users wait out a retry backoff; Failed ones failed this
	// cycle; Held ones have a change held for approval; Conflicts cannot be
	// written (their userName belongs to another Okta user's target user).
	Deferred, Failed, Held, Conflicts int
}

// GroupCounts compares wanted and present groups.
type GroupCounts struct {
	// Wanted groups are pushed by this integration; Pushed ones exist with
	// their full membership; Capped ones were not created because of the cap.
	Wanted, Pushed, Capped int
	// Existing counts the wanted groups that exist in the target at all.
	Existing int
	// InTarget counts every group in the target, ours or not; Cap is the
	// effective cap (0: none).
	InTarget, Cap int
}

// OutOfSync is one object that does not match yet.
type OutOfSync struct {
	// Kind is "User" or "Group".
	Kind   string
	Name   string
	Reason string
}

// MaxFailuresKept bounds Result.Failures.
const MaxFailuresKept = 100

// MaxSample bounds Result.Sample.
const MaxSample = 20

// PlannedChange describes one change for reports.
type PlannedChange struct {
	Action Action
	Kind   string
	Name   string
	Detail string
}
