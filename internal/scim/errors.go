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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// Sentinel errors for errors.Is. An *Error matches the one for its status.
var (
	ErrNotFound        = errors.New("scim: not found")
	ErrConflict        = errors.New("scim: conflict")
	ErrUnauthorized    = errors.New("scim: unauthorized")
	ErrForbidden       = errors.New("scim: forbidden")
	ErrRateLimited     = errors.New("scim: rate limited")
	ErrInvalidRequest  = errors.New("scim: invalid request")
	ErrServer          = errors.New("scim: server error")
	ErrInvalidResponse = errors.New("scim: invalid response")
	// ErrIncomplete means a listing ended before the totalResults the server
	// announced: what it returned cannot be taken as everything.
	ErrIncomplete = errors.New("scim: listing ended before totalResults")
	// ErrUserDelete guards the rule that users are deactivated, never deleted.
	ErrUserDelete = errors.New("scim: deleting users is not allowed")
)

// Error is a non-2xx answer from the server.
type Error struct {
	// Op is the logical operation, e.g. "users.create".
	Op     string
	Method string
	// Path is relative to the base URL and carries no query string.
	Path     string
	Status   int
	ScimType string
	Detail   string
	// RetryAfter is the server's requested wait on 429/503, zero if none.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scim %s: %s %s: %d %s", e.Op, e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.ScimType != "" {
		fmt.Fprintf(&b, " (%s)", e.ScimType)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is maps the status (and a uniqueness scimType, which some servers send with
// 400) to the sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict || strings.EqualFold(e.ScimType, "uniqueness")
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrServer:
		return e.Status >= 500
	case ErrInvalidRequest:
		return e.Status >= 400 && e.Status < 500 && !slices.Contains(notInvalid, e.Status) &&
			!strings.EqualFold(e.ScimType, "uniqueness")
	}
	return false
}

// notInvalid lists 4xx statuses that have their own sentinel.
var notInvalid = []int{http.StatusNotFound, http.StatusConflict, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests}

// RetryAfter returns the wait a rate-limited error asked for.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// maxDetail bounds the detail kept from a body; enough to diagnose, not a dump.
const maxDetail = 512

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// parseErrorBody fills Status-independent fields of e from a response body:
// the SCIM error schema when present, otherwise a short readable excerpt
// (an HTML page's title, or the start of the text).
func parseErrorBody(e *Error, body []byte, secret string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	var se struct {
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
		Message  string          `json:"message"`
	}
	if body[0] == '{' && json.Unmarshal(body, &se) == nil {
		e.ScimType = clean(se.ScimType, 64, secret)
		d := se.Detail
		if d == "" {
			d = se.Message
		}
		if d == "" {
			d = string(body)
		}
		e.Detail = clean(d, maxDetail, secret)
		return
	}
	text := string(body)
	if m := titleRE.FindStringSubmatch(text); m != nil {
		text = m[1]
	} else if strings.HasPrefix(text, "<") {
		text = tagRE.ReplaceAllString(text, " ")
	}
	e.Detail = clean(html.UnescapeString(text), maxDetail, secret)
}

// clean makes server text safe to put in an error: valid UTF-8, one line,
// bounded, and without the token should a server echo it back.
func clean(s string, limit int, secret string) string {
	s = httpx.Redact(strings.ToValidUTF8(s, "?"), secret)
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
