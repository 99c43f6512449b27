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
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/defaults"
	"github.com/scimbridge/scimbridge/internal/httpx"
)

// Options tunes a Client. Zero fields take the value in defaultOptions.
type Options struct {
	// HTTPClient overrides the transport; its CheckRedirect is replaced by a
	// same-origin policy. Default: httpx.NewTransport with CABundle.
	HTTPClient *http.Client
	// CABundle is extra PEM roots for the default transport.
	CABundle []byte
	// PageSize is the member page size; default 1000 (Okta's maximum for group members).
	PageSize int
	// SearchPageSize is the page size for user and group searches; default 200.
	SearchPageSize int
	// Timeout bounds each attempt; default 30 s.
	Timeout time.Duration
	// MaxBodyBytes caps one response body; default 32 MiB.
	MaxBodyBytes int64
	// MaxRetries bounds retries of transient failures and 429s per request; default 5.
	MaxRetries int
	// Backoff spaces transient retries; zero means httpx defaults.
	Backoff httpx.Backoff
	// Overlap is subtracted from the server time to form incremental
	// watermarks, because Okta's search index is eventually consistent; default 2 min.
	Overlap time.Duration
	// Limiters hands the client its org's limiter: clients given one
	// registry share each org's request budget. Default: a registry of the
	// client's own, so it paces alone.
	Limiters *Limiters
	// Accounting collects request counts; default a fresh one (see Client.Accounting).
	Accounting *httpx.Accounting
	// Observer, if set, is called after every HTTP exchange with its key and duration.
	Observer func(httpx.RequestKey, time.Duration)
	// UserAgent is sent on every request; default "scimbridge-okta".
	UserAgent string
}

// defaultOptions holds the value each zero field of Options takes. Limiters
// and Accounting are made fresh per client, so they are not in the table.
var defaultOptions = Options{
	PageSize:       1000,
	SearchPageSize: 200,
	Timeout:        30 * time.Second,
	MaxBodyBytes:   32 << 20,
	MaxRetries:     5,
	Overlap:        2 * time.Minute,
	UserAgent:      "scimbridge-okta",
}

func (o Options) withDefaults() Options {
	d := defaultOptions
	o.PageSize = defaults.Positive(o.PageSize, d.PageSize)
	o.SearchPageSize = defaults.Positive(o.SearchPageSize, d.SearchPageSize)
	o.Timeout = defaults.Positive(o.Timeout, d.Timeout)
	o.MaxBodyBytes = defaults.Positive(o.MaxBodyBytes, d.MaxBodyBytes)
	o.MaxRetries = defaults.Positive(o.MaxRetries, d.MaxRetries)
	o.Overlap = defaults.Positive(o.Overlap, d.Overlap)
	o.UserAgent = cmp.Or(o.UserAgent, d.UserAgent)
	if o.Limiters == nil {
		o.Limiters = NewLimiters(LimiterOptions{})
	}
	if o.Accounting == nil {
		o.Accounting = &httpx.Accounting{}
	}
	return o
}

// Client reads an Okta org. It is safe for concurrent use.
type Client struct {
	org     *url.URL
	auth    Auth
	hc      *http.Client
	limiter *OrgLimiter
	opts    Options

	// secrets are the credentials in use, redacted from every text a
	// server sends back (error summaries may echo the Authorization header).
	secrets httpx.Secrets

	mu         sync.Mutex
	serverTime time.Time
}

// New returns a client of the org at orgURL (e.g. https://example.okta.com;
// pagination links must stay on its scheme and host) that authenticates
// with auth, SSWS(token) or the result of OAuth(cfg).
func New(orgURL string, auth Auth, opts Options) (*Client, error) {
	org, err := url.Parse(strings.TrimRight(strings.TrimSpace(orgURL), "/"))
	if err != nil || org.Host == "" || (org.Scheme != "https" && org.Scheme != "http") {
		return nil, fmt.Errorf("okta: invalid org URL %q", orgURL)
	}
	if org.Path != "" || org.RawQuery != "" {
		return nil, fmt.Errorf("okta: org URL %q must not have a path or query", orgURL)
	}
	if auth == nil {
		return nil, errors.New("okta: no auth configured")
	}
	opts = opts.withDefaults()
	c := &Client{org: org, auth: auth, opts: opts, limiter: opts.Limiters.For(org.String())}
	if opts.HTTPClient != nil {
		hc := *opts.HTTPClient
		c.hc = &hc
	} else {
		tr, err := httpx.NewTransport(httpx.TransportOptions{CABundle: opts.CABundle})
		if err != nil {
			return nil, fmt.Errorf("okta: %w", err)
		}
		c.hc = &http.Client{Transport: tr}
	}
	c.hc.CheckRedirect = httpx.SameOriginRedirects
	if err := c.auth.bind(c); err != nil {
		return nil, err
	}
	return c, nil
}

