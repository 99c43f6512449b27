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

package scimserver

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// Options configures a Server.
type Options struct {
	// Token is the bearer token every request must carry. Required.
	Token string
	// BasePath is where the SCIM API is mounted. Default "/scim/v2".
	BasePath string
	// MaxResults caps count on list requests. Default 100.
	MaxResults int
	// MaxGroups is the group cap (Cisco: 1000); 0 means none. Past the cap
	// groups are silently dropped like Cisco does, or rejected with 400
	// when RejectOverCap is set.
	MaxGroups     int
	RejectOverCap bool
	// StrictMembers rejects members that are not known user ids (400).
	StrictMembers bool

	// RateLimit is the requests per second the server accepts, a token
	// bucket of RateBurst (default one second's worth); 0 means no limit.
	// Requests past it are answered 429, with Retry-After (whole seconds
	// until a token is free) when RetryAfter is set.
	RateLimit  float64
	RateBurst  int
	RetryAfter bool
	// LoadLatency delays requests as the bucket empties: not at all while
	// it is at least half full, up to LoadLatency when it is empty.
	LoadLatency time.Duration

	// Bulk serves POST /Bulk (RFC 7644 §3.7) and advertises it in
	// /ServiceProviderConfig, with BulkMaxOperations (default 1000) and
	// BulkMaxPayload bytes (default 1 MiB).
	Bulk              bool
	BulkMaxOperations int
	BulkMaxPayload    int
	// UserExtensions are user extension schemas besides Cisco's and the
	// enterprise one (see StringExtension).
	UserExtensions []schema.Schema
}

// Server is the test SCIM server; it is an http.Handler.
type Server struct {
	opts      Options
	store     *store
	faults    faultSet
	counts    counter
	dropped   atomic.Int64
	latency   atomic.Int64 // nanoseconds added to every request
	bucket    *bucket
	throttled atomic.Int64
	bulkOps   atomic.Int64

	users, groups *handler
	apis          sync.Map // base URL → scim.Server (meta.location needs the host)

	mu  sync.Mutex
	hs  *http.Server
	url string
}

// New returns a server with an empty store.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		return nil, errors.New("scimserver: a token is required")
	}
	if opts.BasePath == "" {
		opts.BasePath = "/scim/v2"
	}
	opts.BasePath = "/" + strings.Trim(opts.BasePath, "/")
	if opts.MaxResults <= 0 {
		opts.MaxResults = 100
	}
	if opts.BulkMaxOperations <= 0 {
		opts.BulkMaxOperations = 1000
	}
	if opts.BulkMaxPayload <= 0 {
		opts.BulkMaxPayload = 1 << 20
	}
	s := &Server{opts: opts, store: newStore(), bucket: newBucket(opts)}
	exts := append([]schema.Schema{ciscoUserSchema(), enterpriseUserSchema()}, opts.UserExtensions...)
	s.users = &handler{srv: s, kind: userKind, schemas: schemaSet{core: userSchema(), exts: exts}}
	s.groups = &handler{srv: s, kind: groupKind, schemas: schemaSet{core: schema.CoreGroupSchema()}}
	return s, nil
}

// BasePath is the path prefix of the SCIM API.
func (s *Server) BasePath() string { return s.opts.BasePath }

// api returns the library server for a base URL.
func (s *Server) api(base string) (scim.Server, error) {
	if v, ok := s.apis.Load(base); ok {
		return v.(scim.Server), nil
	}
	srv, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			MaxResults:       s.opts.MaxResults,
			SupportFiltering: true,
			SupportPatch:     true,
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type: scim.AuthenticationTypeOauthBearerToken, Name: "Bearer token", Description: "Static bearer token", Primary: true,
			}},
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
				Description: optional.NewString("User Account"), Schema: s.users.schemas.core,
				SchemaExtensions: s.users.schemaExtensions(),
				Handler:          s.users,
			},
			{
				ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
				Description: optional.NewString("Group"), Schema: s.groups.schemas.core,
				Handler: s.groups,
			},
		},
	}, scim.WithBaseURL(base))
	if err != nil {
		return scim.Server{}, err
	}
	s.apis.Store(base, srv)
	return srv, nil
}

