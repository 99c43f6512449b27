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
