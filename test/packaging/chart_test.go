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

package packaging

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const releaseNamespace = "scimbridge-system"

// helmTemplate renders the chart as release in releaseNamespace.
func helmTemplate(t *testing.T, release string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	args = append([]string{"template", release, repoPath("dist", "chart"), "--namespace", releaseNamespace}, args...)
	return decode(t, run(t, tool(t, "HELM", "helm"), args...))
}

func TestChartLints(t *testing.T) {
	helm := tool(t, "HELM", "helm")
	t.Log(string(run(t, helm, "lint", "--strict", repoPath("dist", "chart"))))
	t.Log(string(run(t, helm, "lint", "--strict", repoPath("dist", "chart"), "--values", "testdata/namespaced-values.yaml")))
}

func TestChartDefaultValues(t *testing.T) {
	objs := helmTemplate(t, "cluster")
	checkCRDs(t, objs)
	for _, crd := range ofKind(objs, "CustomResourceDefinition") {
		if crd.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
			t.Errorf("CRD %s: uninstalling the release would delete every integration; want helm.sh/resource-policy: keep", crd.GetName())
		}
	}
	role := find(t, objs, "ClusterRole", "", "cluster-scimbridge-manager-role")
	checkRules(t, "manager ClusterRole", as[rbacv1.ClusterRole](t, role).Rules, "role.yaml")
	binding := as[rbacv1.ClusterRoleBinding](t, find(t, objs, "ClusterRoleBinding", "", "cluster-scimbridge-manager-rolebinding"))
	sa := "cluster-scimbridge-controller-manager"
	checkSubject(t, binding.Subjects, sa)
	checkSupportRoles(t, objs)
	for _, kind := range []string{"ServiceMonitor", "PrometheusRule", "ConfigMap", "NetworkPolicy", "Role"} {
		for _, o := range ofKind(objs, kind) {
			if kind != "Role" || !strings.HasSuffix(o.GetName(), "-leader-election-role") {
				t.Errorf("%s %s rendered with default values; optional objects are off by default", kind, o.GetName())
			}
		}
	}

	dep := as[appsv1.Deployment](t, find(t, objs, "Deployment", releaseNamespace, "cluster-scimbridge-controller-manager"))
	c := checkPod(t, dep)
	if c.Image != "ghcr.io/scimbridge/scimbridge:"+chartAppVersion(t) {
		t.Errorf("image %s, want the appVersion tag", c.Image)
	}
	checkEveryFlag(t, c.Args, "watch-namespaces", "metrics-cert-path")
	for _, a := range []string{"--leader-elect=true", "--metrics-bind-address=:8443", "--metrics-secure=true", "--leader-election-id=cluster-scimbridge"} {
		if !slices.Contains(c.Args, a) {
			t.Errorf("args %q lack %s", c.Args, a)
		}
	}

	applyAll(t, "helm-cluster", objs)
	if !canGetSecrets(t, releaseNamespace, sa, "default", "get") || !canGetSecrets(t, releaseNamespace, sa, "", "list") {
		t.Error("in cluster-wide mode the manager must read Secrets in every namespace")
	}
}

