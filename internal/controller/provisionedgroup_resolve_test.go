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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
)

func TestLookupOutcome(t *testing.T) {
	const retry = 5 * time.Minute
	redact := func(s string) string { return strings.ReplaceAll(s, "s3cret", "[redacted]") }
	earlier := resolution{id: "00g1", name: "Eng"}
	byName := identityv1alpha1.OktaGroupReference{Name: "Eng"}
	leak := func(err error) error { return fmt.Errorf("%w: token s3cret", err) }
	tests := []struct {
		name    string
		res     resolution
		g       okta.Group
		err     error
		status  metav1.ConditionStatus
		reason  string
		id      string
		requeue time.Duration
		fails   bool
	}{
		{name: "found", g: okta.Group{ID: "00g2", Profile: okta.GroupProfile{Name: "Eng"}},
			status: metav1.ConditionTrue, reason: identityv1alpha1.ReasonResolved, id: "00g2"},
		{name: "a renamed group keeps its id", res: earlier, err: okta.ErrNotFound,
			status: metav1.ConditionTrue, reason: identityv1alpha1.ReasonResolved, id: "00g1"},
		{name: "not found is looked for again later", err: okta.ErrNotFound,
			status: metav1.ConditionFalse, reason: identityv1alpha1.ReasonGroupNotFound, requeue: retry},
		{name: "bad credentials keep an earlier resolution", res: earlier, err: leak(okta.ErrUnauthorized),
			status: metav1.ConditionTrue, reason: identityv1alpha1.ReasonResolved, id: "00g1"},
		{name: "bad credentials wait without one", err: leak(okta.ErrForbidden),
			status: metav1.ConditionFalse, reason: identityv1alpha1.ReasonPending},
		{name: "an ambiguous name is looked for again later", err: leak(okta.ErrAmbiguous),
			status: metav1.ConditionFalse, reason: identityv1alpha1.ReasonGroupAmbiguous, requeue: retry},
		{name: "another failure is returned", err: leak(errors.New("connection reset")),
			status: metav1.ConditionUnknown, reason: identityv1alpha1.ReasonPending, fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, requeue, err := lookupOutcome(3, tt.res, byName, tt.g, tt.err, retry, redact)
			c := res.cond
			if c.Type != identityv1alpha1.ConditionResolved || c.Status != tt.status || c.Reason != tt.reason || c.ObservedGeneration != 3 {
				t.Errorf("condition %+v, want %s/%s at generation 3", c, tt.status, tt.reason)
			}
			if res.id != tt.id || requeue != tt.requeue || (err != nil) != tt.fails {
				t.Errorf("id %q requeue %v err %v; want %q, %v, failing %v", res.id, requeue, err, tt.id, tt.requeue, tt.fails)
			}
			for _, text := range []string{c.Message, fmt.Sprint(err)} {
				if strings.Contains(text, "s3cret") {
					t.Errorf("credential in %q", text)
				}
			}
		})
	}
}
