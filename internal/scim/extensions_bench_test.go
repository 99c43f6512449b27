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
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkDecodeUser compares a user's decode with and without the scan
// for other extensions (userAlias has no UnmarshalJSON).
func BenchmarkDecodeUser(b *testing.B) {
	data := []byte(fmt.Sprintf(`{"schemas":[%q,%q],"id":"2819c223-7f76-453a-919d-413861904646","externalId":"00u1emaKYZTWRYYRRTSK",`+
		`"userName":"ada.lovelace.1@example.com","displayName":"Ada Lovelace","name":{"givenName":"Ada","familyName":"Lovelace",`+
		`"formatted":"Ada Lovelace"},"active":true,%q:{"nativeObjectId":"q83vEjRWeJq83vEjRWeJqw=="},`+
		`"meta":{"resourceType":"User","created":"2026-11-29T13:06:00Z","lastModified":"2026-11-29T13:06:00Z"}}`,
		SchemaUser, SchemaCiscoUser, SchemaCiscoUser))
	b.Run("User", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var u User
			if err := json.Unmarshal(data, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fields only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var u userAlias
			if err := json.Unmarshal(data, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
}
