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
	"net/url"

	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/httpx"
)

// VerifyResult is the outcome of Verify. Message is safe to show in status.
type VerifyResult struct {
	Reason  check.Reason
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
		return VerifyResult{Reason: check.OK, Message: "credentials accepted"}
	}
	r := check.Error
	switch {
	case errors.Is(err, ErrDPoPRequired):
		r = check.DPoPRequired
	case errors.Is(err, ErrUnauthorized):
		r = check.Unauthorized
	case errors.Is(err, ErrForbidden):
		r = check.Forbidden
	case httpx.IsTLSError(err):
		r = check.TLSError
	case isUnreachable(err) || errors.Is(err, ErrRateLimited):
		// Rate limited: the credentials may be fine, the org cannot serve now.
		r = check.Unreachable
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
