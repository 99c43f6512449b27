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
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Flags the chart deliberately leaves to their defaults.
var flagsLeftToDefaults = map[string]string{
	"leader-election-namespace": "in a cluster the lease defaults to the pod's namespace",
	"metrics-cert-name":         "metrics.certSecret is a kubernetes.io/tls Secret, whose keys are the defaults",
	"metrics-cert-key":          "metrics.certSecret is a kubernetes.io/tls Secret, whose keys are the defaults",
}

// managerFlags returns the flags cmd/main.go defines with the flag package.
func managerFlags(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), repoPath("cmd", "main.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !strings.HasSuffix(sel.Sel.Name, "Var") || len(call.Args) < 2 {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "flag" {
			return true
		}
		if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			name, err := strconv.Unquote(lit.Value)
			if err == nil {
				names = append(names, name)
			}
		}
		return true
	})
	if len(names) < 10 {
		t.Fatalf("found only %d flags in cmd/main.go: %v", len(names), names)
	}
	return names
}

// checkEveryFlag fails unless the chart passes every manager flag, apart
// from those left to their defaults and those that only some values set.
func checkEveryFlag(t *testing.T, args []string, setByOtherValues ...string) {
	t.Helper()
	for _, name := range managerFlags(t) {
		if _, ok := flagsLeftToDefaults[name]; ok || slices.Contains(setByOtherValues, name) {
			continue
		}
		if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--"+name+"=") }) {
			t.Errorf("the chart does not pass --%s (add a value for it, or list it in flagsLeftToDefaults)", name)
		}
	}
	for _, zap := range []string{"zap-log-level", "zap-encoder"} {
		if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--"+zap+"=") }) {
			t.Errorf("the chart does not pass --%s", zap)
		}
	}
}
