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
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// decode splits a YAML stream into objects. Duplicate keys are an error:
// YAML parsers disagree on which one wins.
func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			t.Fatalf("%v in:\n%s", err, doc)
		}
		if string(bytes.TrimSpace(js)) == "null" {
			continue // an empty document, e.g. a disabled template
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			t.Fatalf("%v in:\n%s", err, doc)
		}
		out = append(out, u)
	}
}

// applyAll applies objs with server-side apply as fieldManager, the way
// `kubectl apply --server-side` or Argo CD would: namespaces first (those
// the objects live in are created when the stream lacks them), then CRDs
// until they are established, then the rest. It fails on any error or
// warning, then reads every object back.
func applyAll(t *testing.T, fieldManager string, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := t.Context()
	warnings.take()

	have := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			have[o.GetName()] = true
		}
	}
	var first, crds, rest []*unstructured.Unstructured
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && !have[ns] {
			have[ns] = true
			n := &unstructured.Unstructured{}
			n.SetAPIVersion("v1")
			n.SetKind("Namespace")
			n.SetName(ns)
			first = append(first, n)
		}
		switch o.GetKind() {
		case "Namespace":
			first = append(first, o)
		case "CustomResourceDefinition":
			crds = append(crds, o)
		default:
			rest = append(rest, o)
		}
	}
	apply := func(o *unstructured.Unstructured, opts ...client.ApplyOption) {
		t.Helper()
		opts = append(opts, client.FieldOwner(fieldManager))
		if err := k8s.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()), opts...); err != nil {
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
	for _, o := range first {
		apply(o)
	}
	// The tests share one API server, so CRDs that another test applied with
	// other labels would conflict; a real cluster has one owner per CRD.
	for _, o := range crds {
		apply(o, client.ForceOwnership)
	}
	for _, o := range crds {
		waitEstablished(t, o.GetName())
	}
	for _, o := range rest {
		apply(o)
	}
	if w := warnings.take(); len(w) > 0 {
		t.Errorf("the API server warned while applying: %q", w)
	}

	for _, o := range objs {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(o.GroupVersionKind())
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(o), got); err != nil {
			t.Errorf("%s %s/%s was applied but cannot be read: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			continue
		}
		if !slices.ContainsFunc(got.GetManagedFields(), func(m metav1.ManagedFieldsEntry) bool {
			return m.Manager == fieldManager && m.Operation == "Apply"
		}) {
			t.Errorf("%s %s/%s has no fields applied by %s", o.GetKind(), o.GetNamespace(), o.GetName(), fieldManager)
		}
	}
	t.Logf("applied %d objects as %s", len(objs), fieldManager)
}

// waitEstablished waits until the API server serves a CRD: it accepted the
// schema and names.
func waitEstablished(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		err := k8s.Get(t.Context(), client.ObjectKey{Name: name}, crd)
		if err == nil {
			for _, c := range crd.Status.Conditions {
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("CRD %s not established: %v %+v", name, err, crd.Status.Conditions)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// find returns the rendered object of a kind and name, failing if absent.
func find(t *testing.T, objs []*unstructured.Unstructured, kind, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetNamespace() == namespace && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s/%s rendered", kind, namespace, name)
	return nil
}

// ofKind returns the rendered objects of a kind.
func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// as converts an object to a typed one.
func as[T any](t *testing.T, o *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, out); err != nil {
		t.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
	}
	return out
}

// repoPath returns a path relative to the repository root.
func repoPath(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

// tool returns the path of a tool from env, or bin/name.
func tool(t *testing.T, env, name string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		abs, err := filepath.Abs(repoPath("bin", name))
		if err != nil {
			t.Fatal(err)
		}
		path = abs
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s not found (%v): run `make %s` or set %s", name, err, name, env)
	}
	return path
}

// run runs a command and returns its standard output, failing on error.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, stderr.String())
	}
	return out
}
