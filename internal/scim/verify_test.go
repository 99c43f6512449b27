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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// testPKI makes a CA and a 127.0.0.1 server certificate signed by it.
func testPKI(t *testing.T) (caPEM []byte, serverCert tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scimbridge test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestCABundleTLS(t *testing.T) {
	caPEM, cert := testPKI(t)
	srv, _ := scimserver.New(scimserver.Options{Token: testToken})
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	base := ts.URL + srv.BasePath()

	with, err := New(base, testToken, Options{CABundle: caPEM, RPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	if r := with.Verify(ctxT(t)); r.Reason != check.OK {
		t.Fatalf("with CA bundle: %+v", r)
	}
	if _, err := with.CreateUser(ctxT(t), User{UserName: "tls@x"}); err != nil {
		t.Fatal(err)
	}

	without, _ := New(base, testToken, fastOptions())
	r := without.Verify(ctxT(t))
	if r.Reason != check.TLSError || r.Status != 0 {
		t.Fatalf("without CA bundle: %+v", r)
	}
	if _, err := without.GetUser(ctxT(t), "x"); err == nil || !httpx.IsTLSError(err) {
		t.Fatalf("err = %v", err)
	}
	if keys := keysOf(without.Accounting()); !slices.Contains(keys, "users.get/GET/tls") {
		t.Fatalf("accounting = %v", keys)
	}

	// The TLS 1.2 floor: a server offering only TLS 1.1 is refused.
	old := httptest.NewUnstartedServer(srv)
	old.Config.ErrorLog = ts.Config.ErrorLog
	old.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS11}
	old.StartTLS()
	t.Cleanup(old.Close)
	c, _ := New(old.URL+srv.BasePath(), testToken, Options{CABundle: caPEM, RPS: -1})
	if r := c.Verify(ctxT(t)); r.Reason != check.TLSError {
		t.Fatalf("TLS 1.1 server: %+v", r)
	}
}

func TestVerify(t *testing.T) {
	htmlPage := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><title>Portal</title></html>"))
		}
	}
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T) *Client
		want   check.Reason
		status int
	}{
		{"ok", func(t *testing.T) *Client { return newFastEnv(t).client }, check.OK, 200},
		{"unauthorized", func(t *testing.T) *Client {
			e := newFastEnv(t)
			c, _ := New(e.ts.URL+e.srv.BasePath(), "nope", fastOptions())
			return c
		}, check.Unauthorized, 401},
		{"forbidden", func(t *testing.T) *Client {
			e := newFastEnv(t)
			e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 403})
			return e.client
		}, check.Forbidden, 403},
		{"server down", func(t *testing.T) *Client {
			e := newFastEnv(t)
			e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 503})
			return e.client
		}, check.Unreachable, 503},
		{"refused", func(t *testing.T) *Client {
			c, ts := rawServer(t, htmlPage(200), fastOptions())
			ts.Close()
			return c
		}, check.Unreachable, -1},
		{"html 200", func(t *testing.T) *Client { c, _ := rawServer(t, htmlPage(200), fastOptions()); return c }, check.NotSCIMEndpoint, 200},
		{"html 404", func(t *testing.T) *Client { c, _ := rawServer(t, htmlPage(404), fastOptions()); return c }, check.NotSCIMEndpoint, 404},
		{"json but not a list", func(t *testing.T) *Client {
			c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"hello":"world"}`)) }, fastOptions())
			return c
		}, check.NotSCIMEndpoint, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.setup(t)
			r := c.Verify(ctxT(t))
			if r.Reason != tc.want || r.Message == "" {
				t.Fatalf("got %+v, want %s", r, tc.want)
			}
			if tc.status == -1 {
				tc.status = 0 // no answer at all
			}
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			assertNoToken(t, r.Message)
			// Verify never retries: one attempt recorded.
			if n := c.Accounting().Total(); n != 1 {
				t.Fatalf("%d attempts", n)
			}
		})
	}
}

func TestVerifyRequest(t *testing.T) {
	var query string
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Path + "?" + r.URL.RawQuery
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
	}, fastOptions())
	if r := c.Verify(ctxT(t)); r.Reason != check.OK {
		t.Fatal(r)
	}
	if query != "/scim/v2/Users?count=2&startIndex=1" {
		t.Fatalf("request = %s", query)
	}
}

func TestRedirectsStayOnOrigin(t *testing.T) {
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked = true }))
	t.Cleanup(other.Close)
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}, fastOptions())
	_, err := c.GetUser(ctxT(t), "x")
	if err == nil || leaked || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("err = %v, leaked = %v", err, leaked)
	}

	// Same-origin redirects are followed, with the token.
	var auth string
	mux := http.NewServeMux()
	mux.HandleFunc("/old/Users/x", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new/Users/x", http.StatusFound) })
	mux.HandleFunc("/new/Users/x", func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_, _ = w.Write([]byte(`{"id":"x","userName":"y"}`))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	c2, _ := New(ts.URL+"/old", testToken, fastOptions())
	if u, err := c2.GetUser(ctxT(t), "x"); err != nil || u.UserName != "y" || auth != "Bearer "+testToken {
		t.Fatalf("u = %+v, err = %v, auth = %q", u, err, auth)
	}
	if errors.Is(err, ErrNotFound) {
		t.Fatal("unexpected")
	}
}
