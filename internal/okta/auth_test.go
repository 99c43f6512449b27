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
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// oauthEnv registers an app for key k and returns a client using it.
func oauthEnv(t *testing.T, opts oktaserver.Options, app oktaserver.OAuthClient, k testKey, oc OAuthConfig) (*env, *Client) {
	t.Helper()
	e := newEnv(t, opts)
	app.ClientID = "0oaTestApp"
	app.PublicKey = k.pub
	e.srv.RegisterClient(app)
	oc.ClientID = app.ClientID
	oc.PrivateKeyPEM = k.pem
	auth, err := OAuth(oc)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(func(c *testConfig) { c.Auth = auth })
	return e, c
}

func TestAuthModes(t *testing.T) {
	keys := testKeys(t)
	tests := []struct {
		name      string
		key       testKey
		app       oktaserver.OAuthClient
		oc        OAuthConfig
		wantMode  string
		wantProof bool // the API token is DPoP-bound
	}{
		{"bearer rsa pkcs1", keys[0], oktaserver.OAuthClient{}, OAuthConfig{}, "oauth", false},
		{"bearer rsa pkcs8 with kid", keys[1], oktaserver.OAuthClient{KeyID: "k1"}, OAuthConfig{KeyID: "k1"}, "oauth", false},
		{"dpop ec pkcs8", keys[2], oktaserver.OAuthClient{RequireDPoP: true}, OAuthConfig{DPoP: true}, "oauth-dpop", true},
		{"dpop ec sec1 with kid", keys[3], oktaserver.OAuthClient{RequireDPoP: true, KeyID: "ec"}, OAuthConfig{DPoP: true, KeyID: "ec"}, "oauth-dpop", true},
		{"dpop ec p384", keys[4], oktaserver.OAuthClient{RequireDPoP: true}, OAuthConfig{DPoP: true}, "oauth-dpop", true},
		{"dpop offered, app issues bearer", keys[2], oktaserver.OAuthClient{BearerOnly: true}, OAuthConfig{DPoP: true}, "oauth-dpop", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, c := oauthEnv(t, oktaserver.Options{}, tc.app, tc.key, tc.oc)
			users, groups := e.mustGen(3, 1)
			if c.AuthMode() != tc.wantMode {
				t.Errorf("mode = %s", c.AuthMode())
			}
			if r := c.Verify(t.Context()); r.Reason != check.OK {
				t.Fatalf("Verify = %+v", r)
			}
			u, err := c.GetUser(t.Context(), users[0])
			if err != nil || u.ID != users[0] {
				t.Fatalf("GetUser = %v, %v", u.ID, err)
			}
			if _, err := collect(c.ListGroupMembers(t.Context(), groups[0])); err != nil {
				t.Fatal(err)
			}
			if n := e.srv.TokensIssued(); n != 1 {
				t.Errorf("tokens issued = %d, want 1 (cached)", n)
			}
			oa := c.auth.(*oauthAuth)
			if oa.tok == nil || oa.tok.dpop != tc.wantProof {
				t.Errorf("token dpop = %v, want %v", oa.tok != nil && oa.tok.dpop, tc.wantProof)
			}
			// A DPoP token endpoint first demands a nonce: two token calls, one 400.
			wantTokenCalls := int64(1)
			if tc.wantProof {
				wantTokenCalls = 2
			}
			if n := e.srv.Count("POST /oauth2/v1/token"); n != wantTokenCalls {
				t.Errorf("token endpoint calls = %d, want %d", n, wantTokenCalls)
			}
		})
	}
}

func TestSSWS(t *testing.T) {
	e := newEnv(t, oktaserver.Options{APIToken: "00secret-token-value"})
	users, _ := e.mustGen(2, 0)
	good := e.client(nil)
	if _, err := good.GetUser(t.Context(), users[0]); err != nil {
		t.Fatal(err)
	}
	bad := e.client(func(c *testConfig) { c.Auth = SSWS("00wrong-token-value") })
	_, err := bad.GetUser(t.Context(), users[0])
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.ErrorCode != CodeInvalidToken || ae.Status != 401 || ae.ErrorSummary == "" {
		t.Fatalf("APIError = %+v", ae)
	}
	if strings.Contains(err.Error(), "00wrong-token-value") {
		t.Error("token leaked into error")
	}
	if s := SSWS("x").(*sswsAuth).String(); strings.Contains(s, "x)") {
		t.Errorf("String leaks token: %s", s)
	}
	if _, err := New(e.hs.URL, SSWS(""), Options{}); err == nil {
		t.Error("empty token accepted")
	}
}

