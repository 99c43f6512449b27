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
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/event"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// A hung API server must not pin a worker: every write has a timeout, also
// the push status written after a cycle (which ignores the reconcile's
// cancellation so a finished cycle's result is recorded).
func TestPushStatusWriteHasATimeout(t *testing.T) {
	defer func(d time.Duration) { statusWriteTimeout = d }(statusWriteTimeout)
	statusWriteTimeout = 100 * time.Millisecond

	scheme := runtime.NewScheme()
	if err := identityv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	pg := pgFixture("g", t0, nil)
	hung := interceptor.Funcs{SubResourceApply: func(ctx context.Context, _ client.Client, _ string, _ runtime.ApplyConfiguration, _ ...client.SubResourceApplyOption) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(&pg).WithInterceptorFuncs(hung).Build()
	r := &DirectoryIntegrationReconciler{Client: c, Recorder: events.NewFakeRecorder(10), shared: &sharedState{hints: newGroupHints(),
		groupEvents: make(chan event.GenericEvent, 1)}}
	s := &integrationScope{di: &identityv1alpha1.DirectoryIntegration{}, groups: []identityv1alpha1.ProvisionedGroup{pg}, state: &integrationState{}}
	cfg := provisioning.Config{Groups: []provisioning.GroupConfig{{Key: "ns/g", OktaID: "00gg", OktaName: "g", Push: true}}}
	res := &provisioning.Result{Groups: map[string]provisioning.GroupResult{"ns/g": {Key: "ns/g", OktaName: "g", Pushed: true, TargetID: "t"}}}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the reconcile's own context is gone already
	done := make(chan struct{})
	go func() { r.reportGroups(ctx, s, cfg, res, t0); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writing the push status hung with the API server")
	}
}
