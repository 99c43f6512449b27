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

package controller_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// Fixtures and helpers the envtest specs share; suite_test.go starts the suite.

const (
	ready          = identityv1alpha1.ConditionReady
	synced         = identityv1alpha1.ConditionSynced
	oktaVerified   = identityv1alpha1.ConditionOktaVerified
	targetVerified = identityv1alpha1.ConditionTargetVerified
	stalled        = identityv1alpha1.ConditionStalled
	held           = identityv1alpha1.ConditionDeactivationsHeld
)

// fixture is one spec's world: a namespace, an Okta org and a SCIM target.
type fixture struct {
	ns        string
	okta      *oktaserver.Server
	scim      *scimserver.Server
	scimURL   string
	scimToken string
}

var nsCounter int

func newFixture() *fixture {
	nsCounter++
	f := &fixture{ns: fmt.Sprintf("spec-%d-%d", nsCounter, time.Now().UnixNano()%100000)}
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.ns}})).To(Succeed())

	var err error
	f.okta, err = oktaserver.Start(oktaserver.Options{APIToken: secrets.add("00okta" + randomToken())}, "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.okta.Close)
	f.scimToken = secrets.add("scim-" + randomToken())
	f.scim, f.scimURL = newSCIMServer(f.scimToken)

	f.secret("okta-api-token", "token", f.okta.APIToken())
	f.secret("secure-access-scim", "token", f.scimToken)
	return f
}

func newSCIMServer(token string) (*scimserver.Server, string) {
	srv, err := scimserver.New(scimserver.Options{Token: token})
	Expect(err).NotTo(HaveOccurred())
	u, err := srv.Listen("127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	// Shutdown may wait out connections the client dialled but never used;
	// the test is over either way.
	DeferCleanup(func() { _ = srv.Close() })
	return srv, u
}

var tokenCounter int

func randomToken() string {
	tokenCounter++
	return fmt.Sprintf("%x%08d", time.Now().UnixNano(), tokenCounter)
}

// secret creates or updates a Secret with one key.
func (f *fixture) secret(name, key, value string) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name}}
	err := k8sClient.Get(ctx, client.ObjectKeyFromObject(s), s)
	s.Data = map[string][]byte{key: []byte(value)}
	if err != nil {
		Expect(k8sClient.Create(ctx, s)).To(Succeed())
		return
	}
	Expect(k8sClient.Update(ctx, s)).To(Succeed())
}

// user adds an Okta user and returns its id.
func (f *fixture) user(login string) string {
	first, _, _ := strings.Cut(login, "@")
	id, err := f.okta.AddUser(oktaserver.UserSpec{Login: login, FirstName: first, LastName: "Tester"})
	Expect(err).NotTo(HaveOccurred())
	return id
}

// group adds an Okta group with members and returns its id.
func (f *fixture) group(name string, members ...string) string {
	id, err := f.okta.AddGroup(oktaserver.GroupSpec{Name: name})
	Expect(err).NotTo(HaveOccurred())
	for _, m := range members {
		Expect(f.okta.AddMember(id, m)).To(Succeed())
	}
	return id
}

func (f *fixture) integration(name string, mutate func(*identityv1alpha1.DirectoryIntegration)) *identityv1alpha1.DirectoryIntegration {
	di := &identityv1alpha1.DirectoryIntegration{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec: identityv1alpha1.DirectoryIntegrationSpec{
			DisplayName: "OKTA Integration",
			Okta: identityv1alpha1.OktaSource{OrgURL: f.okta.URL(),
				APITokenSecretRef: &identityv1alpha1.SecretKeySelector{Name: "okta-api-token", Key: "token"}},
			Target: identityv1alpha1.SCIMTarget{URL: f.scimURL,
				TokenSecretRef: identityv1alpha1.SecretKeySelector{Name: "secure-access-scim", Key: "token"}},
		},
	}
	if mutate != nil {
		mutate(di)
	}
	Expect(k8sClient.Create(ctx, di)).To(Succeed())
	return di
}

func (f *fixture) provisionedGroup(name, integration, oktaGroup string, mutate func(*identityv1alpha1.ProvisionedGroup)) *identityv1alpha1.ProvisionedGroup {
	pg := &identityv1alpha1.ProvisionedGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec: identityv1alpha1.ProvisionedGroupSpec{
			IntegrationRef: identityv1alpha1.LocalObjectReference{Name: integration},
			OktaGroup:      identityv1alpha1.OktaGroupReference{Name: oktaGroup},
			AssignMembers:  true,
			Push:           true,
		},
	}
	if mutate != nil {
		mutate(pg)
	}
	Expect(k8sClient.Create(ctx, pg)).To(Succeed())
	return pg
}

func key(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}

func getDI(ns, name string) *identityv1alpha1.DirectoryIntegration {
	di := &identityv1alpha1.DirectoryIntegration{}
	ExpectWithOffset(1, k8sClient.Get(ctx, key(ns, name), di)).To(Succeed())
	return di
}

func getPG(ns, name string) *identityv1alpha1.ProvisionedGroup {
	pg := &identityv1alpha1.ProvisionedGroup{}
	ExpectWithOffset(1, k8sClient.Get(ctx, key(ns, name), pg)).To(Succeed())
	return pg
}

// condition returns "Status/Reason" of a condition, or "" when absent.
func condition(conds []metav1.Condition, typ string) string {
	c := meta.FindStatusCondition(conds, typ)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}

func diCondition(ns, name, typ string) func() string {
	di := &identityv1alpha1.DirectoryIntegration{}
	return objectCondition(key(ns, name), di, func() []metav1.Condition { return di.Status.Conditions }, typ)
}

