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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// The samples' expressions compile as the controller compiles them (the
// API suite applies the same files to a real API server).
func TestSampleMappingsCompile(t *testing.T) {
	files, err := filepath.Glob("../../config/samples/identity_v1alpha1_directoryintegration*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var di identityv1alpha1.DirectoryIntegration
		if err := yaml.UnmarshalStrict(data, &di); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cfg := provisioning.Config{Profile: buildProfile(&di), Mapping: mappingConfig(di.Spec.AttributeMapping), Scope: di.Spec.Scope}
		if err := provisioning.CompileMapping(cfg); err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
		}
	}
}

func TestMappingConfig(t *testing.T) {
	di := &identityv1alpha1.DirectoryIntegration{}
	di.Spec.AttributeMapping = identityv1alpha1.AttributeMapping{
		Constants: map[string]string{"domain": "example.com"},
		Expressions: []identityv1alpha1.AttributeExpression{
			{Target: "emails", Expression: "[user.profile.email]"},
			{Target: "title", Expression: "user.profile.title", ApplyOn: identityv1alpha1.MappingApplyCreate},
		},
	}
	di.Spec.Scope = "true"
	cfg := buildConfig(di, &identityv1alpha1.DirectoryIntegrationStatus{}, nil, nil, provisioning.ModeFull, "")
	m := cfg.Mapping
	if m.UserName != "login" || m.DisplayName != "displayName" || cfg.Scope != "true" || m.Constants["domain"] != "example.com" {
		t.Fatalf("config %+v", cfg)
	}
	if m.Expressions[0].ApplyOn != provisioning.ApplyAlways || m.Expressions[1].ApplyOn != provisioning.ApplyCreate {
		t.Fatalf("applyOn %+v", m.Expressions)
	}
	if !sendsEmails(di) {
		t.Fatal("an emails expression must let the client send emails")
	}
	di.Spec.AttributeMapping.Expressions = di.Spec.AttributeMapping.Expressions[1:]
	if sendsEmails(di) {
		t.Fatal("without sendEmails or an emails expression, emails are not sent")
	}
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
