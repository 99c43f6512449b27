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
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/httpx"
)

// VerifyResult is what Verify found. Message is safe to show to users.
type VerifyResult struct {
	Reason  check.Reason
	Message string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
}

// Verify does what Okta's "Test API Credentials" does: one
// GET /Users?startIndex=1&count=2, without retries, classified for a human.
// Server errors (5xx, 429) count as Unreachable: the endpoint exists but
// cannot serve now.
func (c *Client) Verify(ctx context.Context) VerifyResult {
	var p listPage[User]
	cl := &call{op: "verify", method: http.MethodGet, path: "/Users", query: "count=2&startIndex=1",
		limit: c.opts.MaxListBytes, single: true, decode: func(r io.Reader) (err error) {
			p, err = decodeListPage[User](r)
			return err
		}}
	err := c.do(ctx, cl)
	status := cl.status
	var se *Error
	errors.As(err, &se)
	switch {
	case err == nil && (p.Total >= 0 || slices.Contains(p.Schemas, SchemaListResponse)):
		return VerifyResult{check.OK, fmt.Sprintf("SCIM endpoint answered with %d users", max(p.Total, len(p.Resources))), status}
	case err == nil || errors.Is(err, ErrInvalidResponse):
		return VerifyResult{check.NotSCIMEndpoint, "the URL answered, but not with a SCIM ListResponse; check the base URL", status}
	case errors.Is(err, ErrUnauthorized):
		return VerifyResult{check.Unauthorized, "the token was rejected (401); generate a new token and update the secret", status}
	case errors.Is(err, ErrForbidden):
		return VerifyResult{check.Forbidden, "the token may not list users (403)", status}
	case se != nil && (se.Status >= 500 || se.Status == http.StatusTooManyRequests):
		return VerifyResult{check.Unreachable, fmt.Sprintf("the SCIM server is not serving requests: %d %s", se.Status, http.StatusText(se.Status)), status}
	case se != nil:
		return VerifyResult{check.NotSCIMEndpoint, fmt.Sprintf("unexpected %d %s for GET /Users; check the base URL", se.Status, http.StatusText(se.Status)), status}
	case httpx.IsTLSError(err):
		return VerifyResult{check.TLSError, "TLS handshake failed: " + errors.Unwrap(err).Error(), 0}
	}
	if te := (*transportError)(nil); errors.As(err, &te) {
		return VerifyResult{check.Unreachable, "cannot reach the SCIM server: " + te.err.Error(), 0}
	}
	return VerifyResult{check.Unreachable, err.Error(), 0}
}