func pgCondition(ns, name, typ string) func() string {
	pg := &identityv1alpha1.ProvisionedGroup{}
	return objectCondition(key(ns, name), pg, func() []metav1.Condition { return pg.Status.Conditions }, typ)
}

// objectCondition polls one condition of an object as "Status/Reason".
func objectCondition(k types.NamespacedName, obj client.Object, conds func() []metav1.Condition, typ string) func() string {
	return func() string {
		if err := k8sClient.Get(ctx, k, obj); err != nil {
			return err.Error()
		}
		return condition(conds(), typ)
	}
}

// annotate sets an annotation on an integration (as Argo CD or kubectl would).
func annotate(ns, name, k, v string) {
	updateDI(ns, name, func(di *identityv1alpha1.DirectoryIntegration) {
		if di.Annotations == nil {
			di.Annotations = map[string]string{}
		}
		di.Annotations[k] = v
	})
}

// requestReconcile sets the trigger annotation and waits until it is handled.
func requestReconcile(ns, name string) {
	v := time.Now().UTC().Format(time.RFC3339Nano)
	annotate(ns, name, identityv1alpha1.ReconcileRequestedAtAnnotation, v)
	EventuallyWithOffset(1, func() string { return getDI(ns, name).Status.LastHandledReconcileAt }).Should(Equal(v))
}

func updateDI(ns, name string, mutate func(*identityv1alpha1.DirectoryIntegration)) {
	// A merge patch sends only what changed, as kubectl annotate does (an
	// Update would re-send defaulted durations as "10m0s" and bump the generation).
	Eventually(func() error {
		di := getDI(ns, name)
		patch := client.MergeFrom(di.DeepCopy())
		mutate(di)
		return k8sClient.Patch(ctx, di, patch)
	}).Should(Succeed())
}

// events returns the notes of events about an object with a reason.
func events(ns, objName, reason string) []string {
	var list eventsv1.EventList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == objName && e.Reason == reason {
			out = append(out, e.Type+": "+e.Note)
		}
	}
	return out
}

// writes counts the requests that change the target.
func writes(s *scimserver.Server) int {
	n := 0
	for r, c := range s.Requests() {
		if r.Method != http.MethodGet {
			n += c
		}
	}
	return n
}

// oktaTotal counts the Okta requests of cycles and lookups: the change
// feed's System Log polls run on their own schedule and are left out.
func oktaTotal(s *oktaserver.Server) int64 {
	var n int64
	for k, c := range s.Counts() {
		if k.Endpoint != "GET /api/v1/logs" {
			n += c
		}
	}
	return n
}

// active reads a target user's active flag by userName.
func active(s *scimserver.Server, userName string) bool {
	id, ok := s.UserIDByName(userName)
	ExpectWithOffset(1, ok).To(BeTrue(), "user %s in the target", userName)
	u, _ := s.User(id)
	a, _ := u["active"].(bool)
	return a
}

// pushedGroup sets up an integration pushing one Okta group with one member
// through a ProvisionedGroup with the deletion policy, and waits until it is Ready.
func pushedGroup(name, oktaGroup, member string, policy identityv1alpha1.DeletionPolicy) *fixture {
	GinkgoHelper()
	f := newFixture()
	f.group(oktaGroup, f.user(member))
	f.integration("okta", nil)
	f.provisionedGroup(name, "okta", oktaGroup, func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.DeletionPolicy = policy })
	Eventually(pgCondition(f.ns, name, ready)).Should(Equal("True/Ready"))
	return f
}

// settle waits until no request reaches Okta for a while: the cycles that
// the objects' creation triggered have finished.
func settle(f *fixture) {
	GinkgoHelper()
	Eventually(func() int64 {
		n := oktaTotal(f.okta)
		time.Sleep(700 * time.Millisecond)
		return oktaTotal(f.okta) - n
	}).Should(BeZero())
}

// tableRow reads an object the way kubectl get does (as a Table), keyed by
// printer column name.
func tableRow(ns, resource, name string) map[string]any {
	GinkgoHelper()
	hc, err := rest.HTTPClientFor(cfg)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("%s/apis/identity.scimbridge.io/v1alpha1/namespaces/%s/%s/%s", strings.TrimRight(cfg.Host, "/"), ns, resource, name), nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := hc.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(http.StatusOK), req.URL.String())
	var t metav1.Table
	Expect(json.NewDecoder(resp.Body).Decode(&t)).To(Succeed())
	Expect(t.Rows).To(HaveLen(1))
	row := map[string]any{}
	for i, c := range t.ColumnDefinitions {
		row[c.Name] = t.Rows[0].Cells[i]
	}
	return row
}

// gauge reads one series of the manager's registry.
func gauge(name string, labels map[string]string) (float64, bool) {
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, fam := range families {
		if fam.GetName() != name {
			continue
		}
	series:
		for _, m := range fam.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue series
				}
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// kstatusOf reads an object from the API server as kstatus (and so Flux
// health checks and kubectl wait) sees it.
func kstatusOf(kind string, ns, name string) status.Status {
	GinkgoHelper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(identityv1alpha1.GroupVersion.WithKind(kind))
	Expect(k8sClient.Get(ctx, key(ns, name), u)).To(Succeed())
	res, err := status.Compute(u)
	Expect(err).NotTo(HaveOccurred())
	return res.Status
}

func diKstatus(ns, name string) func() status.Status {
	return func() status.Status { return kstatusOf("DirectoryIntegration", ns, name) }
}

func pgKstatus(ns, name string) func() status.Status {
	return func() status.Status { return kstatusOf("ProvisionedGroup", ns, name) }
}
