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

package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/argocd"
	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/scimserver"
	"github.com/scimbridge/scimbridge/test/testenv"
)

// captureEnv names the environment variable that makes this spec write the
// objects it drives into config/argocd/*/testdata, with health_test.yaml:
// the health checks' table is made of real objects (make argocd-testdata).
const captureEnv = "SCIMBRIDGE_CAPTURE_ARGOCD"

// state is one object in one state, with the health Argo CD must show.
type state struct {
	name, kind string
	key        client.ObjectKey
	health     string
	// ready says when the object has reached the state.
	ready func(Gomega, map[string]any)
	// obj is set when the state is the server's answer to the create.
	obj map[string]any
}

var _ = Describe("Argo CD and kstatus read the status of the manager binary", func() {
	It("shows each state with the right health", func() {
		By("creating one namespace with its own fakes and the samples for each state")
		var states []*state
		add := func(s *state) { states = append(states, s) }

		healthy := stateNamespace("argocd-healthy", nil, nil)
		add(&state{name: "healthy", kind: "DirectoryIntegration", key: healthy.di, health: "Healthy", ready: cond("Ready", "True", "Synced")})
		add(&state{name: "pushed", kind: "ProvisionedGroup", key: healthy.pg, health: "Healthy", ready: cond("Ready", "True", "Ready")})
		assigned := extraGroup(healthy, "sales", "Sales", false)
		add(&state{name: "assigned-only", kind: "ProvisionedGroup", key: assigned, health: "Healthy", ready: cond("Ready", "True", "AssignedOnly")})
		missing := extraGroup(healthy, "missing", "No Such Group", true)
		add(&state{name: "group-not-found", kind: "ProvisionedGroup", key: missing, health: "Degraded", ready: cond("Stalled", "True", "GroupNotFound")})

		suspended := stateNamespace("argocd-suspended", nil, func(s *localenv.Samples) { s.Integration.Spec.Suspend = true })
		add(&state{name: "suspended", kind: "DirectoryIntegration", key: suspended.di, health: "Suspended", ready: cond("Ready", "False", "Suspended")})
		add(&state{name: "integration-suspended", kind: "ProvisionedGroup", key: suspended.pg, health: "Suspended", ready: cond("Ready", "False", "Suspended")})

		unauthorized := stateNamespace("argocd-unauthorized", func(f *localenv.Fakes) { f.SCIMToken = "a-revoked-token" }, nil)
		add(&state{name: "unauthorized", kind: "DirectoryIntegration", key: unauthorized.di, health: "Degraded", ready: cond("Stalled", "True", "Unauthorized")})
		add(&state{name: "integration-stalled", kind: "ProvisionedGroup", key: unauthorized.pg, health: "Degraded", ready: cond("Stalled", "True", "IntegrationStalled")})

		forbidden := stateNamespace("argocd-forbidden", func(f *localenv.Fakes) { f.Okta.SetForbidden(true) }, nil)
		add(&state{name: "forbidden", kind: "DirectoryIntegration", key: forbidden.di, health: "Degraded", ready: cond("Stalled", "True", "Forbidden")})

		invalid := stateNamespace("argocd-invalid-mapping", nil, func(s *localenv.Samples) {
			s.Integration.Spec.AttributeMapping.Expressions = []v1.AttributeExpression{
				{Target: "title", Expression: "user.profile.title +"},
			}
		})
		add(&state{name: "invalid-mapping", kind: "DirectoryIntegration", key: invalid.di, health: "Degraded", ready: cond("Stalled", "True", "InvalidMapping")})

		noSecret := stateNamespace("argocd-secret-missing", nil, nil)
		Expect(cp.Client.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: noSecret.di.Namespace, Name: "secure-access-scim"}})).To(Succeed())
		add(&state{name: "secret-missing", kind: "DirectoryIntegration", key: noSecret.di, health: "Degraded", ready: cond("Stalled", "True", "SecretNotFound")})

		failing := stateNamespace("argocd-objects-failing", func(f *localenv.Fakes) {
			f.SCIM.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Status: 400})
			f.SCIM.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Groups", Status: 400})
		}, nil)
		add(&state{name: "objects-failing", kind: "DirectoryIntegration", key: failing.di, health: "Degraded", ready: cond("Synced", "False", "ObjectsFailing")})
		add(&state{name: "push-failed", kind: "ProvisionedGroup", key: failing.pg, health: "Degraded", ready: cond("Reconciling", "True", "RetryScheduled")})

		dryRun := stateNamespace("argocd-dry-run", nil, func(s *localenv.Samples) { s.Integration.Spec.DryRun = true })
		add(&state{name: "dry-run", kind: "DirectoryIntegration", key: dryRun.di, health: "Healthy", ready: cond("Ready", "True", "DryRun")})

		capped := stateNamespace("argocd-group-cap", nil, func(s *localenv.Samples) { s.Integration.Spec.Target.MaxGroups = ptr.To[int32](1) })
		over := extraGroup(capped, "zz-over-the-cap", "Sales", true)
		add(&state{name: "group-cap-reached", kind: "DirectoryIntegration", key: capped.di, health: "Degraded", ready: cond("Stalled", "True", "GroupCapReached")})
		add(&state{name: "group-cap-reached", kind: "ProvisionedGroup", key: over, health: "Degraded", ready: cond("Stalled", "True", "GroupCapReached")})

		unreachable := stateNamespace("argocd-okta-unreachable", func(f *localenv.Fakes) { f.OktaURL = closedURL() }, nil)
		add(&state{name: "okta-unreachable", kind: "DirectoryIntegration", key: unreachable.di, health: "Degraded", ready: cond("OktaVerified", "False", "Unreachable")})

		// Created a second later with the healthy one's target and token.
		time.Sleep(1100 * time.Millisecond)
		dup := sampleObjects("argocd-duplicate", healthy.fakes, nil)
		add(&state{name: "duplicate-target", kind: "DirectoryIntegration", key: dup.di, health: "Degraded", ready: cond("Stalled", "True", "DuplicateTarget")})

		newDI, newPG := createdUnprocessed("argocd-new")
		add(&state{name: "not-processed-yet", kind: "DirectoryIntegration", health: "Progressing", obj: newDI})
		add(&state{name: "not-processed-yet", kind: "ProvisionedGroup", health: "Progressing", obj: newPG})

		By("waiting for each state and reading its health")
		for _, s := range states {
			obj := s.obj
			if obj == nil {
				Eventually(func(g Gomega) {
					obj = read(s.kind, s.key)
					s.ready(g, obj)
				}, 2*time.Minute).Should(Succeed(), "%s %s", s.kind, s.name)
			}
			got := health(s.kind, obj)
			Expect(got.Status).To(Equal(s.health), "%s %s: %s", s.kind, s.name, got.Message)
			s.obj = obj
		}

		By("checking one object in each kstatus result")
		Expect(kstatus(states, "DirectoryIntegration", "healthy")).To(Equal(status.CurrentStatus))
		Expect(kstatus(states, "DirectoryIntegration", "unauthorized")).To(Equal(status.FailedStatus))
		Expect(kstatus(states, "DirectoryIntegration", "invalid-mapping")).To(Equal(status.FailedStatus))
		Expect(kstatus(states, "DirectoryIntegration", "objects-failing")).To(Equal(status.InProgressStatus))
		Expect(kstatus(states, "DirectoryIntegration", "not-processed-yet")).To(Equal(status.InProgressStatus))

		By("capturing the objects as the health checks' testdata when asked")
		if os.Getenv(captureEnv) != "" {
			capture(states)
		}
	})

	It("shows changes held for approval as suspended", func() {
		By("creating the samples holding beyond one deactivation")
		held := stateNamespace("argocd-held", nil, func(s *localenv.Samples) { s.Integration.Spec.Safety.MaxDeactivations = ptr.To[int32](1) })
		By("waiting for Synced and both users provisioned")
		Eventually(func(g Gomega) { cond("Ready", "True", "Synced")(g, read("DirectoryIntegration", held.di)) }).Should(Succeed())
		org := held.org
		// The first cycle may run before the group is resolved (Synced with
		// nobody in scope): wait until both are provisioned, or there is
		// nothing to deactivate and nothing is held.
		pair := [][2]string{{"Amelia", "Hart"}, {"Benjamin", "Cho"}}
		Eventually(func() bool {
			for _, who := range pair {
				if _, ok := held.fakes.SCIM.UserIDByName(localenv.Login(who[0], who[1])); !ok {
					return false
				}
			}
			return true
		}, 2*time.Minute).Should(BeTrue())
		By("suspending both users and triggering a cycle")
		for _, who := range pair {
			Expect(held.fakes.Okta.Suspend(org.Users[localenv.Login(who[0], who[1])])).To(Succeed())
		}
		trigger(held.di)
		var di, pg map[string]any
		By("waiting for the integration to hold the set and the group to stay Ready")
		Eventually(func(g Gomega) {
			di = read("DirectoryIntegration", held.di)
			cond("Stalled", "True", "ChangesHeld")(g, di)
		}).Should(Succeed())
		// The group itself is pushed: held deactivations do not stall it.
		Eventually(func(g Gomega) {
			pg = read("ProvisionedGroup", held.pg)
			cond("Ready", "True", "Ready")(g, pg)
		}).Should(Succeed())
		By("reading both healths")
		Expect(health("DirectoryIntegration", di).Status).To(Equal("Suspended"))
		Expect(health("ProvisionedGroup", pg).Status).To(Equal("Healthy"))
		if os.Getenv(captureEnv) != "" {
			capture([]*state{{name: "changes-held", kind: "DirectoryIntegration", health: "Suspended", obj: di}})
		}
	})

	It("shows a running cycle as progressing", func() {
		By("creating the samples")
		running := stateNamespace("argocd-cycle-running", nil, nil)
		By("waiting for Synced")
		Eventually(func(g Gomega) { cond("Ready", "True", "Synced")(g, read("DirectoryIntegration", running.di)) }).Should(Succeed())
		By("slowing the target and requesting a full sync")
		running.fakes.SCIM.SetLatency(time.Second)
		DeferCleanup(func() { running.fakes.SCIM.SetLatency(0) })
		annotateDI(running.di, v1.FullSyncRequestedAtAnnotation, "now")
		var obj map[string]any
		By("waiting for the running cycle and reading its health")
		Eventually(func(g Gomega) {
			obj = read("DirectoryIntegration", running.di)
			cond("Reconciling", "True", "CycleRunning")(g, obj)
		}).Should(Succeed())
		Expect(health("DirectoryIntegration", obj).Status).To(Equal("Progressing"))
		if os.Getenv(captureEnv) != "" {
			capture([]*state{{name: "cycle-running", kind: "DirectoryIntegration", health: "Progressing", obj: obj}})
		}
	})
})

