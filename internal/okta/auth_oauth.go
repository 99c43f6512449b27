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
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// DefaultScopes are the read scopes the operator needs.
var DefaultScopes = []string{"okta.users.read", "okta.groups.read"}

// OAuthConfig configures OAuth 2.0 client credentials with a private-key JWT
// client assertion (an Okta API service app).
type OAuthConfig struct {
	ClientID string
	// PrivateKeyPEM is an RSA (RS256) or EC (ES256/384/512) key in PKCS#1, PKCS#8 or SEC 1 PEM.
	PrivateKeyPEM []byte
	// KeyID is the kid of the registered public key, if the app has several.
	KeyID string
	// Scopes default to DefaultScopes.
	Scopes []string
	// DPoP sends RFC 9449 proofs; new Okta service apps require it.
	DPoP bool
	// TokenURL defaults to <org>/oauth2/v1/token.
	TokenURL string
}

type oauthAuth struct {
	cfg    OAuthConfig
	key    crypto.Signer
	alg    jose.SignatureAlgorithm
	prover *dpopProver // nil without DPoP

	client   *Client
	tokenURL *url.URL

	mu  sync.Mutex // serialises token fetches so a burst of calls makes one request
	tok *accessToken
}

type accessToken struct {
	value   string
	dpop    bool // token_type DPoP: send proofs and "Authorization: DPoP"
	refresh time.Time
}

// OAuth returns client-credentials auth. Key problems are reported here, not
// at the first request.
func OAuth(cfg OAuthConfig) (Auth, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("okta: OAuth client ID is empty")
	}
	key, alg, err := parsePrivateKey(cfg.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	a := &oauthAuth{cfg: cfg, key: key, alg: alg}
	if len(a.cfg.Scopes) == 0 {
		a.cfg.Scopes = DefaultScopes
	}
	if cfg.DPoP {
		if a.prover, err = newDPoPProver(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *oauthAuth) String() string { return "OAuth(" + a.cfg.ClientID + ")" }

func (a *oauthAuth) mode() string {
	if a.prover != nil {
		return "oauth-dpop"
	}
	return "oauth"
}

func (a *oauthAuth) bind(c *Client) error {
	a.client = c
	raw := a.cfg.TokenURL
	if raw == "" {
		raw = c.org.String() + "/oauth2/v1/token"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("okta: invalid token URL %q", raw)
	}
	a.tokenURL = u
	return nil
}

// prepare returns a credential holding a valid token, fetching one if needed.
func (a *oauthAuth) prepare(ctx context.Context) (credential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok == nil || !time.Now().Before(a.tok.refresh) {
		t, err := a.fetch(ctx)
		if err != nil {
			return nil, err
		}
		a.tok = t
	}
	return &oauthCredential{auth: a, tok: a.tok}, nil
}

// invalidate drops tok if it is still the cached one, so concurrent 401s
// trigger a single refresh.
func (a *oauthAuth) invalidate(tok *accessToken) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok == tok {
		a.tok = nil
	}
}

// fetch runs the client-credentials grant through x/oauth2, with a transport
// that adds DPoP proofs and handles the use_dpop_nonce round trip.
func (a *oauthAuth) fetch(ctx context.Context) (*accessToken, error) {
	assertion, err := a.assertion()
	if err != nil {
		return nil, err
	}
	a.client.secrets.Add(assertion)
	cc := clientcredentials.Config{
		ClientID:  a.cfg.ClientID,
		TokenURL:  a.tokenURL.String(),
		Scopes:    a.cfg.Scopes,
		AuthStyle: oauth2.AuthStyleInParams,
		EndpointParams: url.Values{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		},
	}
	hc := &http.Client{Transport: &tokenTransport{auth: a}, Timeout: a.client.opts.Timeout, CheckRedirect: httpx.SameOriginRedirects}
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return nil, a.tokenError(err)
	}
	a.client.secrets.Add(tok.AccessToken)
	t := &accessToken{value: tok.AccessToken, dpop: strings.EqualFold(tok.Type(), "DPoP")}
	if t.dpop && a.prover == nil {
		return nil, errors.New("okta: token endpoint issued a DPoP token without a DPoP proof")
	}
	life := time.Hour
	if !tok.Expiry.IsZero() {
		life = time.Until(tok.Expiry)
	}
	// Refresh shortly before expiry: a fifth of the lifetime, at most 30 s early.
	t.refresh = time.Now().Add(life - min(30*time.Second, life/5))
	return t, nil
}

