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

package scim

// PatchOp is one RFC 7644 §3.5.2 operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []PatchOp `json:"Operations"`
}

func newPatch(ops []PatchOp) patchRequest {
	return patchRequest{Schemas: []string{SchemaPatchOp}, Operations: ops}
}

// ReplaceOp replaces the attribute at path.
func ReplaceOp(path string, value any) PatchOp {
	return PatchOp{Op: "replace", Path: path, Value: value}
}

// ReplaceValuesOp is the path-less replace Okta sends, e.g.
// {"op":"replace","value":{"active":false}}; servers accept it most widely.
func ReplaceValuesOp(values map[string]any) PatchOp { return PatchOp{Op: "replace", Value: values} }

// AddOp adds value at path.
func AddOp(path string, value any) PatchOp { return PatchOp{Op: "add", Path: path, Value: value} }

// RemoveOp removes the attribute or values at path.
func RemoveOp(path string) PatchOp { return PatchOp{Op: "remove", Path: path} }
