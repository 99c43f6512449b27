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

// WaitIntegrationReady polls until the integration's Ready condition is True.
func WaitIntegrationReady(ctx context.Context, c client.Client, di *identityv1alpha1.DirectoryIntegration) error {
	return waitReady(ctx, c, di, func() []metav1.Condition { return di.Status.Conditions })
}

// WaitGroupReady polls until the group's Ready condition is True.
func WaitGroupReady(ctx context.Context, c client.Client, pg *identityv1alpha1.ProvisionedGroup) error {
	return waitReady(ctx, c, pg, func() []metav1.Condition { return pg.Status.Conditions })
}

func waitReady(ctx context.Context, c client.Client, obj client.Object, conditions func() []metav1.Condition) error {
	key := client.ObjectKeyFromObject(obj)
	var last string
	for {
		if err := c.Get(ctx, key, obj); err == nil {
			cond := meta.FindStatusCondition(conditions(), identityv1alpha1.ConditionReady)
			if cond != nil && cond.Status == "True" {
				return nil
			}
			if cond != nil {
				last = fmt.Sprintf("%s: %s", cond.Reason, cond.Message)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%T %s not Ready (last: %q): %w", obj, key, last, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
