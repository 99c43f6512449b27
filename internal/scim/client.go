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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// Client talks to one SCIM service provider. It is safe for concurrent use.
type Client struct {
	base  string // no trailing slash
	token string
	hc    *http.Client
	opts  Options
	pacer *Pacer
	// pausedUntil (unix nanos) makes every caller honour a 429's
	// Retry-After, not only the one that received it.
	pausedUntil atomic.Int64
	// blockedUntil (unix nanos) is set by a Retry-After too long to sleep
	// through: until then calls fail at once without being sent.
	blockedUntil atomic.Int64
}

// New returns a client for the SCIM base URL (for Cisco
// https://api.sse.cisco.com/identity/v2/scim) using a bearer token.
func New(baseURL, token string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("scim: base URL must be an absolute http(s) URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("scim: base URL must not carry credentials, query or fragment")
	}
	if token == "" {
		return nil, errors.New("scim: empty bearer token")
	}
	opts = opts.withDefaults()
	pacer := opts.Pacer
	if pacer == nil {
		pacer = NewPacer(PacerConfig{Mode: PacingFixed, RPS: opts.RPS, Burst: opts.Burst, MaxInFlight: opts.MaxConcurrency})
	}
	rt := opts.Transport
	if rt == nil {
		conns := max(opts.MaxConcurrency, pacer.maxInFlight())
		t, err := httpx.NewTransport(httpx.TransportOptions{CABundle: opts.CABundle, MaxConnsPerHost: conns})
		if err != nil {
			return nil, fmt.Errorf("scim: %w", err)
		}
		rt = t
	}
	return &Client{
		base:  strings.TrimRight(u.String(), "/"),
		token: token,
		hc:    &http.Client{Transport: rt, CheckRedirect: httpx.SameOriginRedirects},
		opts:  opts,
		pacer: pacer,
	}, nil
}

// Pacing returns the state of the client's pacer.
func (c *Client) Pacing() PaceStats { return c.pacer.Stats() }

// Accounting returns the per-attempt request counts.
func (c *Client) Accounting() *httpx.Accounting { return c.opts.Accounting }

// call describes one logical operation; do turns it into attempts.
type call struct {
	op     string
	method string
	path   string // escaped, relative to the base URL
	query  string // encoded
	body   any
	limit  int64                 // cap for a 2xx body
	decode func(io.Reader) error // nil discards a 2xx body
	// beforeReplay runs before a retry of a request that may have taken
	// effect; done=true means it did and the operation is complete.
	beforeReplay func(context.Context) (done bool, err error)
	// allowEmpty accepts 204 where a body is normally decoded; empty
	// records that it happened.
	allowEmpty bool
	empty      bool
	attempts   int  // set by do
	status     int  // of the last answer, 0 if none
	single     bool // no retries
}

// transportError is a failure without an HTTP response.
type transportError struct {
	op, method, path string
	err              error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("scim %s: %s %s: %v", e.op, e.method, e.path, e.err)
}
func (e *transportError) Unwrap() error { return e.err }

// do runs cl with rate limiting, the concurrency cap, per-attempt timeouts
// and bounded retries.
func (c *Client) do(ctx context.Context, cl *call) error {
	if cl.method == http.MethodDelete && strings.HasPrefix(cl.path, "/Users") {
		return ErrUserDelete
	}
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("scim %s: encoding request: %w", cl.op, err)
		}
	}
	maxAttempts := c.opts.MaxAttempts
	if cl.single {
		maxAttempts = 1
	}
	for attempt := 0; ; attempt++ {
		if err := c.blocked(cl); err != nil {
			return err
		}
		if attempt > 0 && cl.beforeReplay != nil {
			if done, err := cl.beforeReplay(ctx); err != nil || done {
				return err
			}
		}
		asked, err := c.waitTurn(ctx)
		if err != nil {
			return err
		}
		cl.attempts++
		cl.status = 0
		start := time.Now()
		err = c.attempt(ctx, cl, body)
		c.pacer.done(cl.op, asked, cl.status, time.Since(start))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("scim %s: %w", cl.op, ctx.Err())
		}
		wait, retry := c.retryDelay(err, attempt)
		if !retry || attempt+1 >= maxAttempts {
			return err
		}
		if err := httpx.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("scim %s: %w", cl.op, err)
		}
	}
}

// waitTurn passes a shared 429 pause and the pacer (rate and in-flight
// cap). The pause is checked again last: one may have begun while this call
// waited for its turn, and sending into it only earns another 429.
func (c *Client) waitTurn(ctx context.Context) (time.Time, error) {
	if err := c.sitOutPause(ctx); err != nil {
		return time.Time{}, err
	}
	asked, err := c.pacer.wait(ctx)
	if err != nil {
		return asked, err
	}
	if err := c.sitOutPause(ctx); err != nil {
		c.pacer.slots.release()
		return asked, err
	}
	return asked, nil
}

func (c *Client) sitOutPause(ctx context.Context) error {
	if until := c.pausedUntil.Load(); until > 0 {
		return httpx.Sleep(ctx, time.Until(time.Unix(0, until)))
	}
	return nil
}