// stateObjects are the objects of config/samples in one namespace.
type stateObjects struct {
	fakes  *localenv.Fakes
	org    *localenv.DemoOrg
	di, pg client.ObjectKey
}

// createdUnprocessed creates the samples as unstructured objects and returns
// the API server's answers: the objects before any controller saw them.
func createdUnprocessed(ns string) (map[string]any, map[string]any) {
	GinkgoHelper()
	Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
	s, err := localenv.LoadSamples()
	Expect(err).NotTo(HaveOccurred())
	var out []map[string]any
	for _, o := range []client.Object{s.Integration, s.Group} {
		o.SetNamespace(ns)
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		Expect(err).NotTo(HaveOccurred())
		u := &unstructured.Unstructured{Object: obj}
		Expect(cp.Client.Create(ctx, u)).To(Succeed())
		out = append(out, u.Object)
	}
	return out[0], out[1]
}

// stateNamespace starts fresh fakes with the demo org, lets tweak change
// them, and applies the samples in namespace ns.
func stateNamespace(ns string, tweak func(*localenv.Fakes), tune func(*localenv.Samples)) stateObjects {
	GinkgoHelper()
	f, err := localenv.StartFakes(1000)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.Close)
	org, err := localenv.SeedDemoOrg(f.Okta)
	Expect(err).NotTo(HaveOccurred())
	if tweak != nil {
		tweak(f)
	}
	s := sampleObjects(ns, f, tune)
	s.org = org
	return s
}

