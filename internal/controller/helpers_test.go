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
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	base := scheduleInput{
		Now: t0, SyncInterval: 10 * time.Minute, FullResyncInterval: 24 * time.Hour, MinGap: 30 * time.Second,
		NextSync: t0.Add(5 * time.Minute), LastFullSync: t0.Add(-time.Hour), LastAttempt: t0.Add(-5 * time.Minute),
	}
	tests := []struct {
		name    string
		mutate  func(*scheduleInput)
		run     bool
		trigger string
		mode    provisioning.Mode
		requeue time.Duration
	}{
		{"idle waits for the next sync", nil, false, triggerDue, provisioning.ModeIncremental, 5 * time.Minute},
		{"due runs incremental", func(in *scheduleInput) { in.NextSync = t0 }, true, triggerDue, provisioning.ModeIncremental, 0},
		{"full resync elapsed", func(in *scheduleInput) { in.NextSync = t0; in.LastFullSync = t0.Add(-25 * time.Hour) }, true, triggerDue, provisioning.ModeFull, 0},
		{"never fully synced", func(in *scheduleInput) { in.NextSync = t0; in.LastFullSync = time.Time{} }, true, triggerDue, provisioning.ModeFull, 0},
		{"generation change runs full at once", func(in *scheduleInput) { in.GenerationChanged = true }, true, triggerGeneration, provisioning.ModeFull, 0},
		{"trigger annotation", func(in *scheduleInput) { in.Requested = true }, true, triggerRequested, provisioning.ModeIncremental, 0},
		{"full-sync annotation runs full at once", func(in *scheduleInput) { in.FullRequested = true }, true, triggerFullSync, provisioning.ModeFull, 0},
		{"approval", func(in *scheduleInput) { in.ApprovalPending = true }, true, triggerApproval, provisioning.ModeIncremental, 0},
		{"rotated Secret runs full", func(in *scheduleInput) { in.ClientsChanged = true }, true, triggerClients, provisioning.ModeFull, 0},
		{"groups changed", func(in *scheduleInput) { in.GroupsChanged = true }, true, triggerGroups, provisioning.ModeIncremental, 0},
		{"minimum gap delays a trigger", func(in *scheduleInput) { in.Requested = true; in.LastAttempt = t0.Add(-10 * time.Second) },
			false, triggerRequested, provisioning.ModeIncremental, 20 * time.Second},
		{"failure backoff delays automatic triggers", func(in *scheduleInput) {
			in.GroupsChanged = true
			in.Failures = 3
			in.LastAttempt = t0.Add(-40 * time.Second)
		}, false, triggerGroups, provisioning.ModeIncremental, 80 * time.Second},
		{"first cycle", func(in *scheduleInput) {
			in.NeverSynced = true
			in.NextSync = time.Time{}
			in.LastAttempt = time.Time{}
		},
			true, triggerFirst, provisioning.ModeIncremental, 0},
		{"overdue after restart waits for its spread", func(in *scheduleInput) {
			in.NextSync = t0.Add(-time.Hour)
			in.LastAttempt = time.Time{}
			in.StartupNotBefore = t0.Add(7 * time.Second)
		}, false, triggerDue, provisioning.ModeIncremental, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			if tt.mutate != nil {
				tt.mutate(&in)
			}
			d := decide(in)
			if d.Run != tt.run || d.Trigger != tt.trigger || d.Mode != tt.mode || d.RequeueAfter != tt.requeue {
				t.Errorf("decide() = %+v, want run=%t trigger=%s mode=%s requeue=%s", d, tt.run, tt.trigger, tt.mode, tt.requeue)
			}
		})
	}
}

func TestBackoffAndNextSync(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {10, 10 * time.Minute}} {
		if got := backoff(tt.failures, 30*time.Second, 10*time.Minute); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.failures, got, tt.want)
		}
	}
	for range 50 {
		n := nextSync(t0, true, 0, 10*time.Minute, 30*time.Second)
		if n.Before(t0.Add(10*time.Minute)) || !n.Before(t0.Add(11*time.Minute)) {
			t.Fatalf("nextSync = %s, want within [10m, 11m) of the end", n.Sub(t0))
		}
	}
	if n := nextSync(t0, false, 2, 10*time.Minute, 30*time.Second); n != t0.Add(time.Minute) {
		t.Errorf("nextSync after 2 failures = %s, want 1m", n.Sub(t0))
	}
	if a, b := startupSpread("ns/a", time.Minute), startupSpread("ns/a", time.Minute); a != b || a >= time.Minute {
		t.Errorf("startupSpread not stable or out of range: %s %s", a, b)
	}
}

