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
	"cmp"
	"net/http"
	"time"

	"github.com/scimbridge/scimbridge/internal/defaults"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/version"
)

// Options tunes a Client. Zero fields take the value in defaultOptions,
// also listed per field.
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

// defaultOptions holds the value each zero field of Options takes.
// UserAgent carries the build's version and Accounting is made fresh per
// client, so neither is in the table.
var defaultOptions = Options{
	Timeout:          30 * time.Second,
	MaxAttempts:      4,
	BackoffBase:      500 * time.Millisecond,
	BackoffMax:       30 * time.Second,
	MaxRetryAfter:    2 * time.Minute,
	RPS:              10,
	Burst:            10,
	MaxConcurrency:   4,
	PageSize:         100,
	MembersPerPatch:  100,
	MaxListBytes:     32 << 20,
	MaxResourceBytes: 4 << 20,
	MaxGroupBytes:    128 << 20,
	MaxErrorBytes:    64 << 10,
}

func (o Options) withDefaults() Options {
	d := defaultOptions
	o.Timeout = defaults.Positive(o.Timeout, d.Timeout)
	o.MaxAttempts = defaults.Positive(o.MaxAttempts, d.MaxAttempts)
	o.BackoffBase = defaults.Positive(o.BackoffBase, d.BackoffBase)
	o.BackoffMax = defaults.Positive(o.BackoffMax, d.BackoffMax)
	o.MaxRetryAfter = defaults.Positive(o.MaxRetryAfter, d.MaxRetryAfter)
	if o.RPS == 0 {
		// Only zero is unset: a negative RPS turns the limiter off.
		o.RPS = d.RPS
	}
	o.Burst = defaults.Positive(o.Burst, d.Burst)
	o.MaxConcurrency = defaults.Positive(o.MaxConcurrency, d.MaxConcurrency)
	o.PageSize = defaults.Positive(o.PageSize, d.PageSize)
	o.MembersPerPatch = defaults.Positive(o.MembersPerPatch, d.MembersPerPatch)
	o.UserAgent = cmp.Or(o.UserAgent, version.UserAgent())
	if o.Accounting == nil {
		o.Accounting = &httpx.Accounting{}
	}
	o.MaxListBytes = defaults.Positive(o.MaxListBytes, d.MaxListBytes)
	o.MaxResourceBytes = defaults.Positive(o.MaxResourceBytes, d.MaxResourceBytes)
	o.MaxGroupBytes = defaults.Positive(o.MaxGroupBytes, d.MaxGroupBytes)
	o.MaxErrorBytes = defaults.Positive(o.MaxErrorBytes, d.MaxErrorBytes)
	return o
}
