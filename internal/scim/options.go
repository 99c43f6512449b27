package scim

import (
	"net/http"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/version"
)

// Options tunes a Client. The zero value gives the defaults listed per field.
type Options struct {
	// Timeout bounds one attempt including reading the body. Default 30s.
	Timeout time.Duration
	// MaxAttempts bounds tries per operation, first one included. Default 4.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the jittered exponential backoff.
	// Defaults 500ms and 30s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client sleeps through;
	// a longer one is returned to the caller as ErrRateLimited. Default 2m.
	MaxRetryAfter time.Duration
	// RPS and Burst configure the client-side rate limiter. Defaults 10 and
	// 10; a negative RPS disables the limiter.
	RPS   float64
	Burst int
	// MaxConcurrency caps requests in flight. Default 4.
	MaxConcurrency int
	// Pacer, when set, replaces RPS, Burst and MaxConcurrency: a pacer of
	// the caller's, which can outlive the client (adaptive pacing keeps
	// the rate it learned when a rotated token builds a new client).
	Pacer *Pacer
	// PageSize is the count asked for per list page. Default 100.
	PageSize int
	// MembersPerPatch caps member changes per group PATCH. Default 100.
	MembersPerPatch int
	// SendEmails sends User.Emails on create and replace. Cisco does not
	// document emails, so they are left out unless asked for.
	SendEmails bool
	// CABundle is PEM data trusted in addition to the system roots.
	CABundle []byte
	// UserAgent defaults to version.UserAgent(), "scimbridge/<version>".
	UserAgent string
	// Accounting receives one record per attempt; a new one if nil.
	Accounting *httpx.Accounting
	// Observer, if set, is called once per attempt with its duration.
	Observer func(httpx.RequestKey, time.Duration)
	// Transport replaces the hardened default transport (tests, proxies).
	// CABundle is ignored when it is set.
	Transport http.RoundTripper
	// Response size caps by kind. Defaults: list page 32 MiB, single
	// resource 4 MiB, group with members 128 MiB, error body 64 KiB.
	MaxListBytes, MaxResourceBytes, MaxGroupBytes, MaxErrorBytes int64
}

func (o Options) withDefaults() Options {
	set := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	setD := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	setB := func(p *int64, v int64) {
		if *p <= 0 {
			*p = v
		}
	}
	setD(&o.Timeout, 30*time.Second)
	set(&o.MaxAttempts, 4)
	setD(&o.BackoffBase, 500*time.Millisecond)
	setD(&o.BackoffMax, 30*time.Second)
	setD(&o.MaxRetryAfter, 2*time.Minute)
	if o.RPS == 0 {
		o.RPS = 10
	}
	set(&o.Burst, 10)
	set(&o.MaxConcurrency, 4)
	set(&o.PageSize, 100)
	set(&o.MembersPerPatch, 100)
	if o.UserAgent == "" {
		o.UserAgent = version.UserAgent()
	}
	if o.Accounting == nil {
		o.Accounting = &httpx.Accounting{}
	}
	setB(&o.MaxListBytes, 32<<20)
	setB(&o.MaxResourceBytes, 4<<20)
	setB(&o.MaxGroupBytes, 128<<20)
	setB(&o.MaxErrorBytes, 64<<10)
	return o
}
