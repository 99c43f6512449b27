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

import (
	"testing"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// The PATCH paths of the fixed attributes come from one table.
func TestFixedPath(t *testing.T) {
	for r, want := range map[attrRef]string{
		refUserName: "userName", refDisplayName: "displayName", refGivenName: "name.givenName",
		refFamilyName: "name.familyName", refFormatted: "name.formatted", refEmail: "emails",
		refNativeObjectID: scim.SchemaCiscoUser + ":nativeObjectId",
	} {
		if got := fixedPath[r]; got != want {
			t.Errorf("fixedPath[%d] = %q, want %q", r, got, want)
		}
	}
	if len(fixedPath) != 7 {
		t.Errorf("fixedPath has %d entries, want 7", len(fixedPath))
	}
}
