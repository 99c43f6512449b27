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
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	scopeUsers  = "okta.users.read"
	scopeGroups = "okta.groups.read"
	scopeLogs   = "okta.logs.read"
)

var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256}

// OAuthClient registers an API service app for the token endpoint.
type OAuthClient struct {
	ClientID string
	// PublicKey verifies the client assertion (*rsa.PublicKey or *ecdsa.PublicKey).
	PublicKey crypto.PublicKey
	// KeyID, if set, must match the assertion's kid.
	KeyID string
	// Scopes granted to the app; default okta.users.read and okta.groups.read.
	Scopes []string
	// RequireDPoP rejects token requests without a DPoP proof (the default for new Okta apps).
	RequireDPoP bool
	// BearerOnly issues Bearer tokens even when a proof is sent (DPoP not enabled on the app).
	BearerOnly bool
}

type issuedToken struct {
	clientID string
	scopes   []string
	jkt      string // DPoP key thumbprint; empty for Bearer
	expires  time.Time
}

type authState struct {
	mu       sync.Mutex
	clients  map[string]OAuthClient
	tokens   map[string]issuedToken
	jtis     map[string]time.Time // assertion and proof ids seen, to refuse replays
	asNonce  string               // token endpoint DPoP nonce
	apiNonce string               // resource server DPoP nonce
	// requireAPINonce makes API calls demand the resource nonce.
	requireAPINonce bool
	issued          int
}

func (a *authState) init() {
	a.clients = map[string]OAuthClient{}
	a.tokens = map[string]issuedToken{}
	a.jtis = map[string]time.Time{}
	a.asNonce, a.apiNonce = randString(22), randString(22)
}

// RegisterClient registers (or replaces) an OAuth service app.
func (s *Server) RegisterClient(c OAuthClient) {
	if len(c.Scopes) == 0 {
		c.Scopes = []string{scopeUsers, scopeGroups}
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.clients[c.ClientID] = c
}

// RevokeTokens invalidates every issued access token, so the next API call
// gets 401 and a client must fetch a new token.
func (s *Server) RevokeTokens() {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	clear(s.auth.tokens)
}

// RotateNonces changes the DPoP nonces of the token endpoint and the API.
func (s *Server) RotateNonces() {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.asNonce, s.auth.apiNonce = randString(22), randString(22)
}

// RequireAPINonce makes API calls with DPoP tokens demand the resource nonce.
func (s *Server) RequireAPINonce(on bool) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.requireAPINonce = on
}

// TokensIssued returns how many access tokens the token endpoint issued.
func (s *Server) TokensIssued() int {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return s.auth.issued
}

// authorize checks SSWS, Bearer or DPoP credentials and the needed scope.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) bool {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	invalid := func() bool {
		writeError(w, http.StatusUnauthorized, codeInvalidToken, "Invalid token provided")
		return false
	}
	if s.faults.isForbidden() {
		writeError(w, http.StatusForbidden, codeForbidden, "You do not have permission to perform the requested action")
		return false
	}
	switch scheme {
	case "SSWS":
		if cred != s.opts.APIToken {
			return invalid()
		}
		return true
	case "Bearer", "DPoP":
	default:
		return invalid()
	}
	s.auth.mu.Lock()
	tok, ok := s.auth.tokens[cred]
	requireNonce, nonce := s.auth.requireAPINonce, s.auth.apiNonce
	s.auth.mu.Unlock()
	if !ok || time.Now().After(tok.expires) {
		return invalid()
	}
	if (scheme == "DPoP") != (tok.jkt != "") {
		// A DPoP-bound token used as Bearer, or the reverse.
		return invalid()
	}
	if tok.jkt != "" {
		proof, err := s.checkProof(r, cred)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `DPoP error="invalid_dpop_proof", error_description="`+err.Error()+`"`)
			return invalid()
		}
		if proof.jkt != tok.jkt {
			w.Header().Set("WWW-Authenticate", `DPoP error="invalid_dpop_proof", error_description="key mismatch"`)
			return invalid()
		}
		if requireNonce && proof.nonce != nonce {
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
			w.Header().Set("DPoP-Nonce", nonce)
			return invalid()
		}
	}
	if !slices.Contains(tok.scopes, scope) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		writeError(w, http.StatusForbidden, codeForbidden, "You do not have permission to perform the requested action")
		return false
	}
	return true
}

type proofInfo struct{ jkt, nonce string }