func TestTokenRefreshOn401(t *testing.T) {
	keys := testKeys(t)
	for _, dpop := range []bool{false, true} {
		t.Run(map[bool]string{false: "bearer", true: "dpop"}[dpop], func(t *testing.T) {
			e, c := oauthEnv(t, oktaserver.Options{}, oktaserver.OAuthClient{RequireDPoP: dpop}, keys[2], OAuthConfig{DPoP: dpop})
			users, _ := e.mustGen(1, 0)
			if _, err := c.GetUser(t.Context(), users[0]); err != nil {
				t.Fatal(err)
			}
			e.srv.RevokeTokens()
			if _, err := c.GetUser(t.Context(), users[0]); err != nil {
				t.Fatalf("after revoke: %v", err)
			}
			if n := e.srv.TokensIssued(); n != 2 {
				t.Errorf("tokens issued = %d, want 2", n)
			}
			if n := e.srv.Count("GET /api/v1/users/{id}", 401); n != 1 {
				t.Errorf("401s = %d, want 1", n)
			}
		})
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	keys := testKeys(t)
	e, c := oauthEnv(t, oktaserver.Options{TokenTTL: time.Second}, oktaserver.OAuthClient{}, keys[0], OAuthConfig{})
	users, _ := e.mustGen(1, 0)
	for range 3 {
		if _, err := c.GetUser(t.Context(), users[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.TokensIssued(); n != 1 {
		t.Fatalf("tokens = %d, want 1", n)
	}
	time.Sleep(900 * time.Millisecond) // past the refresh point (80% of 1 s)
	if _, err := c.GetUser(t.Context(), users[0]); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.TokensIssued(); n != 2 {
		t.Fatalf("tokens = %d, want 2", n)
	}
	if n := e.srv.Count("GET /api/v1/users/{id}", 401); n != 0 {
		t.Errorf("saw %d 401s; the token should be refreshed before it expires", n)
	}
}

func TestDPoPResourceNonce(t *testing.T) {
	keys := testKeys(t)
	e, c := oauthEnv(t, oktaserver.Options{}, oktaserver.OAuthClient{RequireDPoP: true}, keys[2], OAuthConfig{DPoP: true})
	users, _ := e.mustGen(1, 0)
	e.srv.RequireAPINonce(true)
	for range 2 {
		if _, err := c.GetUser(t.Context(), users[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.Count("GET /api/v1/users/{id}", 401); n != 1 {
		t.Errorf("401s = %d, want 1 (nonce learned once)", n)
	}
	if n := e.srv.TokensIssued(); n != 1 {
		t.Errorf("a nonce demand must not refresh the token; tokens = %d", n)
	}
	// A rotated nonce is learned again.
	e.srv.RotateNonces()
	if _, err := c.GetUser(t.Context(), users[0]); err != nil {
		t.Fatal(err)
	}
}

func TestOAuthFailures(t *testing.T) {
	keys := testKeys(t)
	tests := []struct {
		name       string
		app        oktaserver.OAuthClient
		oc         OAuthConfig
		key        int // key the client signs with
		wantReason check.Reason
		wantIs     error
	}{
		{"dpop required but off", oktaserver.OAuthClient{RequireDPoP: true}, OAuthConfig{}, 2, check.DPoPRequired, ErrDPoPRequired},
		{"wrong key", oktaserver.OAuthClient{}, OAuthConfig{}, 0, check.Unauthorized, ErrUnauthorized},
		{"wrong kid", oktaserver.OAuthClient{KeyID: "a"}, OAuthConfig{KeyID: "b"}, 2, check.Unauthorized, ErrUnauthorized},
		{"scope not granted", oktaserver.OAuthClient{Scopes: []string{"okta.users.read"}}, OAuthConfig{}, 2, check.Forbidden, ErrForbidden},
		{"scope granted but group read missing", oktaserver.OAuthClient{Scopes: []string{"okta.users.read"}}, OAuthConfig{Scopes: []string{"okta.users.read"}}, 2, check.Forbidden, ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oktaserver.Options{})
			tc.app.ClientID, tc.app.PublicKey = "0oaApp", keys[2].pub
			e.srv.RegisterClient(tc.app)
			tc.oc.ClientID, tc.oc.PrivateKeyPEM = "0oaApp", keys[tc.key].pem
			auth, err := OAuth(tc.oc)
			if err != nil {
				t.Fatal(err)
			}
			c := e.client(func(cfg *testConfig) { cfg.Auth = auth })
			r := c.Verify(t.Context())
			if r.Reason != tc.wantReason {
				t.Fatalf("Verify = %+v, want %s", r, tc.wantReason)
			}
			_, err = collect(c.ListGroupMembers(t.Context(), "00gnone"))
			if !errors.Is(err, tc.wantIs) {
				t.Fatalf("err = %v, want %v", err, tc.wantIs)
			}
			if strings.Contains(r.Message, "eyJ") || strings.Contains(err.Error(), "eyJ") {
				t.Error("a JWT leaked into an error message")
			}
		})
	}
}

func TestOAuthConfigErrors(t *testing.T) {
	keys := testKeys(t)
	if _, err := OAuth(OAuthConfig{PrivateKeyPEM: keys[0].pem}); err == nil {
		t.Error("missing client id accepted")
	}
	if _, err := OAuth(OAuthConfig{ClientID: "x", PrivateKeyPEM: []byte("nope")}); err == nil {
		t.Error("bad PEM accepted")
	}
	a, err := OAuth(OAuthConfig{ClientID: "x", PrivateKeyPEM: keys[0].pem, TokenURL: "::bad"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New("https://example.okta.com", a, Options{}); err == nil {
		t.Error("bad token URL accepted")
	}
	if s := a.(*oauthAuth).String(); strings.Contains(s, "PRIVATE") {
		t.Error("String leaks key")
	}
}

func TestTokenAccounting(t *testing.T) {
	keys := testKeys(t)
	var observed []httpx.RequestKey
	e := newEnv(t, oktaserver.Options{})
	e.srv.RegisterClient(oktaserver.OAuthClient{ClientID: "app", PublicKey: keys[2].pub, RequireDPoP: true})
	auth, _ := OAuth(OAuthConfig{ClientID: "app", PrivateKeyPEM: keys[2].pem, DPoP: true})
	c := e.client(func(cfg *testConfig) {
		cfg.Auth = auth
		cfg.Observer = func(k httpx.RequestKey, _ time.Duration) { observed = append(observed, k) }
	})
	if r := c.Verify(t.Context()); r.Reason != check.OK {
		t.Fatal(r)
	}
	snap := c.Accounting().Snapshot()
	for _, k := range []httpx.RequestKey{{Kind: "token", Method: "POST", Outcome: "400"}, {Kind: "token", Method: "POST", Outcome: "200"}, {Kind: "verify", Method: "GET", Outcome: "200"}} {
		if snap[k] != 1 {
			t.Errorf("accounting[%v] = %d, want 1", k, snap[k])
		}
	}
	if len(observed) != 3 {
		t.Errorf("observer saw %d requests, want 3", len(observed))
	}
}

// A token the API keeps rejecting is refreshed once, then the 401 is returned.
func TestPersistent401RefreshesOnce(t *testing.T) {
	keys := testKeys(t)
	var tokenCalls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/v1/token" {
			tokenCalls.Add(1)
			_, _ = io.WriteString(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"tok"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[]}`)
	}))
	defer hs.Close()
	auth, err := OAuth(OAuthConfig{ClientID: "app", PrivateKeyPEM: keys[0].pem})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(hs.URL, auth, Options{Limiters: NewLimiters(LimiterOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(t.Context(), "x"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if n := tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2 (one refresh)", n)
	}
}
