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
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// The finalizer writes are bounded too.
func TestFinalizerWritesHaveATimeout(t *testing.T) {
	defer func(d time.Duration) { statusWriteTimeout = d }(statusWriteTimeout)
	statusWriteTimeout = 100 * time.Millisecond

	scheme := runtime.NewScheme()
	if err := identityv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	pg := pgFixture("g", t0, nil)
	pg.Spec.Push, pg.Spec.DeletionPolicy = true, identityv1alpha1.DeletionPolicyDelete
	hung := interceptor.Funcs{Patch: func(ctx context.Context, _ client.WithWatch, _ client.Object, _ client.Patch, _ ...client.PatchOption) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(&pg).WithInterceptorFuncs(hung).Build()
	r := &ProvisionedGroupReconciler{Client: c}
	for name, write := range map[string]func() error{
		"add":     func() error { return r.reconcileFinalizer(context.Background(), pg.DeepCopy()) },
		"release": func() error { return r.releaseFinalizer(context.Background(), pg.DeepCopy()) },
	} {
		done := make(chan error, 1)
		go func() { done <- write() }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: a hung write reported success", name)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the finalizer write hung with the API server", name)
		}
	}
}
