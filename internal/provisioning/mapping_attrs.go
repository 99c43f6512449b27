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

package provisioning

// get returns the value kept for r.
func (a *userAttrs) get(r attrRef) string {
	switch r {
	case refUserName:
		return a.UserName
	case refDisplayName:
		return a.DisplayName
	case refGivenName:
		return a.GivenName
	case refFamilyName:
		return a.FamilyName
	case refEmail:
		return a.Email
	case refNativeObjectID:
		return a.NativeObjectID
	case refFormatted:
		return a.Formatted
	}
	if int(r) < len(a.Extra) {
		return a.Extra[r]
	}
	return ""
}

// set stores v for r. The caller owns a: a target user's values are
// shared, so its changes go through editAttrs, which copies them first.
func (a *userAttrs) set(r attrRef, v string, extras int) {
	switch r {
	case refUserName:
		a.UserName = v
	case refDisplayName:
		a.DisplayName = v
	case refGivenName:
		a.GivenName = v
	case refFamilyName:
		a.FamilyName = v
	case refEmail:
		a.Email = v
	case refNativeObjectID:
		a.NativeObjectID = v
	case refFormatted:
		a.Formatted = v
	default:
		if len(a.Extra) < extras {
			a.Extra = append(a.Extra, make([]string, extras-len(a.Extra))...)
		}
		a.Extra[r] = v
	}
}

// extras is how many attributes the mapping keeps in userAttrs.Extra.
func (m *compiledMapping) extras() int {
	if m == nil {
		return 0
	}
	return len(m.extra)
}
