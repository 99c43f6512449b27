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
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors; match with errors.Is.
var (
	ErrNotFound     = errors.New("okta: not found (E0000007)")
	ErrUnauthorized = errors.New("okta: invalid credentials (E0000011)")
	ErrForbidden    = errors.New("okta: forbidden (E0000006)")
	ErrRateLimited  = errors.New("okta: rate limited (E0000047)")
	// ErrDPoPRequired means the OAuth app demands DPoP but the client is not configured for it.
	ErrDPoPRequired = errors.New("okta: the OAuth app requires DPoP")
	// ErrAmbiguous means a lookup by name matched more than one object.
	ErrAmbiguous = errors.New("okta: ambiguous name")
	// ErrForeignLink means a pagination link pointed away from the org URL.
	ErrForeignLink = errors.New("okta: next link leaves the org URL")
)

// Okta error codes the client maps to sentinels.
const (
	CodeNotFound     = "E0000007"
	CodeInvalidToken = "E0000011"
	CodeForbidden    = "E0000006"
	CodeRateLimited  = "E0000047"
)

// APIError is an Okta error response.
type APIError struct {
	Status       int
	ErrorCode    string
	ErrorSummary string
	ErrorID      string
	Causes       []string
	// Kind is the request kind that failed, e.g. "users.get".
	Kind string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "okta %s: HTTP %d", e.Kind, e.Status)
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " %s", e.ErrorCode)
	}
	if e.ErrorSummary != "" {
		fmt.Fprintf(&b, ": %s", e.ErrorSummary)
	}
	for _, c := range e.Causes {
		fmt.Fprintf(&b, "; %s", c)
	}
	if e.ErrorID != "" {
		fmt.Fprintf(&b, " (errorId %s)", e.ErrorID)
	}
	return b.String()
}

// Is maps the Okta code, or the status when the body had none, to a sentinel.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.ErrorCode == CodeNotFound || (e.ErrorCode == "" && e.Status == http.StatusNotFound)
	case ErrUnauthorized:
		return e.ErrorCode == CodeInvalidToken || (e.ErrorCode == "" && e.Status == http.StatusUnauthorized)
	case ErrForbidden:
		return e.ErrorCode == CodeForbidden || (e.ErrorCode == "" && e.Status == http.StatusForbidden)
	case ErrRateLimited:
		return e.ErrorCode == CodeRateLimited || e.Status == http.StatusTooManyRequests
	}
	return false
}

// errorBody is Okta's error JSON.
type errorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorLink    string `json:"errorLink"`
	ErrorID      string `json:"errorId"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

// AmbiguousError reports how many objects matched a name.
type AmbiguousError struct {
	Name    string
	Matches int
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("okta: %d groups are named %q", e.Matches, e.Name)
}

// Unwrap lets errors.Is(err, ErrAmbiguous) match.
func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// TokenError is an OAuth error from the token endpoint. It never carries the
// assertion or any token.
type TokenError struct {
	Status      int
	Code        string // e.g. invalid_client, invalid_dpop_proof
	Description string
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("okta token endpoint: HTTP %d %s", e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is treats client and grant rejections as ErrUnauthorized, scope rejections
// as ErrForbidden and DPoP demands as ErrDPoPRequired.
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Code == "invalid_client" || e.Code == "invalid_grant" || e.Code == "unauthorized_client"
	case ErrForbidden:
		return e.Code == "invalid_scope" || e.Code == "access_denied"
	case ErrDPoPRequired:
		return e.Code == "invalid_dpop_proof" && strings.Contains(strings.ToLower(e.Description), "missing")
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}
