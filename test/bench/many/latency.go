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
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

const latencyName = "latency"

// latencyLogsLimit is the emulator's System Log bucket, requests per
// minute: Okta's on many orgs.
const latencyLogsLimit = 120

// latencyEnv is what the latency phase starts: the control plane, one
// org, one target, the manager with its Event Hook receiver.
type latencyEnv struct {
	env
	org  *latencyOrg
	hook hookEndpoint
	// hookSecret is the header secret, in the Secret the spec names.
	hookSecret string
}

// runLatency is BENCH_MODE=latency: one integration, changes made in Okta
// one by one, each timed until the target sees it, per mode.
func runLatency(ctx context.Context, root, dir string) error {
	s, err := readLatencySettings()
	if err != nil {
		return err
	}
	e := &latencyEnv{hookSecret: randomToken()}
	defer e.close()
	if err := e.start(ctx, s, dir); err != nil {
		return err
	}
	res, err := e.measure(ctx, s)
	if err != nil {
		return fmt.Errorf("%w; manager log: %s", err, e.mgr.LogPath)
	}
	writeLatencyTable(os.Stdout, res)
	return writeLatencyJSON(filepath.Join(root, s.Out), res)
}

func (e *latencyEnv) start(ctx context.Context, s latencySettings, dir string) error {
	step("latency: one integration × %d users, %d changes per mode (%v apart), modes %v; load average %s",
		s.Users, s.Changes, s.Gap, s.Modes, loadAvg())
	step("building the manager (cmd/main.go)")
	bin, err := localenv.BuildManager(ctx, dir)
	if err != nil {
		return err
	}
	if e.hook, err = newHookEndpoint(dir); err != nil {
		return err
	}
	step("starting the local control plane (kube-apiserver + etcd)")
	if e.cp, err = localenv.StartControlPlane(dir); err != nil {
		return err
	}
	step("starting and seeding the Okta emulator and the SCIM server on 127.0.0.1")
	if e.org, err = startLatencyOrg(s); err != nil {
		return err
	}
	e.orgs = []*org{{server: e.org.server}}
	t, err := startTarget()
	if t != nil && t.server != nil {
		e.targets = append(e.targets, t)
	}
	if err != nil {
		return err
	}
	return e.startManager(ctx, managerSettings(s), bin, dir,
		"--event-hook-bind-address="+e.hook.addr, "--event-hook-cert-dir="+e.hook.certDir)
}

func managerSettings(s latencySettings) settings {
	return settings{TargetRPS: s.TargetRPS, Cycles: 2}
}

// startLatencyOrg seeds the org as a directory that exists before the
// bench (Load writes no System Log events, as a directory created long
// ago would not be in the feed's window): s.Users users in the
// integration's group, and the users outside it the changes add.
func startLatencyOrg(s latencySettings) (*latencyOrg, error) {
	o := &latencyOrg{token: randomToken()}
	srv, err := oktaserver.Start(oktaserver.Options{APIToken: o.token, DefaultRateLimit: s.OktaLimit,
		RateLimits: map[string]int{oktaserver.BucketLogs: latencyLogsLimit}}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o.server = srv
	created := time.Now().Add(-30 * 24 * time.Hour).UTC()
	seed := oktaserver.Seed{Groups: []oktaserver.SeedGroup{{ID: "00glatencystaff00001", Created: created, LastUpdated: created}}}
	seed.Groups[0].Profile.Name = "Staff"
	o.group = seed.Groups[0].ID
	o.ids = make([]string, s.Users+extrasNeeded(len(s.Modes), s.Changes))
	for i := range o.ids {
		o.ids[i] = fmt.Sprintf("00ulat%014d", i)
		login, first := userLogin(i), fmt.Sprintf("User%d", i)
		seed.Users = append(seed.Users, oktaserver.SeedUser{ID: o.ids[i], Status: "ACTIVE", Created: created, LastUpdated: created,
			Profile: map[string]any{"login": login, "email": login, "firstName": first, "lastName": "Latency", "displayName": first + " Latency"}})
		if i < s.Users {
			seed.Groups[0].Members = append(seed.Groups[0].Members, o.ids[i])
		}
	}
	return o, srv.Load(seed)
}

// apply creates the Secrets, the integration (config/samples, thresholds
// opened: the changes deactivate far more than a mass-deactivation
// guard allows, and holding them is not what is measured) and the group.
func (e *latencyEnv) apply(ctx context.Context, s latencySettings) error {
	samples, err := localenv.LoadSamples()
	if err != nil {
		return err
	}
	t := e.targets[0]
	for name, v := range map[string]string{"okta-token": e.org.token, "scim-token": t.token, "okta-hook": e.hookSecret} {
		if err := e.cp.Client.Create(ctx, secret(name, v)); err != nil {
			return err
		}
	}
	di := samples.Integration.DeepCopy()
	di.ObjectMeta = metav1.ObjectMeta{Name: latencyName, Namespace: namespace}
	di.Spec.SyncInterval = &metav1.Duration{Duration: s.SyncInterval}
	di.Spec.Okta.OrgURL = e.org.server.URL()
	di.Spec.Okta.APITokenSecretRef = &identityv1alpha1.SecretKeySelector{Name: "okta-token", Key: "token"}
	di.Spec.Okta.EventHook = &identityv1alpha1.EventHookSettings{SecretRef: identityv1alpha1.SecretKeySelector{Name: "okta-hook", Key: "token"}}
	di.Spec.Target.URL = t.url
	di.Spec.Target.TokenSecretRef = identityv1alpha1.SecretKeySelector{Name: "scim-token", Key: "token"}
	di.Spec.Safety.MaxDeactivations = ptr.To[int32](1_000_000)
	di.Spec.Safety.MaxDeactivationPercent = ptr.To[int32](100)
	if err := e.cp.Client.Create(ctx, di); err != nil {
		return err
	}
	pg := samples.Group.DeepCopy()
	pg.ObjectMeta = metav1.ObjectMeta{Name: "staff", Namespace: namespace}
	pg.Spec.IntegrationRef.Name = latencyName
	pg.Spec.OktaGroup.Name = "Staff"
	return e.cp.Client.Create(ctx, pg)
}

// waitFeed waits until the integration is in sync with every user and its
// change feed polls.
func (e *latencyEnv) waitFeed(ctx context.Context, s latencySettings) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	for {
		var di identityv1alpha1.DirectoryIntegration
		if err := e.cp.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: latencyName}, &di); err == nil &&
			done(&di, int32(s.Users)) && meta.IsStatusConditionTrue(di.Status.Conditions, identityv1alpha1.ConditionChangeFeed) {
			return time.Since(start), nil
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return 0, fmt.Errorf("waiting for the initial sync and the feed: %w", err)
		}
	}
}

func (e *latencyEnv) integration(ctx context.Context) (*identityv1alpha1.DirectoryIntegration, error) {
	var di identityv1alpha1.DirectoryIntegration
	err := e.cp.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: latencyName}, &di)
	return &di, err
}
