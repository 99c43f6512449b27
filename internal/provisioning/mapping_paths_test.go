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
