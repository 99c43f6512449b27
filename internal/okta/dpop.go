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
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// dpopProver signs RFC 9449 proofs with an ephemeral P-256 key that lives as
// long as the client; the access token is bound to it.
type dpopProver struct {
	signer jose.Signer

	mu sync.Mutex
	// Okta hands out separate nonces for the token endpoint and the resource server.
	tokenNonce, apiNonce string
}

func newDPoPProver() (*dpopProver, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("okta: generating DPoP key: %w", err)
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("okta: DPoP signer: %w", err)
	}
	return &dpopProver{signer: signer}, nil
}

type dpopClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	Nonce string `json:"nonce,omitempty"`
	ATH   string `json:"ath,omitempty"`
}

// proof returns a DPoP proof for method and target. accessToken is empty for
// token requests; for API calls its hash goes into ath.
func (p *dpopProver) proof(method string, target *url.URL, nonce, accessToken string) (string, error) {
	htu := url.URL{Scheme: target.Scheme, Host: target.Host, Path: target.Path}
	c := dpopClaims{JTI: randomID(), HTM: method, HTU: htu.String(), IAT: time.Now().Unix(), Nonce: nonce}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c.ATH = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, err := jwt.Signed(p.signer).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("okta: signing DPoP proof: %w", err)
	}
	return s, nil
}

func (p *dpopProver) nonces() (token, api string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenNonce, p.apiNonce
}

func (p *dpopProver) setTokenNonce(n string) {
	if n == "" {
		return
	}
	p.mu.Lock()
	p.tokenNonce = n
	p.mu.Unlock()
}

func (p *dpopProver) setAPINonce(n string) {
	if n == "" {
		return
	}
	p.mu.Lock()
	p.apiNonce = n
	p.mu.Unlock()
}

// randomID returns 128 random bits, base64url encoded, for jti claims.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