// route names the endpoint of a path for counting and fault matching.
func (s *Server) route(path string) string {
	rel, ok := strings.CutPrefix(path, s.opts.BasePath)
	if !ok {
		return path
	}
	for _, ep := range []string{"/Users", "/Groups"} {
		if rest, ok := strings.CutPrefix(rel, ep+"/"); ok && rest != "" {
			return ep + "/{id}"
		}
	}
	if rel == "" {
		return "/"
	}
	return rel
}

// ServeHTTP counts the request, applies faults, checks the token and hands
// the request to the SCIM library.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		if !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, "", "missing or invalid bearer token")
			return
		}
		s.control(w, r)
		return
	}
	route := s.route(r.URL.Path)
	s.counts.add(r.Method, route)
	if d := time.Duration(s.latency.Load()); d > 0 {
		(&Fault{Kind: FaultLatency, Latency: d}).inject(w, r)
	}
	var body []byte
	if s.faults.matchesBodies() && r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 256<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f := s.faults.takeIn(r.Method, route, false, body)
	if f != nil && !f.AfterHandler && f.Kind != FaultTruncatedPage && f.inject(w, r) {
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		writeError(w, http.StatusUnauthorized, "", "missing or invalid bearer token")
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, s.opts.BasePath)
	if !ok || (rel != "" && rel[0] != '/') {
		writeError(w, http.StatusNotFound, "", "not a SCIM endpoint")
		return
	}
	if !s.admit(w, r) {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + s.opts.BasePath
	api, err := s.api(base)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = rel, ""
	r2.Body = http.MaxBytesReader(w, r.Body, 256<<20)
	serve := func(w http.ResponseWriter) { api.ServeHTTP(w, r2) }
	if s.opts.Bulk && rel == "/Bulk" {
		serve = func(w http.ResponseWriter) { s.serveBulk(w, r2, api, base) }
	}
	if s.opts.Bulk && rel == "/ServiceProviderConfig" {
		serve = func(w http.ResponseWriter) { s.serveConfig(w, r2, api) }
	}
	if f != nil && f.Kind == FaultTruncatedPage {
		rec := httptest.NewRecorder()
		serve(rec)
		writeTruncated(w, rec)
		return
	}
	if f != nil && f.AfterHandler {
		// Let the request take effect, then fail its answer.
		serve(httptest.NewRecorder())
		f.inject(w, r)
		return
	}
	serve(w)
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

// Listen serves on addr, which must be a 127.0.0.1 address ("127.0.0.1:0"
// picks a free port), and returns the SCIM base URL.
func (s *Server) Listen(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if host != "127.0.0.1" {
		return "", fmt.Errorf("scimserver: refusing to listen on %q: only 127.0.0.1 is allowed", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	u := "http://" + ln.Addr().String() + s.opts.BasePath
	s.mu.Lock()
	s.hs, s.url = hs, u
	s.mu.Unlock()
	go func() { _ = hs.Serve(ln) }()
	return u, nil
}

// URL is the SCIM base URL after Listen, "" before.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops a server started with Listen.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.hs.Shutdown(ctx)
}

// AddFault activates a fault; faults are tried in the order added.
func (s *Server) AddFault(f Fault) { s.faults.add(f) }

// ClearFaults removes all faults.
func (s *Server) ClearFaults() { s.faults.clear() }

// SetLatency adds d to every request (0 turns it off).
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// DroppedGroups counts group creates dropped past the cap.
func (s *Server) DroppedGroups() int64 { return s.dropped.Load() }

// Throttled counts requests answered 429 by the rate limit.
func (s *Server) Throttled() int64 { return s.throttled.Load() }

// BulkOperations counts the operations Bulk requests carried out.
func (s *Server) BulkOperations() int64 { return s.bulkOps.Load() }