// OrgURL returns the normalised org URL.
func (c *Client) OrgURL() string { return c.org.String() }

// Accounting returns the request counts by kind, method and outcome.
func (c *Client) Accounting() *httpx.Accounting { return c.opts.Accounting }

// Limiter returns the org limiter in use.
func (c *Client) Limiter() *OrgLimiter { return c.limiter }

// ServerTime returns the Date of the most recent response (zero before any).
func (c *Client) ServerTime() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.serverTime
}

func (c *Client) noteServerTime(header http.Header) time.Time {
	t, err := http.ParseTime(header.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	c.mu.Lock()
	if t.After(c.serverTime) {
		c.serverTime = t
	}
	c.mu.Unlock()
	return t
}

// roundTrip sends one HTTP exchange and accounts it. Only the kind, method
// and outcome are recorded: never URLs with queries, headers or bodies.
func (c *Client) roundTrip(req *http.Request, kind string) (*http.Response, error) {
	req.Header.Set("User-Agent", c.opts.UserAgent)
	start := time.Now()
	// The URL is on the configured org origin: get checks sameOrigin first.
	resp, err := c.hc.Do(req) //nolint:gosec // G704: requests go only to the configured Okta org
	key := httpx.RequestKey{Kind: kind, Method: req.Method, Outcome: outcome(resp, err)}
	c.opts.Accounting.Add(key)
	if c.opts.Observer != nil {
		c.opts.Observer(key, time.Since(start))
	}
	return resp, err
}

func outcome(resp *http.Response, err error) string {
	switch {
	case err == nil:
		return strconv.Itoa(resp.StatusCode)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timeout"
	case httpx.IsTLSError(err):
		return "tls"
	}
	return "error"
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// request describes one logical API call.
type request struct {
	kind   string   // accounting kind, e.g. "users.get"
	bucket string   // rate-limit bucket, e.g. "/api/v1/users"
	url    *url.URL // absolute, on the org origin
	once   bool     // no retries of failures (auth refresh still allowed)
	// profile selects the profile attributes users read keep (nil: all).
	profile profileKeys
	// known names users the caller has already (SkipKnown).
	known func(id string) bool
}

// sameOrigin reports whether u is on the org's scheme and host.
func (c *Client) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, c.org.Scheme) && strings.EqualFold(u.Host, c.org.Host)
}

