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
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestIsTLSError(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	resp, untrusted := http.Get(tlsSrv.URL) // default roots do not trust the test CA
	if resp != nil {
		_ = resp.Body.Close()
	}

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"untrusted certificate", untrusted, true},
		{"non-TLS peer", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, true},
		{"unknown authority", fmt.Errorf("x: %w", x509.UnknownAuthorityError{}), true},
		{"hostname", x509.HostnameError{Host: "h"}, true},
		{"invalid", x509.CertificateInvalidError{}, true},
		{"alert", tls.AlertError(40), true},
		{"remote error", &net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}, true},
		{"refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"nil", nil, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTLSError(tc.err); got != tc.want {
				t.Fatalf("IsTLSError(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