func sampleObjects(ns string, f *localenv.Fakes, tune func(*localenv.Samples)) stateObjects {
	GinkgoHelper()
	Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
	s, err := localenv.ApplySamples(ctx, cp.Client, ns, f, tune)
	Expect(err).NotTo(HaveOccurred())
	return stateObjects{fakes: f, di: client.ObjectKeyFromObject(s.Integration), pg: client.ObjectKeyFromObject(s.Group)}
}

// extraGroup adds a ProvisionedGroup for an Okta group of the demo org.
func extraGroup(s stateObjects, name, oktaGroup string, push bool) client.ObjectKey {
	GinkgoHelper()
	pg := &v1.ProvisionedGroup{}
	pg.Namespace, pg.Name = s.di.Namespace, name
	pg.Spec = v1.ProvisionedGroupSpec{IntegrationRef: v1.LocalObjectReference{Name: s.di.Name},
		OktaGroup: v1.OktaGroupReference{Name: oktaGroup}, AssignMembers: !push, Push: push}
	Expect(cp.Client.Create(ctx, pg)).To(Succeed())
	return client.ObjectKeyFromObject(pg)
}

func closedURL() string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return "http://" + addr
}

func read(kind string, key client.ObjectKey) map[string]any {
	GinkgoHelper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1.GroupVersion.WithKind(kind))
	Expect(cp.Client.Get(ctx, key, u)).To(Succeed())
	return u.Object
}

