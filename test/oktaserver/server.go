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

// Package oktaserver is a stateful, in-memory emulator of the parts of the
// Okta Management API the operator reads (users, groups, membership, the
// System Log, event hook delivery), with
// SSWS and OAuth 2.0 (private-key JWT, DPoP) auth, per-bucket rate limits,
// Link-header paging and fault injection. It serves tests, benchmarks and
// the local demo; it only listens on loopback.
package oktaserver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Errors returned by the mutation methods.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("conflict")
)

// Options configures a Server.
type Options struct {
	// APIToken is the accepted SSWS token; default a random one (see Server.APIToken).
	APIToken string
	// RateLimits sets per-bucket limits per window, keyed by bucket name
	// (see the Bucket* constants); others use DefaultRateLimit.
	RateLimits map[string]int
	// DefaultRateLimit applies to buckets without an entry; default 600.
	DefaultRateLimit int
	// RateWindow is the bucket window, rounded to whole seconds; default 60 s.
	RateWindow time.Duration
	// TokenTTL is the OAuth access-token lifetime; default 1 h.
	TokenTTL time.Duration
}

// Rate-limit bucket names, one per endpoint family, as Okta groups them.
const (
	BucketUsers        = "/api/v1/users"
	BucketUser         = "/api/v1/users/{id}"
	BucketGroups       = "/api/v1/groups"
	BucketGroup        = "/api/v1/groups/{id}"
	BucketGroupMembers = "/api/v1/groups/{id}/users"
	BucketToken        = "/oauth2/v1/token"
)

// Server is the emulator. All methods are safe for concurrent use.
type Server struct {
	opts Options

	mu         sync.Mutex
	users      map[string]*user
	loginIdx   map[string]string
	groups     map[string]*group
	userOrder  []string
	groupOrder []string

	auth   authState
	limits rateState
	faults faultState
	counts countState
	log    logState
	hooks  hookState

	handler http.Handler
	srv     *http.Server
	ln      net.Listener
}

// New returns an emulator that is not listening yet; use Handler with your
// own server, or Start.
func New(opts Options) *Server {
	if opts.APIToken == "" {
		opts.APIToken = "00" + randString(30)
	}
	if opts.DefaultRateLimit <= 0 {
		opts.DefaultRateLimit = 600
	}
	switch {
	case opts.RateWindow <= 0:
		opts.RateWindow = time.Minute
	case opts.RateWindow < time.Second:
		// X-Rate-Limit-Reset has whole seconds: shorter windows cannot be expressed.
		opts.RateWindow = time.Second
	default:
		opts.RateWindow = opts.RateWindow.Round(time.Second)
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if _, ok := opts.RateLimits[BucketLogs]; !ok {
		opts.RateLimits = maps.Clone(opts.RateLimits)
		if opts.RateLimits == nil {
			opts.RateLimits = map[string]int{}
		}
		opts.RateLimits[BucketLogs] = defaultLogsLimit
	}
	s := &Server{opts: opts, users: map[string]*user{}, loginIdx: map[string]string{}, groups: map[string]*group{}}
	s.auth.init()
	s.limits.init(opts)
	s.handler = s.routes()
	return s
}

// Start listens on addr (default 127.0.0.1:0) and serves. Only loopback
// addresses are allowed: the emulator has an unauthenticated admin API.
func Start(opts Options, addr string) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("refusing to listen on non-loopback address %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := New(opts)
	s.ln = ln
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the base URL when started with Start.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops a server started with Start.
func (s *Server) Close() error {
	s.StopEventHooks()
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Handler returns the HTTP handler (API, token endpoint and admin API).
func (s *Server) Handler() http.Handler { return s.handler }

// APIToken returns the accepted SSWS token.
func (s *Server) APIToken() string { return s.opts.APIToken }

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/users", s.apiHandler(BucketUsers, scopeUsers, s.listUsers))
	api.HandleFunc("GET /api/v1/users/{id}", s.apiHandler(BucketUser, scopeUsers, s.getUser))
	api.HandleFunc("GET /api/v1/groups", s.apiHandler(BucketGroups, scopeGroups, s.listGroups))
	api.HandleFunc("GET /api/v1/groups/{id}", s.apiHandler(BucketGroup, scopeGroups, s.getGroup))
	api.HandleFunc("GET /api/v1/groups/{id}/users", s.apiHandler(BucketGroupMembers, scopeGroups, s.listMembers))
	api.HandleFunc("GET /api/v1/users/{id}/groups", s.apiHandler(BucketUserGroups, scopeUsers, s.listUserGroups))
	api.HandleFunc("GET /api/v1/logs", s.apiHandler(BucketLogs, scopeLogs, s.listLogs))
	api.HandleFunc("POST /oauth2/v1/token", s.tokenHandler)
	s.adminRoutes(api)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+r.URL.Path+" (Resource)")
	})
	return s.counted(api)
}

// apiHandler wraps an endpoint with latency, rate limits, faults and auth,
// in the order Okta's edge applies them.
func (s *Server) apiHandler(bucket, scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.faults.delay(r.Context())
		if !s.limits.take(w, bucket) {
			writeError(w, http.StatusTooManyRequests, codeRateLimited, "You exceeded the maximum number of requests. Try again in a while.")
			return
		}
		if s.faults.force429() {
			s.limits.exhaust(w, bucket)
			writeError(w, http.StatusTooManyRequests, codeRateLimited, "You exceeded the maximum number of requests. Try again in a while.")
			return
		}
		if s.faults.applyOutage(w, r) {
			return
		}
		if s.faults.failPath(w, r) {
			return
		}
		if !s.authorize(w, r, scope) {
			return
		}
		h(w, r)
	}
}

func randString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.NewReplacer("-", "a", "_", "b").Replace(base64.RawURLEncoding.EncodeToString(b))[:n]
}
