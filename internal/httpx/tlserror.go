package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// IsTLSError reports whether err comes from TLS: an untrusted or invalid
// certificate, a hostname mismatch, a non-TLS peer, or a TLS alert. Callers
// use it to tell "fix the CA bundle" apart from "the host is down".
func IsTLSError(err error) bool {
	var (
		certErr   *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		recErr    tls.RecordHeaderError
		alert     tls.AlertError
		opErr     *net.OpError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.As(err, &invalid) || errors.As(err, &recErr) || errors.As(err, &alert) {
		return true
	}
	// A TLS alert from the peer arrives as a remote error on the connection.
	return errors.As(err, &opErr) && opErr.Op == "remote error"
}
