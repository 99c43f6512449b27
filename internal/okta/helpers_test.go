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
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// env is an emulator on loopback plus a client factory.
type env struct {
	t   *testing.T
	srv *oktaserver.Server
	hs  *httptest.Server
}

func newEnv(t *testing.T, opts oktaserver.Options) *env {
	t.Helper()
	srv := oktaserver.New(opts)
	hs := httptest.NewServer(srv.Handler()) // binds 127.0.0.1
	t.Cleanup(hs.Close)
	return &env{t: t, srv: srv, hs: hs}
}

// testConfig is what a test client is built from, so one func can change
// any of New's arguments.
type testConfig struct {
	OrgURL string
	Auth   Auth
	Options
}

// client returns a client with a private limiter so tests don't share budgets.
func (e *env) client(mod func(*testConfig)) *Client {
	e.t.Helper()
	cfg := testConfig{
		OrgURL: e.hs.URL,
		Auth:   SSWS(e.srv.APIToken()),
		Options: Options{
			Limiters: NewLimiters(LimiterOptions{}),
			Backoff:  httpx.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
			Overlap:  time.Millisecond,
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg.OrgURL, cfg.Auth, cfg.Options)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return c
}

func (e *env) mustGen(users, groups int) ([]string, []string) {
	e.t.Helper()
	u, g, err := e.srv.Generate(oktaserver.GenOptions{Users: users, Groups: groups, Seed: 7})
	if err != nil {
		e.t.Fatal(err)
	}
	return u, g
}

func pemBlock(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

type testKey struct {
	name string
	pem  []byte
	pub  any
}

var (
	keysOnce   sync.Once
	cachedKeys []testKey
)

// testKeys returns one key per supported PEM encoding, generated once per
// test binary because RSA generation is slow.
func testKeys(t *testing.T) []testKey {
	t.Helper()
	keysOnce.Do(func() { cachedKeys = genKeys(t) })
	if cachedKeys == nil {
		t.Fatal("key generation failed")
	}
	return cachedKeys
}

func genKeys(t *testing.T) []testKey {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ek384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p8rsa, _ := x509.MarshalPKCS8PrivateKey(rk)
	p8ec, _ := x509.MarshalPKCS8PrivateKey(ek)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	sec1384, _ := x509.MarshalECPrivateKey(ek384)
	return []testKey{
		{"rsa-pkcs1", pemBlock(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), &rk.PublicKey},
		{"rsa-pkcs8", pemBlock(t, "PRIVATE KEY", p8rsa), &rk.PublicKey},
		{"ec-pkcs8", pemBlock(t, "PRIVATE KEY", p8ec), &ek.PublicKey},
		{"ec-sec1", pemBlock(t, "EC PRIVATE KEY", sec1), &ek.PublicKey},
		{"ec384-sec1", pemBlock(t, "EC PRIVATE KEY", sec1384), &ek384.PublicKey},
	}
}

// collectMembers gathers member ids, failing on duplicates.
func collectMembers(t *testing.T, c *Client, groupID string) ([]string, error) {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for u, err := range c.ListGroupMembers(t.Context(), groupID) {
		if err != nil {
			return ids, err
		}
		if seen[u.ID] {
			t.Fatalf("member %s seen twice", u.ID)
		}
		seen[u.ID] = true
		ids = append(ids, u.ID)
	}
	return ids, nil
}

func makeURLError() url.Error {
	return url.Error{Op: "Get", URL: "https://o.okta.com/api/v1/users?search=secret-search", Err: errors.New("boom")}
}
