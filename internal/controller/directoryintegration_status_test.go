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

package controller

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

func finished(res *provisioning.Result, err error) *cycleJob {
	return &cycleJob{generation: 1, result: res, err: err, started: t0.Add(-time.Minute), finished: t0, queued: t0.Add(-time.Minute),
		cfg: provisioning.Config{Mode: provisioning.ModeFull}, trigger: triggerDue}
}

func result(mutate func(*provisioning.Result)) *provisioning.Result {
	res := &provisioning.Result{Mode: provisioning.ModeFull, SourceComplete: true, InSync: true,
		UserCounts:  provisioning.UserCounts{InScope: 10, Synced: 10, Managed: 10, Active: 10},
		GroupCounts: provisioning.GroupCounts{Wanted: 1, Pushed: 1, Existing: 1, InTarget: 3, Cap: 1000}}
	if mutate != nil {
		mutate(res)
		res.InSync = res.Gap == (provisioning.SyncGap{}) && !res.DryRun
	}
	return res
}

func obsWith(mutate func(*observation)) observation {
	o := observation{now: t0, generation: 1, interval: 10 * time.Minute, redact: func(s string) string { return s }}
	mutate(&o)
	return o
}

type wantStatus struct {
	ready, synced, reconciling, stalled string // "Status/Reason"; stalled "" = absent
	kstatus                             status.Status
}

