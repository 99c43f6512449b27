package scim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// Reason classifies the outcome of Verify; the values match the Okta
// client's where they mean the same.
type Reason string

// Verify outcomes.
const (
	ReasonOK              Reason = "OK"
	ReasonUnauthorized    Reason = "Unauthorized"
	ReasonForbidden       Reason = "Forbidden"
	ReasonUnreachable     Reason = "Unreachable"
	ReasonTLSError        Reason = "TLSError"
	ReasonNotSCIMEndpoint Reason = "NotSCIMEndpoint"
)

// VerifyResult is what Verify found. Message is safe to show to users.
type VerifyResult struct {
	Reason  Reason
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
		return VerifyResult{ReasonOK, fmt.Sprintf("SCIM endpoint answered with %d users", max(p.Total, len(p.Resources))), status}
	case err == nil || errors.Is(err, ErrInvalidResponse):
		return VerifyResult{ReasonNotSCIMEndpoint, "the URL answered, but not with a SCIM ListResponse; check the base URL", status}
	case errors.Is(err, ErrUnauthorized):
		return VerifyResult{ReasonUnauthorized, "the token was rejected (401); generate a new token and update the secret", status}
	case errors.Is(err, ErrForbidden):
		return VerifyResult{ReasonForbidden, "the token may not list users (403)", status}
	case se != nil && (se.Status >= 500 || se.Status == http.StatusTooManyRequests):
		return VerifyResult{ReasonUnreachable, fmt.Sprintf("the SCIM server is not serving requests: %d %s", se.Status, http.StatusText(se.Status)), status}
	case se != nil:
		return VerifyResult{ReasonNotSCIMEndpoint, fmt.Sprintf("unexpected %d %s for GET /Users; check the base URL", se.Status, http.StatusText(se.Status)), status}
	case httpx.IsTLSError(err):
		return VerifyResult{ReasonTLSError, "TLS handshake failed: " + errors.Unwrap(err).Error(), 0}
	}
	if te := (*transportError)(nil); errors.As(err, &te) {
		return VerifyResult{ReasonUnreachable, "cannot reach the SCIM server: " + te.err.Error(), 0}
	}
	return VerifyResult{ReasonUnreachable, err.Error(), 0}
}