// get performs r with auth, pacing and retries, and decodes a 200 body into
// out. It returns the response's headers; the body is consumed and closed.
func (c *Client) get(ctx context.Context, r request, out any) (http.Header, error) {
	if !c.sameOrigin(r.url) {
		return nil, fmt.Errorf("%w: %s://%s", ErrForeignLink, r.url.Scheme, r.url.Host)
	}
	retries := 0
	usedAuth := map[authRetry]bool{} // each auth fix is tried once per call
	for {
		header, err := c.attempt(ctx, r, out)
		if err == nil {
			return header, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ra *retryable
		if !errors.As(err, &ra) {
			return nil, err
		}
		if ra.auth != noAuthRetry {
			if usedAuth[ra.auth] {
				return nil, ra.err
			}
			usedAuth[ra.auth] = true
			continue
		}
		if r.once || retries >= c.opts.MaxRetries {
			return nil, ra.err
		}
		wait := ra.wait
		if ra.backoff {
			wait = c.opts.Backoff.Delay(retries)
		}
		retries++
		if wait > 0 {
			if err := httpx.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
	}
}

// retryable wraps an attempt failure worth another try. wait is extra delay
// beyond what the limiter imposes (429 waits live in the limiter).
type retryable struct {
	err     error
	wait    time.Duration
	backoff bool      // wait per the client's Backoff instead
	auth    authRetry // a 401 that a nonce or a fresh token may fix
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// attempt performs one try.
func (c *Client) attempt(ctx context.Context, r request, out any) (http.Header, error) {
	cred, err := c.auth.prepare(ctx)
	if err != nil {
		if httpx.IsTransient(err) {
			return nil, &retryable{err: err, backoff: true}
		}
		return nil, err
	}
	release, err := c.limiter.acquire(ctx, r.bucket)
	if err != nil {
		return nil, err
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, r.url.String(), nil)
	if err != nil {
		release(0, nil)
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if err := cred.apply(req); err != nil {
		release(0, nil)
		return nil, err
	}
	resp, err := c.roundTrip(req, r.kind) //nolint:bodyclose // httpx.Drain below closes it
	if err != nil {
		release(0, nil)
		err = fmt.Errorf("okta %s: %w", r.kind, redactURLError(err))
		if httpx.IsTransient(err) && ctx.Err() == nil {
			return nil, &retryable{err: err, backoff: true}
		}
		return nil, err
	}
	// The slot is held until the body is read: Okta counts a request as
	// concurrent until its response completes. Deferred calls run in reverse,
	// so the body is drained before the slot is released.
	defer release(resp.StatusCode, resp.Header)
	defer httpx.Drain(resp.Body, 64<<10)
	c.noteServerTime(resp.Header)
	switch {
	case resp.StatusCode == http.StatusOK:
		if out != nil {
			if err := httpx.DecodeBody(resp.Body, c.opts.MaxBodyBytes, func(b []byte) error { return decodeInto(b, r, out) }); err != nil {
				// A cut or garbled page must fail, never pass as a short list.
				err = fmt.Errorf("okta %s: %w", r.kind, err)
				if httpx.IsTransient(err) {
					// The connection broke mid-body: worth another try.
					return nil, &retryable{err: err, backoff: true}
				}
				return nil, err
			}
		}
		return resp.Header, nil
	case resp.StatusCode == http.StatusUnauthorized:
		apiErr := c.apiError(resp, r.kind)
		if fix := cred.retryAfter401(resp); fix != noAuthRetry {
			return nil, &retryable{err: apiErr, auth: fix}
		}
		return nil, apiErr
	case resp.StatusCode == http.StatusTooManyRequests:
		apiErr := c.apiError(resp, r.kind)
		var wait time.Duration
		if resp.Header.Get("X-Rate-Limit-Reset") == "" {
			// Without bucket headers the limiter can't pace us: honour Retry-After or back off.
			var ok bool
			if wait, ok = httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), httpx.ServerNow(resp, time.Now())); !ok {
				return nil, &retryable{err: apiErr, backoff: true}
			}
			wait = httpx.Jitter(wait, 0.1)
		}
		return nil, &retryable{err: apiErr, wait: wait}
	case httpx.IsRetryableStatus(resp.StatusCode) || resp.StatusCode == http.StatusInternalServerError:
		return nil, &retryable{err: c.apiError(resp, r.kind), backoff: true}
	}
	return nil, c.apiError(resp, r.kind)
}

// apiError reads an Okta error body (capped) into an APIError.
func (c *Client) apiError(resp *http.Response, kind string) *APIError {
	e := &APIError{Status: resp.StatusCode, Kind: kind}
	var eb errorBody
	if httpx.DecodeJSON(resp.Body, 64<<10, &eb) == nil {
		e.ErrorCode, e.ErrorID = c.secrets.Redact(eb.ErrorCode), c.secrets.Redact(eb.ErrorID)
		e.ErrorSummary = c.secrets.Redact(eb.ErrorSummary)
		for _, cause := range eb.ErrorCauses {
			e.Causes = append(e.Causes, c.secrets.Redact(cause.ErrorSummary))
		}
	}
	return e
}

// redactURLError drops the query string from *url.Error so search terms
// don't end up in logs; credentials are in headers and never in URLs.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// endpoint builds an absolute org URL from a base path, an optional id
// segment (escaped, since logins may hold any character), and a query.
func (c *Client) endpoint(base, id, rest string, q url.Values) *url.URL {
	u := *c.org
	u.Path, u.RawPath = base+rest, ""
	if id != "" {
		u.Path = base + "/" + id + rest
		u.RawPath = base + "/" + url.PathEscape(id) + rest
	}
	u.RawQuery = q.Encode()
	return &u
}