// checkProof verifies an RFC 9449 proof for r; accessToken is empty on the
// token endpoint and otherwise must match the ath claim.
func (s *Server) checkProof(r *http.Request, accessToken string) (proofInfo, error) {
	raw := r.Header.Get("DPoP")
	if raw == "" {
		return proofInfo{}, errors.New("The DPoP proof JWT header is missing.")
	}
	tok, err := jwt.ParseSigned(raw, signingAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return proofInfo{}, errors.New("malformed DPoP proof")
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return proofInfo{}, errors.New("DPoP proof typ must be dpop+jwt")
	}
	if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() {
		return proofInfo{}, errors.New("DPoP proof must embed a public jwk")
	}
	var c struct {
		JTI   string `json:"jti"`
		HTM   string `json:"htm"`
		HTU   string `json:"htu"`
		IAT   int64  `json:"iat"`
		Nonce string `json:"nonce"`
		ATH   string `json:"ath"`
	}
	if err := tok.Claims(h.JSONWebKey.Key, &c); err != nil {
		return proofInfo{}, errors.New("DPoP proof signature invalid")
	}
	if c.HTM != r.Method {
		return proofInfo{}, fmt.Errorf("htm %q does not match", c.HTM)
	}
	if want := baseURL(r) + r.URL.Path; c.HTU != want {
		return proofInfo{}, fmt.Errorf("htu %q does not match", c.HTU)
	}
	if d := time.Since(time.Unix(c.IAT, 0)); d > time.Minute || d < -time.Minute {
		return proofInfo{}, errors.New("DPoP proof iat out of range")
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		if c.ATH != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return proofInfo{}, errors.New("ath does not match the access token")
		}
	}
	if c.JTI == "" || !s.auth.useJTI("dpop:"+c.JTI) {
		return proofInfo{}, errors.New("DPoP proof jti missing or replayed")
	}
	tp, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil {
		return proofInfo{}, errors.New("DPoP jwk thumbprint failed")
	}
	return proofInfo{jkt: base64.RawURLEncoding.EncodeToString(tp), nonce: c.Nonce}, nil
}

// useJTI records a jti and reports whether it was new. Old entries expire.
func (a *authState) useJTI(jti string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if len(a.jtis) > 10000 {
		for k, t := range a.jtis {
			if now.Sub(t) > 10*time.Minute {
				delete(a.jtis, k)
			}
		}
	}
	if _, seen := a.jtis[jti]; seen {
		return false
	}
	a.jtis[jti] = now
	return true
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// tokenHandler implements the client-credentials grant with a private-key
// JWT client assertion (RFC 7523) and optional DPoP (RFC 9449).
func (s *Server) tokenHandler(w http.ResponseWriter, r *http.Request) {
	s.faults.delay(r.Context())
	if !s.limits.take(w, BucketToken) {
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "You exceeded the maximum number of requests. Try again in a while.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_assertion_type must be jwt-bearer")
		return
	}
	client, err := s.checkAssertion(r, r.PostForm.Get("client_assertion"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	if id := r.PostForm.Get("client_id"); id != "" && id != client.ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_id does not match the assertion")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(client.Scopes, sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "The following scopes are not allowed: "+sc)
			return
		}
	}
	jkt := ""
	if r.Header.Get("DPoP") != "" && !client.BearerOnly {
		p, err := s.checkProof(r, "")
		if err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_dpop_proof", err.Error())
			return
		}
		s.auth.mu.Lock()
		nonce := s.auth.asNonce
		s.auth.mu.Unlock()
		if p.nonce != nonce {
			w.Header().Set("DPoP-Nonce", nonce)
			oauthError(w, http.StatusBadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof.")
			return
		}
		jkt = p.jkt
	} else if client.RequireDPoP {
		oauthError(w, http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
		return
	}
	value := randString(40)
	ttl := s.opts.TokenTTL
	s.auth.mu.Lock()
	s.auth.tokens[value] = issuedToken{clientID: client.ClientID, scopes: scopes, jkt: jkt, expires: time.Now().Add(ttl)}
	s.auth.issued++
	s.auth.mu.Unlock()
	typ := "Bearer"
	if jkt != "" {
		typ = "DPoP"
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": typ, "expires_in": int(ttl.Seconds()), "access_token": value, "scope": strings.Join(scopes, " "),
	})
}

// checkAssertion verifies the client assertion against the registered key.
func (s *Server) checkAssertion(r *http.Request, raw string) (OAuthClient, error) {
	tok, err := jwt.ParseSigned(raw, signingAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return OAuthClient{}, errors.New("The client_assertion token is malformed.")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return OAuthClient{}, errors.New("The client_assertion token is malformed.")
	}
	s.auth.mu.Lock()
	client, ok := s.auth.clients[unverified.Issuer]
	s.auth.mu.Unlock()
	if !ok {
		return OAuthClient{}, errors.New("The client_assertion token has an unknown issuer.")
	}
	if client.KeyID != "" && tok.Headers[0].KeyID != client.KeyID {
		return OAuthClient{}, errors.New("The client_assertion token has an unknown kid.")
	}
	var c jwt.Claims
	if err := tok.Claims(client.PublicKey, &c); err != nil {
		return OAuthClient{}, errors.New("The client_assertion signature is invalid.")
	}
	aud := baseURL(r) + "/oauth2/v1/token"
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: client.ClientID, Subject: client.ClientID, AnyAudience: jwt.Audience{aud}, Time: time.Now()}, 30*time.Second); err != nil {
		return OAuthClient{}, errors.New("The client_assertion token is invalid: " + err.Error())
	}
	if c.Expiry == nil || c.Expiry.Time().After(time.Now().Add(time.Hour)) {
		return OAuthClient{}, errors.New("The client_assertion token expiry must be within one hour.")
	}
	if c.ID == "" || !s.auth.useJTI("assertion:"+c.ID) {
		return OAuthClient{}, errors.New("The client_assertion token has already been used.")
	}
	return client, nil
}