func pgFixture(name string, created time.Time, mutate func(*identityv1alpha1.ProvisionedGroup)) identityv1alpha1.ProvisionedGroup {
	pg := identityv1alpha1.ProvisionedGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: 1, CreationTimestamp: metav1.NewTime(created)},
		Spec: identityv1alpha1.ProvisionedGroupSpec{IntegrationRef: identityv1alpha1.LocalObjectReference{Name: "okta"},
			OktaGroup: identityv1alpha1.OktaGroupReference{Name: name}, AssignMembers: true, Push: true,
			DeletionPolicy: identityv1alpha1.DeletionPolicyRetain},
		Status: identityv1alpha1.ProvisionedGroupStatus{OktaGroupID: "00g" + name, OktaGroupName: name},
	}
	if mutate != nil {
		mutate(&pg)
	}
	return pg
}

func TestBuildConfig(t *testing.T) {
	di := &identityv1alpha1.DirectoryIntegration{Spec: identityv1alpha1.DirectoryIntegrationSpec{
		Target:       identityv1alpha1.SCIMTarget{Profile: identityv1alpha1.TargetProfileGeneric, MaxGroups: ptr.To[int32](200)},
		Provisioning: identityv1alpha1.ProvisioningSettings{DeactivateUsers: ptr.To(false)},
		Assignments:  identityv1alpha1.Assignments{People: []string{"a@example.com"}},
		Safety:       identityv1alpha1.SafetySettings{MaxDeactivations: ptr.To[int32](0)},
		DryRun:       true,
	}}
	now := metav1.NewTime(t0)
	pgs := []identityv1alpha1.ProvisionedGroup{
		pgFixture("pushed", t0, func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Status.TargetGroupID = "t1"
			pg.Status.PushedMembers = ptr.To[int32](7)
			pg.Spec.TargetDisplayName = "Pushed In Target"
		}),
		pgFixture("unresolved-assign", t0, func(pg *identityv1alpha1.ProvisionedGroup) { pg.Status = identityv1alpha1.ProvisionedGroupStatus{} }),
		pgFixture("unresolved-push", t0, func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.AssignMembers = false
			pg.Status = identityv1alpha1.ProvisionedGroupStatus{}
		}),
		pgFixture("deleting", t0, func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.DeletionTimestamp = &now
			pg.Finalizers = []string{groupFinalizer}
			pg.Spec.DeletionPolicy = identityv1alpha1.DeletionPolicyDelete
			pg.Status.TargetGroupID = "t2"
		}),
		pgFixture("leaving-retain", t0, func(pg *identityv1alpha1.ProvisionedGroup) { pg.DeletionTimestamp = &now }),
		pgFixture("stalled", t0, nil),
	}
	stalled := map[types.NamespacedName]string{{Namespace: "ns", Name: "stalled"}: "dup"}
	cfg := buildConfig(di, &di.Status, pgs, stalled, provisioning.ModeIncremental, "plan-1")

	if cfg.Profile != provisioning.ProfileGeneric || cfg.MaxGroups != 200 || !cfg.CreateUsers || !cfg.UpdateUsers || cfg.DeactivateUsers {
		t.Errorf("settings mapped wrong: %+v", cfg)
	}
	if cfg.MaxDeactivations != 0 || cfg.MaxDeactivationPercent != defaultMaxDeactivationPct || cfg.DeactivationFloor != defaultDeactivationFloor || !cfg.DryRun ||
		cfg.ApprovedPlanID != "plan-1" || cfg.Mode != provisioning.ModeIncremental {
		t.Errorf("safety, dry run, approval or mode mapped wrong: %+v", cfg)
	}
	if cfg.Mapping.UserName != "login" || cfg.Mapping.DisplayName != "displayName" || !slices.Equal(cfg.People, []string{"a@example.com"}) {
		t.Errorf("mapping or people wrong: %+v", cfg)
	}
	want := []provisioning.GroupConfig{
		{Key: "ns/deleting", OktaID: "00gdeleting", OktaName: "deleting", Push: true, TargetID: "t2", Deleting: true},
		{Key: "ns/pushed", OktaID: "00gpushed", OktaName: "pushed", Assign: true, Push: true, TargetName: "Pushed In Target", TargetID: "t1", BaselineMembers: 7},
		// A duplicate that assigns members stays in the scope, blocked, so
		// its members are not deactivated because it dropped out.
		{Key: "ns/stalled", OktaID: "00gstalled", OktaName: "stalled", Assign: true, Blocked: "it is stalled as a duplicate: dup"},
		{Key: "ns/unresolved-assign", Assign: true, Push: true},
	}
	if !slices.Equal(cfg.Groups, want) {
		t.Errorf("groups =\n%+v\nwant\n%+v", cfg.Groups, want)
	}
}

func TestDuplicateGroups(t *testing.T) {
	pgs := []identityv1alpha1.ProvisionedGroup{
		pgFixture("young-same-okta", t0.Add(2*time.Second), func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.OktaGroup.Name = "first"
			pg.Status.OktaGroupID = "00gfirst"
			pg.Spec.TargetDisplayName = "Other Name"
		}),
		pgFixture("first", t0, nil),
		pgFixture("same-target", t0.Add(time.Second), func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.TargetDisplayName = "FIRST" }),
		pgFixture("assign-only-same-name", t0.Add(time.Second), func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.Push = false
			pg.Spec.OktaGroup.Name = "another"
		}),
		pgFixture("unrelated", t0.Add(3*time.Second), nil),
	}
	got := duplicateGroups(pgs)
	if len(got) != 2 {
		t.Fatalf("duplicates = %v, want young-same-okta and same-target", got)
	}
	if msg := got[types.NamespacedName{Namespace: "ns", Name: "young-same-okta"}]; !strings.Contains(msg, `"first"`) {
		t.Errorf("young-same-okta: %q", msg)
	}
	if msg := got[types.NamespacedName{Namespace: "ns", Name: "same-target"}]; !strings.Contains(msg, "pushes target group") {
		t.Errorf("same-target: %q", msg)
	}
}

