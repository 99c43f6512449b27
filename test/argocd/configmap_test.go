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

package argocd

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/scimbridge/scimbridge/test/testenv"
)

// configMapKey is the argocd-cm key of a kind's health check.
func configMapKey(kind string) string {
	return "resource.customizations.health.identity.scimbridge.io_" + kind
}

// config/argocd/argocd-cm.yaml carries the scripts for users to merge into
// their argocd-cm; it must say what the scripts say. UPDATE_ARGOCD_CM=1
// (make argocd-cm) rewrites it.
func TestArgoCDConfigMapMatchesScripts(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	want := corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: "argocd",
			Labels: map[string]string{"app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"}},
		Data: map[string]string{}}
	for kind := range minCases {
		script, err := Script(root, kind)
		if err != nil {
			t.Fatal(err)
		}
		want.Data[configMapKey(kind)] = script
	}
	path := filepath.Join(root, "config", "argocd", "argocd-cm.yaml")
	if os.Getenv("UPDATE_ARGOCD_CM") != "" {
		data, err := yaml.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		header := "# Merge into Argo CD's argocd-cm: health checks for scimbridge's kinds.\n# Generated from config/argocd/*/*/health.lua by make argocd-cm; do not edit.\n"
		if err := os.WriteFile(path, append([]byte(header), data...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got corev1.ConfigMap
	if err := yaml.UnmarshalStrict(data, &got); err != nil {
		t.Fatal(err)
	}
	for key, script := range want.Data {
		if got.Data[key] != script {
			t.Errorf("%s in argocd-cm.yaml differs from the script; run make argocd-cm", key)
		}
	}
}
