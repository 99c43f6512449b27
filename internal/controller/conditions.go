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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/check"
)

// maxConditionMessage is the API's bound on a condition message.
const maxConditionMessage = 32768

// conditions sets the conditions of one status at one instant, keeping
// lastTransitionTime when a condition's status does not change. It only edits
// the list in memory: an integration's conditions reach the API server in the
// one merge patch of its status (patchStatus), a ProvisionedGroup's through
// server-side apply, each field manager applying the types it owns
// (groupApply, pushApply).
type conditions struct {
	list *[]metav1.Condition
	now  time.Time
	gen  int64
}

func (c conditions) set(typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(c.list, metav1.Condition{Type: typ, Status: status, Reason: reason,
		Message: truncate(msg, maxConditionMessage), ObservedGeneration: c.gen, LastTransitionTime: metav1.NewTime(c.now.Truncate(time.Second))})
}

// setBool sets a condition True or False.
func (c conditions) setBool(typ string, ok bool, reason, msg string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	c.set(typ, status, reason, msg)
}

func (c conditions) remove(typ string) { meta.RemoveStatusCondition(c.list, typ) }

func (c conditions) get(typ string) *metav1.Condition { return meta.FindStatusCondition(*c.list, typ) }

func conditionTrue(conds []metav1.Condition, typ string) bool {
	return meta.IsStatusConditionTrue(conds, typ)
}

// verifyReasons maps the clients' check outcomes to condition reasons; an
// outcome not listed (a generic error) counts as unreachable.
var verifyReasons = map[check.Reason]string{
	check.OK:              identityv1alpha1.ReasonVerified,
	check.Unauthorized:    identityv1alpha1.ReasonUnauthorized,
	check.Forbidden:       identityv1alpha1.ReasonForbidden,
	check.DPoPRequired:    identityv1alpha1.ReasonDPoPRequired,
	check.TLSError:        identityv1alpha1.ReasonTLSError,
	check.NotSCIMEndpoint: identityv1alpha1.ReasonNotSCIMEndpoint,
}

// verifyReason maps either client's check outcome to a condition reason.
func verifyReason(r check.Reason) string {
	if reason, ok := verifyReasons[r]; ok {
		return reason
	}
	return identityv1alpha1.ReasonUnreachable
}
