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

package oktaserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestFilterExpressions(t *testing.T) {
	u := &user{id: "00u1", status: Active, created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		lastUpdated: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), profile: map[string]any{"login": "A@x.com", "n": 5.0}}
	tests := []struct {
		expr    string
		want    bool
		wantErr bool
	}{
		{`status eq "ACTIVE"`, true, false},
		{`status eq "active"`, true, false}, // Okta string matching ignores case
		{`status ne "ACTIVE"`, false, false},
		{`lastUpdated gt "2024-05-31T00:00:00.000Z"`, true, false},
		{`lastUpdated gt "2024-06-01T12:00:00.000Z"`, false, false},
		{`lastUpdated ge "2024-06-01T12:00:00.000Z"`, true, false},
		{`lastUpdated lt "2024-06-01T12:00:00.001Z" and status eq "ACTIVE"`, true, false},
		{`status eq "SUSPENDED" or profile.login sw "a@"`, true, false},
		{`status eq "SUSPENDED" and profile.login sw "a@" or id eq "00u1"`, true, false},
		{`profile.login co "@X."`, true, false},
		{`profile.n gt 3`, true, false},
		{`profile.n le 4`, false, false},
		{`profile.missing eq "x"`, false, false},
		{`profile.missing ne "x"`, true, false},
		{`activated eq "x"`, false, false}, // null compares unequal
		{`profile.login eq "a\"b"`, false, false},
		{`created gt "not a date"`, false, true},
		{`bogus eq "x"`, false, true},
		{`status xx "ACTIVE"`, false, true},
		{`status eq`, false, true},
		{`status eq "A" and`, false, true},
		{`status eq "A" nor status eq "B"`, false, true},
		{`status eq "unterminated`, false, true},
		{``, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := parseExpr(tc.expr)
			if err == nil {
				var ok bool
				ok, err = e.match(u.lookup)
				if err == nil && ok != tc.want {
					t.Fatalf("match = %v, want %v", ok, tc.want)
				}
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
	g := &group{id: "00g1", typ: "OKTA_GROUP", name: "Eng", description: "d", lastMembershipUpdated: time.Now()}
	for _, attr := range []string{"id", "type", "created", "lastUpdated", "lastMembershipUpdated", "profile.name", "profile.description"} {
		if _, ok := g.lookup(attr); !ok {
			t.Errorf("group attribute %s unsupported", attr)
		}
	}
	for _, attr := range []string{"id", "status", "created", "lastUpdated", "type.id", "statusChanged", "lastLogin", "passwordChanged"} {
		if _, ok := u.lookup(attr); !ok {
			t.Errorf("user attribute %s unsupported", attr)
		}
	}
}

func TestLifecycle(t *testing.T) {
	tests := []struct {
		from, op, to string
		ok           bool
	}{
		{Active, "suspend", Suspended, true},
		{Suspended, "unsuspend", Active, true},
		{Staged, "activate", Active, true},
		{Provisioned, "activate", Active, true},
		{Active, "deactivate", Deprovisioned, true},
		{LockedOut, "deactivate", Deprovisioned, true},
		{Deprovisioned, "reactivate", Provisioned, true},
		{LockedOut, "unlock", Active, true},
		{Active, "lock", LockedOut, true},
		{Active, "expire", PasswordExpired, true},
		{Staged, "suspend", "", false},
		{Active, "unsuspend", "", false},
		{Active, "reactivate", "", false},
		{Active, "explode", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.from+" "+tc.op, func(t *testing.T) {
			s := New(Options{})
			id, err := s.AddUser(UserSpec{Login: "u@example.com", Status: tc.from, Created: time.Now().Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			before := s.users[id].lastUpdated
			err = s.Lifecycle(id, tc.op)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			st, _ := s.UserStatus(id)
			if tc.ok && (st != tc.to || !s.users[id].lastUpdated.After(before) || s.users[id].statusChanged == nil) {
				t.Fatalf("status %s, lastUpdated %v (before %v)", st, s.users[id].lastUpdated, before)
			}
		})
	}
	s := New(Options{})
	if err := s.Suspend("nobody"); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
	if err := s.SetStatus("nobody", "NOPE"); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if err := s.SetStatus("nobody", Active); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
}

func TestMutations(t *testing.T) {
	s := New(Options{})
	old := time.Now().Add(-time.Hour)
	a, err := s.AddUser(UserSpec{Login: "a@example.com", Created: old})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.AddUser(UserSpec{Profile: map[string]any{"login": "b@example.com"}, Status: Staged})
	if s.users[b].activated != nil || s.users[b].statusChanged != nil {
		t.Error("staged user has activation timestamps")
	}
	for _, spec := range []UserSpec{{}, {Login: "A@example.com"}, {Login: "c@x", Status: "WEIRD"}, {Login: "d@x", ID: a}} {
		if _, err := s.AddUser(spec); err == nil {
			t.Errorf("AddUser(%+v) accepted", spec)
		}
	}
	if err := s.UpdateProfile(a, map[string]any{"login": "b@example.com"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate login: %v", err)
	}
	if err := s.UpdateProfile(a, map[string]any{"login": "a2@example.com", "email": nil, "title": "T"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.users[a].profile["email"]; ok || s.users[a].profile["title"] != "T" {
		t.Errorf("profile = %v", s.users[a].profile)
	}
	if u, err := s.userLocked("A2@EXAMPLE.COM"); err != nil || u.id != a {
		t.Error("login index not updated")
	}
	if err := s.UpdateProfile("x", nil); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
	if err := s.RecordLogin("x"); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}

	g, _ := s.AddGroup(GroupSpec{Name: "G", Created: old})
	if _, err := s.AddGroup(GroupSpec{}); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if _, err := s.AddGroup(GroupSpec{Name: "dup", ID: g}); !errors.Is(err, ErrConflict) {
		t.Error(err)
	}
	lmu := s.groups[g].lastMembershipUpdated
	if err := s.AddMember(g, "a2@example.com"); err != nil {
		t.Fatal(err)
	}
	if !s.groups[g].lastMembershipUpdated.After(lmu) {
		t.Error("lastMembershipUpdated not bumped")
	}
	lmu = s.groups[g].lastMembershipUpdated
	_ = s.AddMember(g, a) // already a member: no change
	if !s.groups[g].lastMembershipUpdated.Equal(lmu) {
		t.Error("no-op add bumped lastMembershipUpdated")
	}
	_ = s.AddMember(g, b)
	if m, _ := s.Members(g); len(m) != 2 {
		t.Errorf("members = %v", m)
	}
	if err := s.RemoveMember(g, b); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{s.AddMember("nope", a), s.AddMember(g, "nope"), s.RenameGroup("nope", "x"), s.DeleteGroup("nope")} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	}
	if _, err := s.Members("nope"); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
	if err := s.RenameGroup(g, ""); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if err := s.DeleteUser(a); !errors.Is(err, ErrInvalid) {
		t.Error("deleted an active user")
	}
	_ = s.Deactivate(a)
	if err := s.DeleteUser(a); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Members(g); len(m) != 0 {
		t.Errorf("deleted user still a member: %v", m)
	}
	if err := s.DeleteUser(a); !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
	if err := s.DeleteGroup(g); err != nil || len(s.GroupIDs()) != 0 {
		t.Error("group not deleted")
	}
	if ids := s.UserIDs(); len(ids) != 1 || ids[0] != b {
		t.Errorf("users = %v", ids)
	}
}

func TestSeedAndGenerator(t *testing.T) {
	s := New(Options{})
	users, groups, err := s.Generate(GenOptions{Users: 400, Groups: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.Members(groups[0])
	if len(all) != 400 {
		t.Fatalf("all-users group has %d", len(all))
	}
	prev := len(all)
	for _, g := range groups[1:] {
		m, _ := s.Members(g)
		if len(m) > prev || len(m) == 0 {
			t.Errorf("group sizes are not a decreasing long tail: %d after %d", len(m), prev)
		}
		prev = len(m)
	}
	seen := map[string]bool{}
	for _, id := range users {
		st, _ := s.UserStatus(id)
		seen[st] = true
		if _, ok := s.users[id].profile["objectGUID"].(string); !ok {
			t.Fatal("no objectGUID")
		}
	}
	if len(seen) != len(statuses) {
		t.Errorf("statuses generated: %v", seen)
	}

	dir := t.TempDir()
	good := `{"users":[{"id":"00u1aaaaaaaaaaaaaaaa","status":"SUSPENDED","created":"2024-01-01T00:00:00.000Z","profile":{"login":"x@example.com","firstName":"X"}},
	{"profile":{"login":"y@example.com"}}],
	"groups":[{"type":"APP_GROUP","profile":{"name":"Seeded"},"members":["x@example.com","00u1aaaaaaaaaaaaaaaa","y@example.com"]}]}`
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{"valid", good, false},
		{"unknown field", `{"users":[],"extra":1}`, true},
		{"missing login", `{"users":[{"profile":{}}]}`, true},
		{"unknown member", `{"groups":[{"profile":{"name":"G"},"members":["ghost"]}]}`, true},
		{"nameless group", `{"groups":[{"profile":{}}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			s := New(Options{})
			err := s.LoadFile(path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr {
				return
			}
			gid := s.GroupIDs()[0]
			m, _ := s.Members(gid)
			if len(m) != 2 || s.groups[gid].typ != "APP_GROUP" || s.users["00u1aaaaaaaaaaaaaaaa"].status != Suspended {
				t.Errorf("seed not applied: members %v", m)
			}
		})
	}
	if err := s.LoadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

func get(t *testing.T, hs *httptest.Server, path string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, hs.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestPagingBounds(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	_, groups, _ := s.Generate(GenOptions{Users: 1200, Groups: 1})
	auth := map[string]string{"Authorization": "SSWS " + s.APIToken()}
	tests := []struct {
		path      string
		status    int
		wantCount int
		wantLimit string // limit in the next link
	}{
		{"/api/v1/groups/" + groups[0] + "/users?limit=5000", 200, 1000, "1000"},
		{"/api/v1/groups/" + groups[0] + "/users", 200, 1000, "1000"},
		{"/api/v1/users?limit=999", 200, 200, "200"},
		{"/api/v1/users?limit=abc", 400, 0, ""},
		{"/api/v1/users?limit=0", 400, 0, ""},
		{"/api/v1/users?after=!!!", 400, 0, ""},
		{"/api/v1/groups/nope/users", 404, 0, ""},
		{"/api/v1/groups/nope", 404, 0, ""},
		{"/api/v1/groups?filter=bogus+eq+1", 400, 0, ""},
		{"/api/v1/groups?q=all", 200, 1, ""},
		{"/api/v1/users?q=zzz", 200, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp := get(t, hs, tc.path, auth)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if tc.status != 200 {
				return
			}
			var list []map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&list)
			if len(list) != tc.wantCount {
				t.Errorf("count %d, want %d", len(list), tc.wantCount)
			}
			next := ""
			for _, l := range resp.Header.Values("Link") {
				if strings.Contains(l, `rel="next"`) {
					next = strings.Trim(strings.SplitN(l, ";", 2)[0], "<>")
				}
			}
			if tc.wantLimit == "" {
				if next != "" {
					t.Errorf("unexpected next link %s", next)
				}
				return
			}
			u, err := url.Parse(next)
			if err != nil || u.Query().Get("limit") != tc.wantLimit || u.Query().Get("after") == "" || !strings.HasPrefix(next, hs.URL) {
				t.Errorf("next link %q", next)
			}
		})
	}
}

func TestRateLimitHeaders(t *testing.T) {
	s := New(Options{RateLimits: map[string]int{BucketGroups: 3}, DefaultRateLimit: 50})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	auth := map[string]string{"Authorization": "SSWS " + s.APIToken()}
	var statuses []int
	for range 4 {
		resp := get(t, hs, "/api/v1/groups", auth)
		statuses = append(statuses, resp.StatusCode)
		reset := resp.Header.Get("X-Rate-Limit-Reset")
		if resp.Header.Get("X-Rate-Limit-Limit") != "3" || reset == "" {
			t.Fatalf("headers %v", resp.Header)
		}
	}
	if fmt.Sprint(statuses) != "[200 200 200 429]" {
		t.Fatalf("statuses %v", statuses)
	}
	if got := get(t, hs, "/api/v1/users", auth).Header.Get("X-Rate-Limit-Limit"); got != "50" {
		t.Errorf("default limit %s", got)
	}
	s.SetRateLimit(BucketUsers, 7)
	if got := get(t, hs, "/api/v1/users", auth).Header.Get("X-Rate-Limit-Remaining"); got != "5" {
		t.Errorf("remaining after SetRateLimit = %s", got)
	}
	if s.PeakRate(BucketGroups) != 3 || s.PeakRate("none") != 0 {
		t.Errorf("peak %d", s.PeakRate(BucketGroups))
	}
	if n := s.Count("GET /api/v1/groups", 429); n != 1 {
		t.Errorf("429 count %d", n)
	}
	if len(s.Counts()) == 0 {
		t.Error("no counts")
	}
	s.ResetCounts()
	if s.Count("GET /api/v1/groups") != 0 {
		t.Error("counts not reset")
	}
}

// oauthKit signs assertions and proofs the way a client would.
type oauthKit struct {
	t       *testing.T
	s       *Server
	hs      *httptest.Server
	key     *ecdsa.PrivateKey
	dpopKey *ecdsa.PrivateKey
}

func newOAuthKit(t *testing.T, app OAuthClient) *oauthKit {
	t.Helper()
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	app.ClientID, app.PublicKey = "app", &k.PublicKey
	s.RegisterClient(app)
	return &oauthKit{t: t, s: s, hs: hs, key: k, dpopKey: dk}
}

func (k *oauthKit) assertion(mod func(*jwt.Claims)) string {
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.key}, nil)
	c := jwt.Claims{Issuer: "app", Subject: "app", Audience: jwt.Audience{k.hs.URL + "/oauth2/v1/token"},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Minute)), IssuedAt: jwt.NewNumericDate(time.Now()), ID: randString(10)}
	if mod != nil {
		mod(&c)
	}
	s, _ := jwt.Signed(signer).Claims(c).Serialize()
	return s
}

func (k *oauthKit) proof(method, htu, nonce, token string, typ jose.ContentType) string {
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.dpopKey}, (&jose.SignerOptions{EmbedJWK: true}).WithType(typ))
	c := map[string]any{"jti": randString(10), "htm": method, "htu": htu, "iat": time.Now().Unix(), "nonce": nonce}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		c["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, _ := jwt.Signed(signer).Claims(c).Serialize()
	return s
}

func (k *oauthKit) token(form url.Values, proof string) (int, map[string]any, http.Header) {
	req, _ := http.NewRequest(http.MethodPost, k.hs.URL+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body, resp.Header
}

func form(assertion string, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
}

func TestTokenEndpointRejections(t *testing.T) {
	k := newOAuthKit(t, OAuthClient{KeyID: ""})
	tokURL := k.hs.URL + "/oauth2/v1/token"
	replayed := k.assertion(nil)
	k.token(form(replayed, "okta.users.read"), "")
	tests := []struct {
		name  string
		form  url.Values
		proof string
		code  string
	}{
		{"grant type", url.Values{"grant_type": {"password"}}, "", "unsupported_grant_type"},
		{"assertion type", url.Values{"grant_type": {"client_credentials"}}, "", "invalid_client"},
		{"malformed assertion", form("garbage", "okta.users.read"), "", "invalid_client"},
		{"unknown issuer", form(k.assertion(func(c *jwt.Claims) { c.Issuer = "other" }), "okta.users.read"), "", "invalid_client"},
		{"wrong audience", form(k.assertion(func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://elsewhere"} }), "okta.users.read"), "", "invalid_client"},
		{"expired", form(k.assertion(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Hour)) }), "okta.users.read"), "", "invalid_client"},
		{"too long", form(k.assertion(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(3 * time.Hour)) }), "okta.users.read"), "", "invalid_client"},
		{"subject mismatch", form(k.assertion(func(c *jwt.Claims) { c.Subject = "x" }), "okta.users.read"), "", "invalid_client"},
		{"replayed jti", form(replayed, "okta.users.read"), "", "invalid_client"},
		{"client_id mismatch", func() url.Values { f := form(k.assertion(nil), "okta.users.read"); f.Set("client_id", "x"); return f }(), "", "invalid_client"},
		{"no scope", form(k.assertion(nil), ""), "", "invalid_scope"},
		{"scope not granted", form(k.assertion(nil), "okta.apps.manage"), "", "invalid_scope"},
		{"proof without nonce", form(k.assertion(nil), "okta.users.read"), k.proof("POST", tokURL, "", "", "dpop+jwt"), "use_dpop_nonce"},
		{"proof wrong htu", form(k.assertion(nil), "okta.users.read"), k.proof("POST", "https://x/token", "", "", "dpop+jwt"), "invalid_dpop_proof"},
		{"proof wrong htm", form(k.assertion(nil), "okta.users.read"), k.proof("GET", tokURL, "", "", "dpop+jwt"), "invalid_dpop_proof"},
		{"proof wrong typ", form(k.assertion(nil), "okta.users.read"), k.proof("POST", tokURL, "", "", "JWT"), "invalid_dpop_proof"},
		{"proof garbage", form(k.assertion(nil), "okta.users.read"), "garbage", "invalid_dpop_proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := k.token(tc.form, tc.proof)
			if body["error"] != tc.code || status < 400 {
				t.Fatalf("status %d body %v, want %s", status, body, tc.code)
			}
		})
	}
}

func TestDPoPFlowAndAPIChecks(t *testing.T) {
	k := newOAuthKit(t, OAuthClient{RequireDPoP: true})
	tokURL := k.hs.URL + "/oauth2/v1/token"
	status, body, _ := k.token(form(k.assertion(nil), "okta.users.read"), "")
	if status != 400 || body["error"] != "invalid_dpop_proof" {
		t.Fatalf("no proof: %d %v", status, body)
	}
	_, body, h := k.token(form(k.assertion(nil), "okta.users.read"), k.proof("POST", tokURL, "", "", "dpop+jwt"))
	nonce := h.Get("DPoP-Nonce")
	if body["error"] != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("nonce round: %v", body)
	}
	status, body, _ = k.token(form(k.assertion(nil), "okta.users.read"), k.proof("POST", tokURL, nonce, "", "dpop+jwt"))
	if status != 200 || body["token_type"] != "DPoP" || body["expires_in"] == nil {
		t.Fatalf("token: %d %v", status, body)
	}
	tok := body["access_token"].(string)
	uid, _ := k.s.AddUser(UserSpec{Login: "u@example.com"})
	path := "/api/v1/users/" + uid
	api := k.hs.URL + path
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"valid", map[string]string{"Authorization": "DPoP " + tok, "DPoP": k.proof("GET", api, "", tok, "dpop+jwt")}, 200},
		{"as bearer", map[string]string{"Authorization": "Bearer " + tok}, 401},
		{"no proof", map[string]string{"Authorization": "DPoP " + tok}, 401},
		{"wrong ath", map[string]string{"Authorization": "DPoP " + tok, "DPoP": k.proof("GET", api, "", "other", "dpop+jwt")}, 401},
		{"no auth", nil, 401},
		{"unknown scheme", map[string]string{"Authorization": "Basic x"}, 401},
		{"groups scope missing", map[string]string{"Authorization": "DPoP " + tok, "DPoP": k.proof("GET", k.hs.URL+"/api/v1/groups", "", tok, "dpop+jwt")}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := path
			if tc.name == "groups scope missing" {
				p = "/api/v1/groups"
			}
			if got := get(t, k.hs, p, tc.hdr).StatusCode; got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
		})
	}
	// A proof from another key does not match the token's binding.
	other := &oauthKit{t: t, s: k.s, hs: k.hs, key: k.key}
	other.dpopKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if got := get(t, k.hs, path, map[string]string{"Authorization": "DPoP " + tok, "DPoP": other.proof("GET", api, "", tok, "dpop+jwt")}).StatusCode; got != 401 {
		t.Errorf("foreign key accepted: %d", got)
	}
	k.s.RequireAPINonce(true)
	resp := get(t, k.hs, path, map[string]string{"Authorization": "DPoP " + tok, "DPoP": k.proof("GET", api, "", tok, "dpop+jwt")})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "use_dpop_nonce") || resp.Header.Get("DPoP-Nonce") == "" {
		t.Fatalf("resource nonce not demanded: %d %v", resp.StatusCode, resp.Header)
	}
	if get(t, k.hs, path, map[string]string{"Authorization": "DPoP " + tok, "DPoP": k.proof("GET", api, resp.Header.Get("DPoP-Nonce"), tok, "dpop+jwt")}).StatusCode != http.StatusOK {
		t.Error("nonce proof refused")
	}
	if k.s.TokensIssued() != 1 {
		t.Errorf("issued %d", k.s.TokensIssued())
	}
}

func TestTokenExpiry(t *testing.T) {
	k := newOAuthKit(t, OAuthClient{})
	k.s.opts.TokenTTL = time.Millisecond
	_, body, _ := k.token(form(k.assertion(nil), "okta.users.read okta.groups.read"), "")
	if body["token_type"] != "Bearer" {
		t.Fatalf("%v", body)
	}
	time.Sleep(5 * time.Millisecond)
	if got := get(t, k.hs, "/api/v1/groups", map[string]string{"Authorization": "Bearer " + body["access_token"].(string)}).StatusCode; got != 401 {
		t.Errorf("expired token accepted: %d", got)
	}
}

func TestAdminAPI(t *testing.T) {
	s, err := Start(Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	do := func(method, path, body string, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	uid := do("POST", "/__admin/users", `{"status":"ACTIVE","profile":{"login":"demo@example.com","firstName":"D"}}`, 201)["id"].(string)
	do("POST", "/__admin/users", `{"profile":{}}`, 400)
	do("POST", "/__admin/users", `{"profile":{"login":"demo@example.com"}}`, 409)
	do("POST", "/__admin/users", `not json`, 400)
	gid := do("POST", "/__admin/groups", `{"name":"Demo","description":"d"}`, 201)["id"].(string)
	do("POST", "/__admin/groups", `{}`, 400)
	do("POST", "/__admin/groups/"+gid+"/members/"+uid, "", 204)
	do("POST", "/__admin/groups/"+gid+"/members/nobody", "", 404)
	if m, _ := s.Members(gid); len(m) != 1 {
		t.Fatal("member not added")
	}
	do("DELETE", "/__admin/groups/"+gid+"/members/"+uid, "", 204)
	do("POST", "/__admin/groups/"+gid+"/rename", `{"name":"Renamed"}`, 204)
	do("POST", "/__admin/users/"+uid+"/profile", `{"title":"CTO"}`, 204)
	do("POST", "/__admin/users/"+uid+"/lifecycle/suspend", "", 204)
	do("POST", "/__admin/users/"+uid+"/lifecycle/suspend", "", 400)
	do("POST", "/__admin/users/"+uid+"/lifecycle/deactivate", "", 204)
	do("DELETE", "/__admin/users/"+uid, "", 204)
	do("DELETE", "/__admin/groups/"+gid, "", 204)
	do("POST", "/__admin/seed", `{"users":[{"profile":{"login":"s@example.com"}}]}`, 204)
	do("POST", "/__admin/faults", `{"latencyMs":1,"force429":1,"forbidden":true,"outage":{"afterPages":1}}`, 204)
	if !s.faults.isForbidden() || s.faults.n429 != 1 || s.faults.outage == nil || s.faults.latency != time.Millisecond {
		t.Error("faults not set")
	}
	do("DELETE", "/__admin/faults", "", 204)
	do("POST", "/__admin/tokens/revoke", "", 204)
	resp, err := http.Get(s.URL() + "/__admin/counts")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&rows)
	resp.Body.Close()
	if len(rows) == 0 {
		t.Error("no counts")
	}
	if _, err := Start(Options{}, "0.0.0.0:0"); err == nil {
		t.Error("listened on a non-loopback address")
	}
	if _, err := Start(Options{}, "bad"); err == nil {
		t.Error("bad address accepted")
	}
	if New(Options{}).URL() != "" || New(Options{}).Close() != nil {
		t.Error("unstarted server misreports")
	}
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	users, groups, _ := s.Generate(GenOptions{Users: 200, Groups: 4, Seed: 9})
	auth := map[string]string{"Authorization": "SSWS " + s.APIToken()}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				if i%2 == 0 {
					resp := get(t, hs, "/api/v1/groups/"+groups[j%4]+"/users?limit=50", auth)
					if resp.StatusCode != http.StatusOK {
						t.Errorf("status %d", resp.StatusCode)
					}
				} else {
					_ = s.AddMember(groups[j%4], users[(i*20+j)%200])
					_ = s.RemoveMember(groups[(j+1)%4], users[(i*20+j)%200])
					_ = s.UpdateProfile(users[j], map[string]any{"title": fmt.Sprint(i)})
				}
			}
		})
	}
	wg.Wait()
}

func TestSlowResponses(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	s.SetLatency(30 * time.Millisecond)
	start := time.Now()
	get(t, hs, "/api/v1/groups", nil)
	if time.Since(start) < 30*time.Millisecond {
		t.Error("latency not applied")
	}
	s.ClearFaults()
}