func TestChartNamespacedMode(t *testing.T) {
	objs := helmTemplate(t, "namespaced", "--values", "testdata/namespaced-values.yaml")
	checkCRDs(t, objs)
	checkSupportRoles(t, objs)
	sa := "namespaced-scimbridge-controller-manager"
	// Cluster-wide, the manager keeps only what the metrics endpoint needs
	// (TokenReviews and SubjectAccessReviews).
	for _, crb := range ofKind(objs, "ClusterRoleBinding") {
		b := as[rbacv1.ClusterRoleBinding](t, crb)
		if !slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool { return s.Name == sa }) {
			continue
		}
		for _, r := range as[rbacv1.ClusterRole](t, find(t, objs, "ClusterRole", "", b.RoleRef.Name)).Rules {
			for _, res := range r.Resources {
				if res != "tokenreviews" && res != "subjectaccessreviews" {
					t.Errorf("namespaced mode: ClusterRole %s gives the manager %s in every namespace", b.RoleRef.Name, res)
				}
			}
		}
	}
	for _, ns := range []string{"team-a", "team-b"} {
		role := find(t, objs, "Role", ns, "namespaced-scimbridge-manager-role")
		checkRules(t, "manager Role in "+ns, as[rbacv1.Role](t, role).Rules, "role.yaml")
		rb := as[rbacv1.RoleBinding](t, find(t, objs, "RoleBinding", ns, "namespaced-scimbridge-manager-rolebinding"))
		if rb.RoleRef.Kind != "Role" || rb.RoleRef.Name != role.GetName() {
			t.Errorf("RoleBinding in %s refers to %+v", ns, rb.RoleRef)
		}
		checkSubject(t, rb.Subjects, sa)
	}

	dep := as[appsv1.Deployment](t, find(t, objs, "Deployment", releaseNamespace, "namespaced-scimbridge-controller-manager"))
	c := checkPod(t, dep)
	values := readValues(t)
	for _, a := range []string{"--watch-namespaces=team-a,team-b", "--zap-log-level=debug", "--zap-stacktrace-level=panic"} {
		if !slices.Contains(c.Args, a) {
			t.Errorf("args %q lack %s", c.Args, a)
		}
	}
	if want := "ghcr.io/scimbridge/scimbridge@" + values.Image.Digest; c.Image != want {
		t.Errorf("image %s, want %s", c.Image, want)
	}
	if *dep.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2", *dep.Spec.Replicas)
	}
	pod := dep.Spec.Template
	if pod.Labels["tier"] != "control" || pod.Annotations["example.com/scrape"] != "false" ||
		pod.Spec.NodeSelector["kubernetes.io/os"] != "linux" || len(pod.Spec.Tolerations) != 1 {
		t.Errorf("podLabels, podAnnotations, nodeSelector or tolerations missing: %+v", pod)
	}
	for _, o := range objs {
		if o.GetLabels()["team"] != "identity" || o.GetAnnotations()["owner"] != "platform" {
			t.Errorf("%s %s lacks commonLabels or commonAnnotations", o.GetKind(), o.GetName())
		}
	}
	checkMonitoring(t, objs, releaseNamespace, "namespaced-scimbridge")

	applyAll(t, "helm-namespaced", objs)
	for ns, want := range map[string]bool{"team-a": true, "team-b": true, "default": false, releaseNamespace: false} {
		if got := canGetSecrets(t, releaseNamespace, sa, ns, "get"); got != want {
			t.Errorf("namespaced mode: may read Secrets in %q = %t, want %t", ns, got, want)
		}
	}
	if canGetSecrets(t, releaseNamespace, sa, "", "list") {
		t.Error("namespaced mode: the manager may list Secrets in all namespaces")
	}
}

// With shards, every replica is active on its own shards: leader election
// is off, and the Role for the leases stays.
func TestChartShards(t *testing.T) {
	objs := helmTemplate(t, "sharded", "--set", "shards=3,replicas=3,leaderElection.enabled=false")
	dep := as[appsv1.Deployment](t, find(t, objs, "Deployment", releaseNamespace, "sharded-scimbridge-controller-manager"))
	c := checkPod(t, dep)
	checkEveryFlag(t, c.Args, "watch-namespaces", "metrics-cert-path", "leader-election-id", "leader-election-lease-duration")
	for _, a := range []string{"--leader-elect=false", "--shards=3", "--shard-lease-prefix=sharded-scimbridge-shard"} {
		if !slices.Contains(c.Args, a) {
			t.Errorf("args %q lack %s", c.Args, a)
		}
	}
	find(t, objs, "Role", releaseNamespace, "sharded-scimbridge-leader-election-role")
}

// The chart refuses values it cannot honour instead of ignoring them.
func TestChartRefusesImpossibleValues(t *testing.T) {
	helm := tool(t, "HELM", "helm")
	for set, msg := range map[string]string{
		"shards=0": "shards must be at least 1",
		"replicas=2,leaderElection.enabled=false":           "replicas > 1 needs leaderElection.enabled or shards > 1",
		"sharding.leasePrefix=" + strings.Repeat("a", 41):   "must be at most 40 characters",
		"watchNamespaces={Team_A}":                          "is not a namespace name",
		"serviceMonitor.enabled=true,metrics.enabled=false": "serviceMonitor.enabled needs metrics.enabled",
	} {
		out, err := exec.CommandContext(t.Context(), helm, "template", "x", repoPath("dist", "chart"), "--set", set).CombinedOutput()
		if err == nil || !strings.Contains(string(out), msg) {
			t.Errorf("--set %s: err %v, output %s; want a failure saying %q", set, err, out, msg)
		}
	}
}

// checkPod checks what every install needs of the manager's pod and
// returns its container.
func checkPod(t *testing.T, dep *appsv1.Deployment) corev1.Container {
	t.Helper()
	spec := dep.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	// The Dockerfile's image runs /manager, ko's /ko-app/cmd: only the
	// entrypoint works for both.
	if len(c.Command) != 0 {
		t.Errorf("container sets command %q; leave the image's entrypoint", c.Command)
	}
	psc, sc := spec.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil ||
		psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and RuntimeDefault seccomp", psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v: want a read-only root, no privilege escalation, all capabilities dropped", sc)
	}
	if c.LivenessProbe == nil || c.ReadinessProbe == nil {
		t.Error("probes missing")
	}
	if c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	return c
}

