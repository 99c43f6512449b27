package okta

import (
	"context"
	"errors"
	"net/url"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// Reason classifies a credential check.
type Reason string

// Credential check outcomes.
const (
	ReasonOK           Reason = "OK"
	ReasonUnauthorized Reason = "Unauthorized"
	ReasonForbidden    Reason = "Forbidden"
	ReasonDPoPRequired Reason = "DPoPRequired"
	ReasonUnreachable  Reason = "Unreachable"
	ReasonTLSError     Reason = "TLSError"
	ReasonError        Reason = "Error"
)

// VerifyResult is the outcome of Verify. Message is safe to show in status.
type VerifyResult struct {
	Reason  Reason
	Message string
}

// Verify checks the credentials cheaply ("Test API Credentials"): it gets a
// token if needed and reads one group, which needs okta.groups.read. It
// does not retry, so an operator sees the answer at once.
func (c *Client) Verify(ctx context.Context) VerifyResult {
	q := url.Values{"limit": {"1"}}
	var page []Group
	_, err := c.get(ctx, request{kind: "verify", bucket: groupsPath, url: c.endpoint(groupsPath, "", "", q), once: true}, &page)
	return classify(err)
}

func classify(err error) VerifyResult {
	if err == nil {
		return VerifyResult{Reason: ReasonOK, Message: "credentials accepted"}
	}
	r := ReasonError
	switch {
	case errors.Is(err, ErrDPoPRequired):
		r = ReasonDPoPRequired
	case errors.Is(err, ErrUnauthorized):
		r = ReasonUnauthorized
	case errors.Is(err, ErrForbidden):
		r = ReasonForbidden
	case httpx.IsTLSError(err):
		r = ReasonTLSError
	case isUnreachable(err) || errors.Is(err, ErrRateLimited):
		// Rate limited: the credentials may be fine, the org cannot serve now.
		r = ReasonUnreachable
	}
	return VerifyResult{Reason: r, Message: err.Error()}
}

// isUnreachable covers transport failures and server-side unavailability.
func isUnreachable(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) || isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.Status >= 500
}
