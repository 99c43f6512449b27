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

package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
)

const namespace = "bench-many"

func integrationName(k int) string { return fmt.Sprintf("tenant-%02d", k) }

// applyIntegrations creates, for every integration, the Secrets, the
// DirectoryIntegration (config/samples with its org and target) and one
// ProvisionedGroup that assigns and pushes its Okta group, in the order
// `kubectl apply -f config/samples` uses.
func applyIntegrations(ctx context.Context, c client.Client, orgs []*org, targets []*target, plans []integrationPlan, interval time.Duration) error {
	samples, err := localenv.LoadSamples()
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if err := c.Create(ctx, secret(fmt.Sprintf("okta-org-%02d", o.plan.Index), o.token)); err != nil {
			return err
		}
	}
	for k, p := range plans {
		name, t, o := integrationName(k), targets[k], orgs[p.Org]
		if err := c.Create(ctx, secret(name+"-scim", t.token)); err != nil {
			return err
		}
		di := samples.Integration.DeepCopy()
		di.ObjectMeta = metav1.ObjectMeta{Name: name, Namespace: namespace}
		di.Spec.DisplayName = name
		di.Spec.SyncInterval = &metav1.Duration{Duration: interval}
		di.Spec.Okta.OrgURL = o.server.URL()
		di.Spec.Okta.APITokenSecretRef = &identityv1alpha1.SecretKeySelector{Name: fmt.Sprintf("okta-org-%02d", p.Org), Key: "token"}
		di.Spec.Target.URL = t.url
		di.Spec.Target.TokenSecretRef = identityv1alpha1.SecretKeySelector{Name: name + "-scim", Key: "token"}
		if err := c.Create(ctx, di); err != nil {
			return err
		}
		pg := samples.Group.DeepCopy()
		pg.ObjectMeta = metav1.ObjectMeta{Name: name + "-users", Namespace: namespace}
		pg.Spec.IntegrationRef.Name = name
		pg.Spec.OktaGroup.Name = o.groups[k]
		if err := c.Create(ctx, pg); err != nil {
			return err
		}
	}
	return nil
}

func secret(name, token string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		StringData: map[string]string{"token": token}}
}
