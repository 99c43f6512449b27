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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

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