// tokenError converts x/oauth2 errors into TokenError without any body echo
// beyond the OAuth error fields.
func (a *oauthAuth) tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		redact := a.client.secrets.Redact
		te := &TokenError{Code: redact(re.ErrorCode), Description: redact(re.ErrorDescription)}
		if re.Response != nil {
			te.Status = re.Response.StatusCode
		}
		if te.Code == "" {
			// Okta may answer with its own error JSON (e.g. a 429 or 403 from the edge).
			var eb errorBody
			if json.Unmarshal(re.Body, &eb) == nil && eb.ErrorCode != "" {
				return &APIError{Status: te.Status, ErrorCode: redact(eb.ErrorCode), ErrorSummary: redact(eb.ErrorSummary),
					ErrorID: redact(eb.ErrorID), Kind: "token"}
			}
		}
		return te
	}
	return fmt.Errorf("okta token request: %w", err)
}

// assertion builds the private_key_jwt client assertion (RFC 7523).
func (a *oauthAuth) assertion() (string, error) {
	sk := jose.SigningKey{Algorithm: a.alg, Key: a.key}
	if a.cfg.KeyID != "" {
		sk.Key = jose.JSONWebKey{Key: a.key, KeyID: a.cfg.KeyID, Algorithm: string(a.alg)}
	}
	signer, err := jose.NewSigner(sk, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("okta: assertion signer: %w", err)
	}
	now := time.Now()
	c := jwt.Claims{
		Issuer:   a.cfg.ClientID,
		Subject:  a.cfg.ClientID,
		Audience: jwt.Audience{a.tokenURL.String()},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(5 * time.Minute)),
		ID:       randomID(),
	}
	s, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("okta: signing client assertion: %w", err)
	}
	return s, nil
}

// tokenTransport sends token requests with DPoP proofs, retries once on
// use_dpop_nonce, and accounts them under kind "token".
type tokenTransport struct{ auth *oauthAuth }

const maxTokenBody = 64 << 10

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	p := t.auth.prover
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if p != nil {
			nonce, _ := p.nonces()
			proof, err := p.proof(http.MethodPost, req.URL, nonce, "")
			if err != nil {
				return nil, err
			}
			r.Header.Set("DPoP", proof)
		}
		resp, err := t.auth.client.roundTrip(r, "token")
		if err != nil {
			return nil, err
		}
		if p == nil || resp.StatusCode != http.StatusBadRequest {
			if p != nil {
				p.setTokenNonce(resp.Header.Get("DPoP-Nonce"))
			}
			return resp, nil
		}
		// Peek at the OAuth error to spot use_dpop_nonce, then hand the body on.
		data, rerr := httpx.ReadAll(resp.Body, maxTokenBody)
		_ = resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		var oe struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &oe)
		nonce := resp.Header.Get("DPoP-Nonce")
		if oe.Error == "use_dpop_nonce" && nonce != "" && attempt == 0 {
			p.setTokenNonce(nonce)
			// The assertion's jti was spent on the rejected request: sign a new one.
			if body, err = t.freshAssertion(body); err != nil {
				return nil, err
			}
			continue
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return resp, nil
	}
}

// freshAssertion replaces client_assertion in a token request body.
func (t *tokenTransport) freshAssertion(body []byte) ([]byte, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("okta token request: %w", err)
	}
	a, err := t.auth.assertion()
	if err != nil {
		return nil, err
	}
	form.Set("client_assertion", a)
	return []byte(form.Encode()), nil
}

// oauthCredential applies one cached token to requests.
type oauthCredential struct {
	auth *oauthAuth
	tok  *accessToken
}

func (c *oauthCredential) apply(req *http.Request) error {
	if !c.tok.dpop {
		req.Header.Set("Authorization", "Bearer "+c.tok.value)
		return nil
	}
	_, nonce := c.auth.prover.nonces()
	proof, err := c.auth.prover.proof(req.Method, req.URL, nonce, c.tok.value)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "DPoP "+c.tok.value)
	req.Header.Set("DPoP", proof)
	return nil
}

func (c *oauthCredential) retryAfter401(resp *http.Response) authRetry {
	if c.tok.dpop && strings.Contains(resp.Header.Get("WWW-Authenticate"), "use_dpop_nonce") {
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			c.auth.prover.setAPINonce(n)
			return retryNonce
		}
	}
	c.auth.invalidate(c.tok)
	return retryRefresh
}