func TestComputeStatus(t *testing.T) {
	credErr := func(reason string) *credentialError { return &credentialError{Reason: reason, Message: "x"} }
	failedCheck := func(reason string) *verification {
		return &verification{okta: endCheck{identityv1alpha1.ReasonVerified, "ok"}, target: endCheck{reason, "refused"}}
	}
	tests := []struct {
		name string
		prev identityv1alpha1.DirectoryIntegrationStatus
		obs  observation
		want wantStatus
	}{
		{"first reconcile, waiting for groups", identityv1alpha1.DirectoryIntegrationStatus{},
			obsWith(func(o *observation) { o.waitingForGroups = true }),
			wantStatus{"False/Pending", "False/Pending", "True/Pending", "", status.InProgressStatus}},
		{"healthy", verified(),
			obsWith(func(o *observation) { o.finished = finished(result(nil), nil); o.nextSync = t0.Add(10 * time.Minute) }),
			wantStatus{"True/Synced", "True/Synced", "False/Idle", "", status.CurrentStatus}},
		{"cycle queued", verified(),
			obsWith(func(o *observation) { o.job = &jobView{state: jobQueued, position: 2} }),
			wantStatus{"True/Synced", "True/Synced", "True/CycleQueued", "", status.InProgressStatus}},
		{"cycle running", verified(),
			obsWith(func(o *observation) { o.job = &jobView{state: jobRunning} }),
			wantStatus{"True/Synced", "True/Synced", "True/CycleRunning", "", status.InProgressStatus}},
		{"changes held", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) {
					r.Gap.Held = 4
					r.Held = &provisioning.HeldSet{ID: "p1", Reason: "4 exceed", Changes: make([]provisioning.HeldChange, 4)}
				}), nil)
			}),
			wantStatus{"False/ChangesHeld", "False/ChangesHeld", "False/Idle", "True/ChangesHeld", status.FailedStatus}},
		{"objects failing", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) { r.Gap.Pending = 1; r.UserCounts.Synced = 9; r.UserCounts.Deferred = 1 }), nil)
			}),
			wantStatus{"False/ObjectsFailing", "False/ObjectsFailing", "True/RetryScheduled", "", status.InProgressStatus}},
		{"group cap reached", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) { r.Gap.Capped = 1; r.GroupCounts.Capped = 1 }), nil)
			}),
			wantStatus{"False/GroupCapReached", "False/GroupCapReached", "False/Idle", "True/GroupCapReached", status.FailedStatus}},
		{"source incomplete", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) { r.Gap.SourceIncomplete = true }), nil)
			}),
			wantStatus{"False/SourceIncomplete", "False/SourceIncomplete", "True/RetryScheduled", "", status.InProgressStatus}},
		{"target list cut short", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(nil, fmt.Errorf("%w: %w", provisioning.ErrTargetIncomplete, scim.ErrIncomplete))
			}),
			wantStatus{"False/TargetIncomplete", "False/TargetIncomplete", "True/RetryScheduled", "", status.InProgressStatus}},
		{"dry run", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) { r.DryRun = true; r.Gap.Pending = 3 }), nil)
			}),
			wantStatus{"True/DryRun", "False/DryRun", "False/Idle", "", status.CurrentStatus}},
		{"Secret missing", verified(),
			obsWith(func(o *observation) {
				o.oktaCredential = credErr(identityv1alpha1.ReasonSecretNotFound)
				o.processed = true
			}),
			wantStatus{"False/SecretNotFound", "True/Synced", "False/Idle", "True/SecretNotFound", status.FailedStatus}},
		{"invalid configuration", identityv1alpha1.DirectoryIntegrationStatus{},
			obsWith(func(o *observation) {
				o.oktaCredential = credErr(identityv1alpha1.ReasonInvalidConfig)
				o.processed = true
			}),
			wantStatus{"False/InvalidConfiguration", "False/Pending", "False/Idle", "True/InvalidConfiguration", status.FailedStatus}},
		{"invalid mapping", verified(),
			obsWith(func(o *observation) {
				o.invalidMapping = "attributeMapping title: ERROR: <input>:1:5: undeclared reference to 'usr'"
				o.processed, o.clearNextSync = true, true
			}),
			wantStatus{"False/InvalidMapping", "True/Synced", "False/Idle", "True/InvalidMapping", status.FailedStatus}},
		{"unauthorized", verified(),
			obsWith(func(o *observation) {
				o.verification = failedCheck(identityv1alpha1.ReasonUnauthorized)
				o.processed = true
			}),
			wantStatus{"False/Unauthorized", "True/Synced", "False/Idle", "True/Unauthorized", status.FailedStatus}},
		{"forbidden", verified(),
			obsWith(func(o *observation) {
				o.verification = failedCheck(identityv1alpha1.ReasonForbidden)
				o.processed = true
			}),
			wantStatus{"False/Forbidden", "True/Synced", "False/Idle", "True/Forbidden", status.FailedStatus}},
		{"token revoked during a cycle", verified(),
			obsWith(func(o *observation) {
				o.finished = finished(result(func(r *provisioning.Result) {
					r.TargetAuthErr = &scim.Error{Status: 401, Op: "users.create", Method: "POST", Path: "/Users"}
					r.Gap.Pending = 5
				}), nil)
			}),
			wantStatus{"False/Unauthorized", "False/ObjectsFailing", "False/Idle", "True/Unauthorized", status.FailedStatus}},
		{"unreachable", verified(),
			obsWith(func(o *observation) {
				o.verification = failedCheck(identityv1alpha1.ReasonUnreachable)
				o.processed = true
			}),
			wantStatus{"False/Unreachable", "True/Synced", "True/RetryScheduled", "", status.InProgressStatus}},
		{"duplicate target", identityv1alpha1.DirectoryIntegrationStatus{},
			obsWith(func(o *observation) {
				o.duplicateOf = "DirectoryIntegration a already provisions it"
				o.processed = true
			}),
			wantStatus{"False/DuplicateTarget", "False/Pending", "False/Idle", "True/DuplicateTarget", status.FailedStatus}},
		{"suspended", verified(),
			obsWith(func(o *observation) { o.suspended, o.processed, o.clearNextSync = true, true, true }),
			// kstatus has no notion of a pause: Ready False reads as in progress.
			wantStatus{"False/Suspended", "True/Synced", "False/Suspended", "", status.InProgressStatus}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := computeStatus(&tt.prev, tt.obs)
			got := wantStatus{
				ready:       condition(st.Conditions, identityv1alpha1.ConditionReady),
				synced:      condition(st.Conditions, identityv1alpha1.ConditionSynced),
				reconciling: condition(st.Conditions, identityv1alpha1.ConditionReconciling),
				stalled:     condition(st.Conditions, identityv1alpha1.ConditionStalled),
				kstatus:     kstatusOf(t, st),
			}
			if got != tt.want {
				t.Errorf("status:\n got  %+v\n want %+v\n%s", got, tt.want, conditionText(st.Conditions))
			}
		})
	}
}

