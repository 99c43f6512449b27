package httpx

import (
	"errors"
	"testing"
)

// Callers tell a broken CA bundle from other setup errors by this sentinel.
func TestNewTransportBadCABundleIsTyped(t *testing.T) {
	_, err := NewTransport(TransportOptions{CABundle: []byte("not a certificate")})
	if !errors.Is(err, ErrInvalidCABundle) {
		t.Fatalf("err = %v, want ErrInvalidCABundle", err)
	}
}
