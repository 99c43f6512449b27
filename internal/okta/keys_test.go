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

package okta

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/scimbridge/scimbridge/internal/check"
)

func TestParsePrivateKey(t *testing.T) {
	keys := testKeys(t)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p224der, _ := x509.MarshalECPrivateKey(p224)
	p521der, _ := x509.MarshalECPrivateKey(p521)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	tests := []struct {
		name    string
		pem     []byte
		wantAlg jose.SignatureAlgorithm
		wantErr string
	}{
		{"rsa pkcs1", keys[0].pem, jose.RS256, ""},
		{"rsa pkcs8", keys[1].pem, jose.RS256, ""},
		{"ec pkcs8", keys[2].pem, jose.ES256, ""},
		{"ec sec1", keys[3].pem, jose.ES256, ""},
		{"ec p384", keys[4].pem, jose.ES384, ""},
		{"ec p521", pemBlock(t, "EC PRIVATE KEY", p521der), jose.ES512, ""},
		{"not pem", []byte("hello"), "", "not PEM"},
		{"certificate", pemBlock(t, "CERTIFICATE", []byte{1}), "", "unsupported PEM block"},
		{"corrupt", pemBlock(t, "RSA PRIVATE KEY", []byte{1, 2, 3}), "", "parsing private key"},
		{"short rsa", pemBlock(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "", "2048"},
		{"p224", pemBlock(t, "EC PRIVATE KEY", p224der), "", "curve"},
		{"ed25519", pemBlock(t, "PRIVATE KEY", edDER), "", "unsupported private key type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, alg, err := parsePrivateKey(tc.pem)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "BEGIN") {
					t.Error("error echoes key material")
				}
				return
			}
			if err != nil || alg != tc.wantAlg {
				t.Fatalf("alg %s err %v", alg, err)
			}
		})
	}
}

func TestTokenEndpointErrorShapes(t *testing.T) {
	keys := testKeys(t)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(error) bool
	}{
		{"okta error body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"errorCode":"E0000047","errorSummary":"slow down","errorCauses":[]}`)
		}, func(err error) bool {
			var ae *APIError
			return errors.As(err, &ae) && ae.Kind == "token" && errors.Is(err, ErrRateLimited)
		}},
		{"oauth error", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"nope"}`)
		}, func(err error) bool { return errors.Is(err, ErrUnauthorized) }},
		{"dpop token without proof", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"token_type":"DPoP","expires_in":60,"access_token":"t"}`)
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "DPoP token") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := httptest.NewServer(tc.handler)
			defer hs.Close()
			auth, _ := OAuth(OAuthConfig{ClientID: "app", PrivateKeyPEM: keys[2].pem})
			c, err := New(hs.URL, auth, Options{Limiters: NewLimiters(LimiterOptions{})})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetUser(t.Context(), "x"); !tc.check(err) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// An unreachable token endpoint is a transport error, retried and then reported.
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	auth, _ := OAuth(OAuthConfig{ClientID: "app", PrivateKeyPEM: keys[2].pem})
	c, _ := New(url, auth, Options{MaxRetries: 1, Limiters: NewLimiters(LimiterOptions{})})
	err := c.Verify(t.Context())
	if err.Reason != check.Unreachable {
		t.Fatalf("Verify = %+v", err)
	}
	var ra *retryable
	_, gerr := c.GetUser(t.Context(), "x")
	if gerr == nil || errors.As(gerr, &ra) {
		t.Fatalf("err = %v (retry wrapper must not leak)", gerr)
	}
	r := &retryable{err: ErrNotFound}
	if r.Error() != ErrNotFound.Error() || !errors.Is(r, ErrNotFound) {
		t.Error("retryable does not wrap")
	}
}