// retryDelay decides whether err is worth another attempt and how long to wait.
func (c *Client) retryDelay(err error, attempt int) (time.Duration, bool) {
	var se *Error
	if errors.As(err, &se) {
		if !httpx.IsRetryableStatus(se.Status) {
			return 0, false
		}
		if se.RetryAfter > 0 {
			if se.RetryAfter > c.opts.MaxRetryAfter {
				return 0, false
			}
			return httpx.Jitter(se.RetryAfter, 0.1), true
		}
		return c.backoff().Delay(attempt), true
	}
	var te *transportError
	if errors.As(err, &te) && httpx.IsTransient(te.err) {
		return c.backoff().Delay(attempt), true
	}
	return 0, false
}

func (c *Client) backoff() httpx.Backoff {
	return httpx.Backoff{Base: c.opts.BackoffBase, Max: c.opts.BackoffMax}
}

// attempt sends one request and reads its answer within the attempt timeout.
func (c *Client) attempt(ctx context.Context, cl *call, body []byte) (err error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	target := c.base + cl.path
	if cl.query != "" {
		target += "?" + cl.query
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, target, rd)
	if err != nil {
		return &transportError{cl.op, cl.method, cl.path, err}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json, application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	start := time.Now()
	outcome := "error"
	defer func() { c.record(cl, outcome, time.Since(start)) }()

	resp, err := c.hc.Do(req) //nolint:bodyclose // httpx.Drain below closes it
	if err != nil {
		outcome = transportOutcome(err)
		return &transportError{cl.op, cl.method, cl.path, stripURL(err)}
	}
	defer httpx.Drain(resp.Body, 64<<10)
	outcome = strconv.Itoa(resp.StatusCode)
	cl.status = resp.StatusCode

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if cl.decode == nil {
			return nil
		}
		if resp.StatusCode == http.StatusNoContent && cl.allowEmpty {
			cl.empty = true
			return nil
		}
		if resp.StatusCode == http.StatusNoContent {
			return fmt.Errorf("scim %s: %w: empty 204 answer where a resource was expected", cl.op, ErrInvalidResponse)
		}
		if !isJSON(resp.Header.Get("Content-Type")) {
			return fmt.Errorf("scim %s: %w: content type %q", cl.op, ErrInvalidResponse, resp.Header.Get("Content-Type"))
		}
		if err := cl.decode(httpx.CapReader(resp.Body, cl.limit)); err != nil {
			if httpx.IsTransient(err) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				// The connection failed mid-body: a transport problem.
				outcome = transportOutcome(err)
				return &transportError{cl.op, cl.method, cl.path, err}
			}
			return fmt.Errorf("scim %s: %w: %w", cl.op, ErrInvalidResponse, err)
		}
		return nil
	}
	e := &Error{Op: cl.op, Method: cl.method, Path: cl.path, Status: resp.StatusCode}
	raw, _ := httpx.ReadAll(resp.Body, c.opts.MaxErrorBytes)
	parseErrorBody(e, raw, c.token)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), httpx.ServerNow(resp, time.Now())); ok {
			e.RetryAfter = d
			switch {
			case resp.StatusCode != http.StatusTooManyRequests:
			case d <= c.opts.MaxRetryAfter:
				c.pause(d)
			default:
				extend(&c.blockedUntil, time.Now().Add(d))
			}
		}
	}
	return e
}

// pause extends the shared pause to now+d.
func (c *Client) pause(d time.Duration) { extend(&c.pausedUntil, time.Now().Add(d)) }

// extend moves the deadline in v to t unless it is already later.
func extend(v *atomic.Int64, t time.Time) {
	until := t.UnixNano()
	for {
		cur := v.Load()
		if cur >= until || v.CompareAndSwap(cur, until) {
			return
		}
	}
}

// blocked refuses a call while the target's long Retry-After runs: it is
// answered like a 429 carrying the time left, and never sent.
func (c *Client) blocked(cl *call) error {
	left := time.Until(time.Unix(0, c.blockedUntil.Load()))
	if left <= 0 {
		return nil
	}
	return &Error{Op: cl.op, Method: cl.method, Path: cl.path, Status: http.StatusTooManyRequests, RetryAfter: left,
		Detail: "not sent: the target asked to wait until " + time.Now().Add(left).UTC().Format(time.RFC3339)}
}

func (c *Client) record(cl *call, outcome string, d time.Duration) {
	k := httpx.RequestKey{Kind: cl.op, Method: cl.method, Outcome: outcome}
	c.opts.Accounting.Add(k)
	if c.opts.Observer != nil {
		c.opts.Observer(k, d)
	}
}

// isJSON accepts application/json, application/scim+json and other +json
// types. A missing type or text/plain (what Go and some gateways default to)
// is given the benefit of the doubt; HTML login pages and the like are not.
func isJSON(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/plain"
}

// stripURL drops *url.Error's URL (which holds the query, e.g. a userName)
// and keeps the cause.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// transportOutcome names a transport failure for accounting.
func transportOutcome(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "timeout"
	case httpx.IsTLSError(err):
		return "tls"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	}
	return "error"
}