func TestComputeStatusRecordsTheCycle(t *testing.T) {
	prev := verified()
	res := result(func(r *provisioning.Result) {
		r.Gap.Pending, r.Gap.Held = 1, 2
		r.UserCounts.Synced, r.UserCounts.Failed = 8, 1
		r.Counts = provisioning.Counts{Created: 3, Failures: 1}
		r.Failures = []provisioning.Failure{{Kind: "User", Name: "bad@example.com", Action: provisioning.ActionCreate, Err: errors.New("400 invalid")}}
		r.OutOfSync = []provisioning.OutOfSync{{Kind: "User", Name: "bad@example.com", Reason: "Create failed: 400 invalid"}}
		r.Held = &provisioning.HeldSet{ID: "p1", Reason: "held: 1 deactivations", Since: t0.Add(-time.Minute),
			Changes: []provisioning.HeldChange{{Action: provisioning.ActionDeactivate, Kind: "User", Name: "x"}, {Action: provisioning.ActionRemoveMembers, Kind: "Group", Name: "g"}}}
		r.ApprovalConsumed = "p0"
	})
	j := finished(res, nil)
	j.requested, j.generation = "now", 2
	st := computeStatus(&prev, obsWith(func(o *observation) { o.finished = j; o.generation = 2 }))
	if st.ObservedGeneration != 2 || st.LastHandledReconcileAt != "now" || st.LastApprovedPlanID != "p0" {
		t.Errorf("handled: %+v", st)
	}
	if st.Users.Synced != 8 || st.Users.InScope != 10 || st.UsersSummary != "8/10" || st.GroupsSummary != "1/1" || st.Groups.Cap != 1000 {
		t.Errorf("counts: %+v %+v %s %s", st.Users, st.Groups, st.UsersSummary, st.GroupsSummary)
	}
	if h := st.HeldDeactivations; h == nil || h.Count != 2 || h.Deactivations != 1 || h.MemberRemovals != 1 {
		t.Errorf("held: %+v", h)
	}
	if len(st.OutOfSync) != 1 || st.LastSync.Failures != 1 || len(st.LastSync.FailureSample) != 1 || st.LastFullSyncTime == nil {
		t.Errorf("reports: %+v %+v", st.OutOfSync, st.LastSync)
	}
	if st.LastSuccessfulSyncTime != nil {
		t.Error("a cycle out of sync is not a successful sync")
	}
	msg := meta.FindStatusCondition(st.Conditions, identityv1alpha1.ConditionSynced).Message
	for _, part := range []string{"8 of 10 users", "2 changes wait for approval", "1 user failed", "bad@example.com"} {
		if !strings.Contains(msg, part) {
			t.Errorf("Synced message %q lacks %q", msg, part)
		}
	}

	// A failed cycle keeps the counts and says why; a cancelled one changes nothing.
	failed := computeStatus(&st, obsWith(func(o *observation) { o.finished = finished(nil, errors.New("listing users: 500")) }))
	if failed.Users.Synced != 8 || condition(failed.Conditions, identityv1alpha1.ConditionSynced) != "False/SyncFailed" {
		t.Errorf("failed cycle: %+v", failed)
	}
	c := finished(result(nil), nil)
	c.cancelled = "spec changed"
	if again := computeStatus(&failed, obsWith(func(o *observation) { o.finished = c })); condition(again.Conditions, identityv1alpha1.ConditionSynced) != "False/SyncFailed" {
		t.Error("a cancelled cycle must not be folded in")
	}
}

func TestComputeStatusRedactsServerText(t *testing.T) {
	prev := verified()
	o := obsWith(func(o *observation) {
		o.redact = func(s string) string { return strings.ReplaceAll(s, "s3cret", "[REDACTED]") }
		o.finished = finished(nil, errors.New("Invalid token provided: SSWS s3cret"))
	})
	st := computeStatus(&prev, o)
	for _, c := range st.Conditions {
		if strings.Contains(c.Message, "s3cret") {
			t.Errorf("%s carries the token: %s", c.Type, c.Message)
		}
	}
}

func kstatusOf(t *testing.T, st identityv1alpha1.DirectoryIntegrationStatus) status.Status {
	t.Helper()
	di := &identityv1alpha1.DirectoryIntegration{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "ns", Generation: 1}, Status: st}
	di.SetGroupVersionKind(identityv1alpha1.GroupVersion.WithKind("DirectoryIntegration"))
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(di)
	if err != nil {
		t.Fatal(err)
	}
	if st.ObservedGeneration == 0 {
		// The API server defaults it; the converter drops the zero value.
		_ = unstructured.SetNestedField(obj, int64(0), "status", "observedGeneration")
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: obj})
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

func condition(conds []metav1.Condition, typ string) string {
	c := meta.FindStatusCondition(conds, typ)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}

func conditionText(conds []metav1.Condition) string {
	var b strings.Builder
	for _, c := range conds {
		fmt.Fprintf(&b, "  %s=%s/%s: %s\n", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}
