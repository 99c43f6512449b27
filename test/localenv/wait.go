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

package localenv

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// WaitIntegrationReady polls until the integration is Ready and Synced: a
// cycle that ran before its groups were resolved is Ready but not Synced.
func WaitIntegrationReady(ctx context.Context, c client.Client, di *identityv1alpha1.DirectoryIntegration) error {
	return waitTrue(ctx, c, di, func() []metav1.Condition { return di.Status.Conditions },
		identityv1alpha1.ConditionReady, identityv1alpha1.ConditionSynced)
}

// WaitGroupReady polls until the group's Ready condition is True.
func WaitGroupReady(ctx context.Context, c client.Client, pg *identityv1alpha1.ProvisionedGroup) error {
	return waitTrue(ctx, c, pg, func() []metav1.Condition { return pg.Status.Conditions }, identityv1alpha1.ConditionReady)
}

// waitTrue polls until every named condition of obj is True.
func waitTrue(ctx context.Context, c client.Client, obj client.Object, conditions func() []metav1.Condition, types ...string) error {
	return poll(ctx, c, obj, func() (bool, string) {
		for _, t := range types {
			cond := meta.FindStatusCondition(conditions(), t)
			if cond == nil {
				return false, t + " not reported"
			}
			if cond.Status != metav1.ConditionTrue {
				return false, fmt.Sprintf("%s %s: %s", t, cond.Reason, cond.Message)
			}
		}
		return true, ""
	})
}

// WaitIntegrationUsers polls until the integration reports n managed users,
// so that what is printed comes from the cycle that pushed the groups.
func WaitIntegrationUsers(ctx context.Context, c client.Client, di *identityv1alpha1.DirectoryIntegration, n int32) error {
	return poll(ctx, c, di, func() (bool, string) {
		if di.Status.Users == nil {
			return false, "no user count yet"
		}
		return di.Status.Users.Managed == n, fmt.Sprintf("%d users, want %d", di.Status.Users.Managed, n)
	})
}

// poll reads obj every 250ms until done, judging the freshly read object,
// reports true; on timeout the error carries done's last explanation.
func poll(ctx context.Context, c client.Client, obj client.Object, done func() (bool, string)) error {
	key := client.ObjectKeyFromObject(obj)
	var last string
	for {
		if err := c.Get(ctx, key, obj); err == nil {
			var ok bool
			if ok, last = done(); ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%T %s: %s: %w", obj, key, last, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
