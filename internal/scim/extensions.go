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

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Extension schemas other than Cisco's and the enterprise one are not known
// in advance (a Generic target defines its own), so a User keeps them in a
// map. Users without one, nearly all, cost one scan of their bytes more.

// UnmarshalJSON decodes the known attributes, and the other extension
// schemas only when the object has one.
func (u *User) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, (*userAlias)(u)); err != nil {
		return err
	}
	u.Extensions = nil
	if !hasOtherExtension(data) {
		return nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for key, raw := range all {
		if !otherExtension(key) {
			continue
		}
		var attrs map[string]any
		if err := json.Unmarshal(raw, &attrs); err != nil || attrs == nil {
			continue // not an object: not an extension we can use
		}
		if u.Extensions == nil {
			u.Extensions = map[string]map[string]any{}
		}
		u.Extensions[key] = attrs
	}
	return nil
}

// otherExtension reports whether a top-level key is an extension schema
// User does not model with a field of its own.
func otherExtension(key string) bool {
	if !strings.HasPrefix(strings.ToLower(key), "urn:") {
		return false
	}
	for _, known := range []string{SchemaUser, SchemaCiscoUser, SchemaEnterpriseUser} {
		if strings.EqualFold(key, known) {
			return false
		}
	}
	return true
}

// hasOtherExtension looks for an object key starting with "urn:" that is
// not a known schema. Schema URNs inside the schemas list are followed by
// a comma or a bracket, not a colon, so they do not count. A false
// positive (the text inside a string value) only costs a second decode.
func hasOtherExtension(data []byte) bool {
	rest := data
	for {
		i := bytes.Index(rest, []byte(`"urn:`))
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return false
		}
		key := rest[:end]
		after := bytes.TrimLeft(rest[end+1:], " \t\r\n")
		rest = rest[end+1:]
		if len(after) > 0 && after[0] == ':' && otherExtension(string(key)) {
			return true
		}
	}
}

func sortedExtensions(exts map[string]map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(exts)) {
		if otherExtension(k) && len(exts[k]) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// appendExtensions adds the extension objects to a marshalled user.
func appendExtensions(obj []byte, keys []string, exts map[string]map[string]any) ([]byte, error) {
	buf := bytes.NewBuffer(obj[:len(obj)-1]) // drop the closing brace
	for _, k := range keys {
		name, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(exts[k])
		if err != nil {
			return nil, err
		}
		buf.WriteByte(',')
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(val)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
