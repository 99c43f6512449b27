package scim

import (
	"errors"
	"testing"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// The controller blames the CA bundle Secret only for this error, so New
// must return it wrapped, and must not for an unrelated URL error.
func TestNewBadCABundleIsTyped(t *testing.T) {
	_, err := New("https://x/scim", "t", Options{CABundle: []byte("not pem")})
	if !errors.Is(err, httpx.ErrInvalidCABundle) {
		t.Fatalf("err = %v, want httpx.ErrInvalidCABundle", err)
	}
	_, err = New("ftp://x/scim", "t", Options{CABundle: []byte("not pem")})
	if err == nil || errors.Is(err, httpx.ErrInvalidCABundle) {
		t.Fatalf("bad URL: err = %v, want a URL error", err)
	}
}
