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
	"context"
	"errors"
	"net/http"
)

// Auth authenticates API requests. Build one with SSWS or OAuth.
type Auth interface {
	// bind attaches the auth to a client (org URL, HTTP client, accounting).
	bind(c *Client) error
	// prepare obtains what a request needs (e.g. an access token). It may do
	// network I/O and runs before a concurrency slot is taken.
	prepare(ctx context.Context) (credential, error)
	// mode names the scheme for diagnostics.
	mode() string
}

// credential decorates one request attempt and reacts to its 401.
type credential interface {
	apply(req *http.Request) error
	// retryAfter401 says how a 401 can be fixed by retrying (fresh token or
	// new DPoP nonce), updating the auth's state accordingly.
	retryAfter401(resp *http.Response) authRetry
}

type authRetry int

const (
	noAuthRetry  authRetry = iota
	retryNonce             // the resource server wants a (new) DPoP nonce
	retryRefresh           // the token was rejected: fetch a new one
)

type sswsAuth struct{ token string }

// SSWS authenticates with an Okta API token ("Authorization: SSWS <token>").
func SSWS(token string) Auth { return &sswsAuth{token: token} }

func (a *sswsAuth) bind(c *Client) error {
	if a.token == "" {
		return errors.New("okta: empty API token")
	}
	c.secrets.Add(a.token)
	return nil
}

func (a *sswsAuth) prepare(context.Context) (credential, error) { return a, nil }

func (a *sswsAuth) mode() string { return "ssws" }

func (a *sswsAuth) apply(req *http.Request) error {
	req.Header.Set("Authorization", "SSWS "+a.token)
	return nil
}

// An API token is not refreshable: a 401 is final.
func (a *sswsAuth) retryAfter401(*http.Response) authRetry { return noAuthRetry }

// String keeps the token out of any %v formatting.
func (a *sswsAuth) String() string { return "SSWS(<redacted>)" }
