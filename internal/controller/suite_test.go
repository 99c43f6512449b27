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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/controller"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
	"github.com/scimbridge/scimbridge/test/testenv"
)

// The suite runs both reconcilers in a real manager against a real
// kube-apiserver, the Okta emulator and the SCIM test server, with short
// gaps so that every spec finishes in seconds.

var (
	ctx       context.Context
	cancel    context.CancelFunc
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client
	scheme    = runtime.NewScheme()

	// logs holds everything the manager logged, at every level.
	logs = &syncBuffer{}
	// secrets remembers every token the specs used, to check logs for them.
	secrets = &tokenSet{}
)

const (
	finalizerTimeout = 3 * time.Second
	// verifyTimeout bounds each end's credential check in the suite.
	verifyTimeout = 2 * time.Second
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	SetDefaultConsistentlyDuration(2 * time.Second)
	SetDefaultConsistentlyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Controller suite")
}

var _ = BeforeSuite(func() {
	// Debug level (V(1)) goes to the buffer, for the token check.
	logger := zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true), zap.Level(zapcore.DebugLevel))
	logf.SetLogger(logger)
	ctrl.SetLogger(logger)
	ctx, cancel = context.WithCancel(context.Background())

	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(identityv1alpha1.AddToScheme(scheme)).To(Succeed())

	var err error
	testEnv, err = testenv.NewEnvironment()
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	Expect(err).NotTo(HaveOccurred())
	startHookEndpoint()
	Expect(controller.Setup(ctx, mgr, controller.Options{
		MaxConcurrentReconciles: 4,
		CycleTimeout:            time.Minute,
		MinCycleGap:             300 * time.Millisecond,
		StartupSpread:           -1,
		FinalizerTimeout:        finalizerTimeout,
		VerifyTimeout:           verifyTimeout,
		Hooks:                   controller.HookOptions{BindAddress: hookAddr, CertDir: hookCertDir},
	})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	// Checked here, after every spec ran: no token may appear in any log
	// line (debug included), event or status.
	var evs eventsv1.EventList
	Expect(k8sClient.List(ctx, &evs)).To(Succeed())
	var dis identityv1alpha1.DirectoryIntegrationList
	Expect(k8sClient.List(ctx, &dis)).To(Succeed())
	var pgs identityv1alpha1.ProvisionedGroupList
	Expect(k8sClient.List(ctx, &pgs)).To(Succeed())
	objects, err := json.Marshal([]any{evs, dis, pgs})
	Expect(err).NotTo(HaveOccurred())
	text := logs.String()
	if path := os.Getenv("CONTROLLER_SUITE_LOG"); path != "" {
		// For debugging: the whole manager log of the run.
		Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	}
	Expect(text).To(ContainSubstring("cycle finished"), "the logs were captured")
	for _, tok := range secrets.all() {
		Expect(strings.Contains(text, tok)).To(BeFalse(), "a token appears in the logs")
		Expect(strings.Contains(string(objects), tok)).To(BeFalse(), "a token appears in an event or a status")
	}
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type tokenSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (t *tokenSet) add(tok string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]bool{}
	}
	t.m[tok] = true
	return tok
}

func (t *tokenSet) all() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k := range t.m {
		out = append(out, k)
	}
	return out
}

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
