package okta

import (
	"errors"
	"testing"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// A junk CA bundle is reported as such, wrapped, so callers can blame it.
func TestNewBadCABundleIsTyped(t *testing.T) {
	_, err := New("https://example.okta.com", SSWS("t"), Options{CABundle: []byte("junk")})
	if !errors.Is(err, httpx.ErrInvalidCABundle) {
		t.Fatalf("err = %v, want httpx.ErrInvalidCABundle", err)
	}
}
