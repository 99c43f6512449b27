package provisioning

import (
	"time"
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
	// Conflicts counts target users matched by userName whose externalId
	// links them to another Okta user; nothing is written to them.
	Conflicts int

	// ManagedUsers and ActiveUsers count target users linked by externalId.
	ManagedUsers int
	ActiveUsers  int
	// TargetGroups counts every group in the target, ours or not.
	TargetGroups int
	// PushedGroups counts the groups this integration pushes that exist in the target.
	PushedGroups int
	// GroupCap is the effective cap (0: none); CapWarning is set from 90%.
	GroupCap   int
	CapWarning bool

	// Groups holds per-ProvisionedGroup results, by GroupConfig.Key.
	Groups map[string]GroupResult

	// OktaRequests and TargetRequests count the requests sent in this cycle by kind.
	OktaRequests   Requests
	TargetRequests Requests
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