// cond waits for a condition's status and reason.
func cond(typ, statusValue, reason string) func(Gomega, map[string]any) {
	return func(g Gomega, obj map[string]any) {
		conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == typ {
				g.Expect(fmt.Sprint(m["status"], "/", m["reason"])).To(Equal(statusValue + "/" + reason))
				return
			}
		}
		g.Expect(conds).To(ContainElement(HaveKeyWithValue("type", typ)))
	}
}

func health(kind string, obj map[string]any) argocd.Health {
	GinkgoHelper()
	root, err := testenv.RepoRoot()
	Expect(err).NotTo(HaveOccurred())
	script, err := argocd.Script(root, kind)
	Expect(err).NotTo(HaveOccurred())
	h, err := argocd.Evaluate(script, obj)
	Expect(err).NotTo(HaveOccurred())
	return h
}

func kstatus(states []*state, kind, name string) status.Status {
	GinkgoHelper()
	for _, s := range states {
		if s.kind == kind && s.name == name {
			res, err := status.Compute(&unstructured.Unstructured{Object: s.obj})
			Expect(err).NotTo(HaveOccurred())
			return res.Status
		}
	}
	Fail("no state " + name)
	return ""
}

// capture writes the objects into the health checks' testdata and rewrites
// health_test.yaml from the health each state must show.
func capture(states []*state) {
	GinkgoHelper()
	root, err := testenv.RepoRoot()
	Expect(err).NotTo(HaveOccurred())
	for _, kind := range []string{"DirectoryIntegration", "ProvisionedGroup"} {
		dir := argocd.ScriptDir(root, kind)
		tests := readHealthTests(dir)
		for _, s := range states {
			if s.kind != kind {
				continue
			}
			obj := clean(s.obj)
			data, err := yaml.Marshal(obj)
			Expect(err).NotTo(HaveOccurred())
			path := filepath.Join("testdata", s.name+".yaml")
			Expect(os.WriteFile(filepath.Join(dir, path), data, 0o644)).To(Succeed())
			h := health(kind, obj)
			Expect(h.Status).To(Equal(s.health))
			tests = slices.DeleteFunc(tests, func(t healthTest) bool { return t.InputPath == path })
			tests = append(tests, healthTest{HealthStatus: h, InputPath: path})
		}
		slices.SortFunc(tests, func(a, b healthTest) int { return strings.Compare(a.InputPath, b.InputPath) })
		data, err := yaml.Marshal(map[string]any{"tests": tests})
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "health_test.yaml"), data, 0o644)).To(Succeed())
	}
}

type healthTest struct {
	HealthStatus argocd.Health `json:"healthStatus"`
	InputPath    string        `json:"inputPath"`
}

func readHealthTests(dir string) []healthTest {
	var ht struct {
		Tests []healthTest `json:"tests"`
	}
	if data, err := os.ReadFile(filepath.Join(dir, "health_test.yaml")); err == nil {
		Expect(yaml.Unmarshal(data, &ht)).To(Succeed())
	}
	return ht.Tests
}

// clean drops what only the cluster that served the object cares about.
func clean(obj map[string]any) map[string]any {
	out := runtime.DeepCopyJSON(obj)
	unstructured.RemoveNestedField(out, "metadata", "managedFields")
	return out
}
