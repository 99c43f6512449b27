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