func checkSubject(t *testing.T, subjects []rbacv1.Subject, sa string) {
	t.Helper()
	want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: releaseNamespace}}
	if !reflect.DeepEqual(subjects, want) {
		t.Errorf("subjects %+v, want %+v", subjects, want)
	}
}

// checkMonitoring checks the ServiceMonitor, its token, the PrometheusRule
// and the dashboard, rendered into namespace with names that start with prefix.
func checkMonitoring(t *testing.T, objs []*unstructured.Unstructured, namespace, prefix string) {
	t.Helper()
	sm := find(t, objs, "ServiceMonitor", namespace, prefix+"-controller-manager-metrics-monitor")
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(endpoints) != 1 {
		t.Fatalf("ServiceMonitor endpoints %v", endpoints)
	}
	ep := endpoints[0].(map[string]any)
	if _, ok := ep["bearerTokenFile"]; ok {
		t.Error("ServiceMonitor uses the deprecated bearerTokenFile")
	}
	secretName, _, _ := unstructured.NestedString(ep, "authorization", "credentials", "name")
	key, _, _ := unstructured.NestedString(ep, "authorization", "credentials", "key")
	typ, _, _ := unstructured.NestedString(ep, "authorization", "type")
	if typ != "Bearer" || key != "token" {
		t.Errorf("ServiceMonitor authorization %v", ep["authorization"])
	}
	secret := as[corev1.Secret](t, find(t, objs, "Secret", namespace, secretName))
	saName := secret.Annotations[corev1.ServiceAccountNameKey]
	if secret.Type != corev1.SecretTypeServiceAccountToken || saName == "" {
		t.Errorf("token Secret %s: type %s, service account %q", secret.Name, secret.Type, saName)
	}
	find(t, objs, "ServiceAccount", namespace, saName)
	readerBinding := as[rbacv1.ClusterRoleBinding](t, find(t, objs, "ClusterRoleBinding", "", prefix+"-metrics-reader-rolebinding"))
	if readerBinding.RoleRef.Name != prefix+"-metrics-reader" || len(readerBinding.Subjects) != 1 || readerBinding.Subjects[0].Name != saName {
		t.Errorf("metrics reader binding %+v", readerBinding)
	}
	svc := as[corev1.Service](t, find(t, objs, "Service", namespace, prefix+"-controller-manager-metrics-service"))
	if port, _, _ := unstructured.NestedString(ep, "port"); len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != port {
		t.Errorf("ServiceMonitor port %q is not the Service's %+v", port, svc.Spec.Ports)
	}

	rule := find(t, objs, "PrometheusRule", namespace, prefix+"-alerts")
	var want any
	data, err := os.ReadFile(repoPath("config", "prometheus", "alerts", "scimbridge.rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rule.Object["spec"], want) {
		t.Error("the chart's PrometheusRule differs from config/prometheus/alerts/scimbridge.rules.yaml: run `make manifests`")
	}

	cm := as[corev1.ConfigMap](t, find(t, objs, "ConfigMap", namespace, prefix+"-grafana-dashboard"))
	if cm.Labels["grafana_dashboard"] != "1" {
		t.Errorf("dashboard ConfigMap labels %v lack grafana_dashboard", cm.Labels)
	}
	dashboard, err := os.ReadFile(repoPath("config", "grafana", "scimbridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, wantJSON any
	if err := json.Unmarshal([]byte(cm.Data["scimbridge.json"]), &got); err != nil {
		t.Fatalf("dashboard ConfigMap: %v", err)
	}
	if err := json.Unmarshal(dashboard, &wantJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantJSON) {
		t.Error("the chart's dashboard differs from config/grafana/scimbridge.json: run `make manifests`")
	}
}

type chartValues struct {
	Image struct {
		Digest string `json:"digest"`
	} `json:"image"`
}

func readValues(t *testing.T) chartValues {
	t.Helper()
	var v chartValues
	data, err := os.ReadFile("testdata/namespaced-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func chartAppVersion(t *testing.T) string {
	t.Helper()
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	data, err := os.ReadFile(repoPath("dist", "chart", "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &chart); err != nil || chart.AppVersion == "" {
		t.Fatalf("Chart.yaml appVersion: %v", err)
	}
	return chart.AppVersion
}
