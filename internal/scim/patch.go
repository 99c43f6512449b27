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
