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

	"sigs.k8s.io/yaml"

	"github.com/scimbridge/scimbridge/test/testenv"
)

// healthTests is Argo CD's health_test.yaml layout.
type healthTests struct {
	Tests []struct {
		HealthStatus Health `json:"healthStatus"`
		InputPath    string `json:"inputPath"`
	} `json:"tests"`
}

// minCases is how many captured objects each kind's table must cover.
var minCases = map[string]int{"DirectoryIntegration": 8, "ProvisionedGroup": 4}

func TestHealthChecks(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for kind, least := range minCases {
		t.Run(kind, func(t *testing.T) {
			script, err := Script(root, kind)
			if err != nil {
				t.Fatal(err)
			}
			dir := ScriptDir(root, kind)
			raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var ht healthTests
			if err := yaml.UnmarshalStrict(raw, &ht); err != nil {
				t.Fatal(err)
			}
			if len(ht.Tests) < least {
				t.Errorf("%d cases, want at least %d", len(ht.Tests), least)
			}
			seen := map[string]bool{}
			for _, tc := range ht.Tests {
				t.Run(tc.InputPath, func(t *testing.T) {
					obj := map[string]any{}
					data, err := os.ReadFile(filepath.Join(dir, tc.InputPath))
					if err != nil {
						t.Fatal(err)
					}
					if err := yaml.Unmarshal(data, &obj); err != nil {
						t.Fatal(err)
					}
					got, err := Evaluate(script, obj)
					if err != nil {
						t.Fatal(err)
					}
					if got != tc.HealthStatus {
						t.Errorf("health = %+v\nwant     %+v", got, tc.HealthStatus)
					}
					seen[got.Status] = true
				})
			}
			for _, status := range []string{"Healthy", "Progressing", "Degraded", "Suspended"} {
				if !seen[status] {
					t.Errorf("no case reads as %s", status)
				}
			}
		})
	}
}

// The scripts must not lean on libraries Argo CD leaves out.
func TestScriptsNeedNoStandardLibraries(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for kind := range minCases {
		script, err := Script(root, kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range []map[string]any{
			{"metadata": map[string]any{"name": "x", "generation": int64(1)}},
			{"metadata": map[string]any{"name": "x", "generation": int64(2)}, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{}}},
		} {
			if _, err := Evaluate(script, obj); err != nil {
				t.Errorf("%s: %v", kind, err)
			}
		}
		if _, err := Evaluate("return {status = string.upper('healthy')}", nil); err == nil {
			t.Error("the VM offers the string library; Argo CD's does not")
		}
	}
}
