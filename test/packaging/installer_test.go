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
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// dist/install.yaml is what `make build-installer` writes from config/default.
func TestInstallYAML(t *testing.T) {
	data, err := os.ReadFile(repoPath("dist", "install.yaml"))
	if err != nil {
		t.Fatalf("%v: run `make build-installer`", err)
	}
	objs := decode(t, data)
	const ns = "scimbridge-system"
	find(t, objs, "Namespace", "", ns)
	checkCRDs(t, objs)
	role := as[rbacv1.ClusterRole](t, find(t, objs, "ClusterRole", "", "scimbridge-manager-role"))
	checkRules(t, "manager ClusterRole", role.Rules, "role.yaml")
	checkSupportRoles(t, objs)

	dep := as[appsv1.Deployment](t, find(t, objs, "Deployment", ns, "scimbridge-controller-manager"))
	c := checkPod(t, dep)
	if want := os.Getenv("INSTALLER_IMAGE"); want != "" && c.Image != want {
		t.Errorf("image %s, want %s (IMG of make build-installer)", c.Image, want)
	}

	applyAll(t, "install-yaml", objs)
	if !canGetSecrets(t, ns, "scimbridge-controller-manager", "default", "get") {
		t.Error("the installed manager cannot read Secrets")
	}
}

// config/default with every commented option switched on (Prometheus
// Operator objects, alerts, dashboard, network policy) builds and applies,
// and its monitoring objects reference each other correctly.
func TestKustomizeWithEveryOption(t *testing.T) {
	kustomize := tool(t, "KUSTOMIZE", "kustomize")
	bin, err := filepath.Abs(repoPath("bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Inside the repository, so that the overlay refers to config/ by relative paths.
	dir, err := os.MkdirTemp(bin, "kustomize-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	config, err := filepath.Abs(repoPath("config"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, config)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(config, "default", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Its own namespace and prefix, so that it does not meet TestInstallYAML's objects.
	const ns, prefix = "scimbridge-every-option", "every-option"
	var out []string
	options := 0
	for line := range strings.SplitSeq(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "namespace:"):
			line = "namespace: " + ns
		case strings.HasPrefix(line, "namePrefix:"):
			line = "namePrefix: " + prefix + "-"
		}
		if strings.HasPrefix(line, "#- ../") {
			line = strings.TrimPrefix(line, "#")
			options++
		}
		switch {
		case strings.HasPrefix(line, "- ../"):
			line = "- " + filepath.Join(rel, strings.TrimPrefix(line, "- ../"))
		case strings.HasPrefix(line, "- ") && strings.HasSuffix(line, ".yaml"):
			line = "- " + filepath.Join(rel, "default", strings.TrimPrefix(line, "- "))
		}
		out = append(out, line)
	}
	if options < 4 {
		t.Fatalf("config/default/kustomization.yaml has %d commented options, want prometheus, alerts, grafana and network-policy", options)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(strings.Join(out, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	objs := decode(t, run(t, kustomize, "build", "--load-restrictor", "LoadRestrictionsNone", dir))
	checkCRDs(t, objs)
	checkMonitoring(t, objs, ns, prefix)
	find(t, objs, "NetworkPolicy", ns, prefix+"-allow-metrics-traffic")
	applyAll(t, "kustomize-every-option", objs)
}