func TestPushStatus(t *testing.T) {
	pg := pgFixture("g", t0, nil)
	g := provisioning.GroupConfig{Key: "ns/g", OktaID: "00gg", OktaName: "G", Push: true}
	ok := desiredPushStatus(&pg, g, provisioning.GroupResult{Key: "ns/g", Pushed: true, TargetID: "t", TargetName: "G", Members: 3, PushedMembers: 3, LastPushTime: t0}, t0)
	if ok.Pushed.Status != metav1.ConditionTrue || ok.TargetGroupID != "t" || *ok.PushedMembers != 3 {
		t.Errorf("pushed: %+v", ok)
	}
	if !pushStatusChanged(currentPushStatus(&pg), ok) {
		t.Error("a first push must be written")
	}
	pg.Status.Conditions = []metav1.Condition{*ok.Pushed}
	pg.Status.TargetGroupID, pg.Status.Members, pg.Status.PushedMembers, pg.Status.SkippedMembers = "t", ptr.To[int32](3), ptr.To[int32](3), ptr.To[int32](0)
	pg.Status.LastPushTime = ok.LastPushTime
	again := desiredPushStatus(&pg, g, provisioning.GroupResult{Key: "ns/g", Pushed: true, TargetID: "t", TargetName: "G", Members: 3, PushedMembers: 3, LastPushTime: t0.Add(time.Hour)}, t0.Add(time.Hour))
	if pushStatusChanged(currentPushStatus(&pg), again) {
		t.Error("only lastPushTime moved: nothing must be written")
	}

	for _, tt := range []struct {
		name   string
		g      provisioning.GroupConfig
		r      provisioning.GroupResult
		reason string
	}{
		{"deleted", provisioning.GroupConfig{Push: true, Deleting: true}, provisioning.GroupResult{Deleted: true}, identityv1alpha1.ReasonDeleted},
		{"delete failed", provisioning.GroupConfig{Push: true, Deleting: true}, provisioning.GroupResult{TargetID: "t", Err: errors.New("500")}, identityv1alpha1.ReasonPushFailed},
		{"cap", provisioning.GroupConfig{Push: true}, provisioning.GroupResult{CapBlocked: true}, identityv1alpha1.ReasonGroupCapReached},
		{"failed", provisioning.GroupConfig{Push: true}, provisioning.GroupResult{Err: errors.New("400")}, identityv1alpha1.ReasonPushFailed},
		{"held", provisioning.GroupConfig{Push: true}, provisioning.GroupResult{RemovalsHeld: 2}, identityv1alpha1.ReasonChangesHeld},
		{"pending", provisioning.GroupConfig{Push: true}, provisioning.GroupResult{}, identityv1alpha1.ReasonPending},
	} {
		ps := desiredPushStatus(&pg, tt.g, tt.r, t0)
		if ps.Pushed == nil || ps.Pushed.Reason != tt.reason || ps.Pushed.Status != metav1.ConditionFalse {
			t.Errorf("%s: %+v", tt.name, ps.Pushed)
		}
	}
	if ps := desiredPushStatus(&pg, provisioning.GroupConfig{Assign: true}, provisioning.GroupResult{Members: 4}, t0); ps.Pushed != nil || *ps.Members != 4 {
		t.Errorf("assign-only: %+v", ps)
	}
}

func TestSecretNamesAndKeys(t *testing.T) {
	di := &identityv1alpha1.DirectoryIntegration{Spec: identityv1alpha1.DirectoryIntegrationSpec{
		Okta: identityv1alpha1.OktaSource{OAuth: &identityv1alpha1.OktaOAuth{PrivateKeySecretRef: identityv1alpha1.SecretKeySelector{Name: "key"}}},
		Target: identityv1alpha1.SCIMTarget{TokenSecretRef: identityv1alpha1.SecretKeySelector{Name: "scim"},
			CABundleSecretRef: &identityv1alpha1.SecretKeySelector{Name: "key"}},
	}}
	if got := secretNames(di); !slices.Equal(got, []string{"key", "scim"}) {
		t.Errorf("secretNames = %v", got)
	}
	if hashKey("a", "bc") == hashKey("ab", "c") {
		t.Error("hashKey must separate its parts")
	}
	if normalizeURL("HTTPS://Api.Example.com/scim/ ") != normalizeURL("https://api.example.com/scim") {
		t.Error("normalizeURL must ignore case and a trailing slash")
	}
}
