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

package controller

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// HookOptions configure the Event Hook receiver.
type HookOptions struct {
	// BindAddress is where the receiver listens; empty or "0" leaves it off.
	BindAddress string
	// CertDir holds tls.crt and tls.key (a Secret, for example one that
	// cert-manager keeps current; the files are reloaded when they change).
	CertDir string
	// RequestsPerSecond and Burst bound all hook requests together.
	RequestsPerSecond float64
	Burst             int
}

// Enabled reports whether the receiver is configured.
func (o HookOptions) Enabled() bool { return o.BindAddress != "" && o.BindAddress != "0" }

const (
	// hookPathPrefix starts /hooks/okta/<namespace>/<name>.
	hookPathPrefix = "/hooks/okta/"
	// hookMaxBody bounds a delivery; Okta batches a few hundred events at most.
	hookMaxBody = 1 << 20
	// hookReadTimeout keeps the answer inside Okta's 3 s.
	hookReadTimeout = 2 * time.Second
)

// hookAuth is an integration's hook secret and the header that carries it.
type hookAuth struct {
	header string
	secret []byte
	org    string
}

// hookReceiver answers Okta's Event Hooks. A hook is authenticated by the
// static header secret of the integration its path names (compared in
// constant time), acknowledged at once, and only wakes the org's System
// Log poll: the log and Okta's current state decide what is written, so a
// forged, replayed, lost or reordered hook can change nothing.
type hookReceiver struct {
	opts    HookOptions
	feed    *changeFeed
	metrics feedMetrics
	limiter *rate.Limiter

	mu   sync.Mutex
	seen *recentIDs
}

func newHookReceiver(opts HookOptions, feed *changeFeed, m feedMetrics) *hookReceiver {
	if opts.RequestsPerSecond <= 0 {
		opts.RequestsPerSecond = 20
	}
	if opts.Burst <= 0 {
		opts.Burst = 40
	}
	return &hookReceiver{opts: opts, feed: feed, metrics: m, seen: newRecentIDs(4096),
		limiter: rate.NewLimiter(rate.Limit(opts.RequestsPerSecond), opts.Burst)}
}

// Start serves TLS until ctx ends; it implements manager.Runnable.
func (h *hookReceiver) Start(ctx context.Context) error {
	cw, err := certwatcher.New(filepath.Join(h.opts.CertDir, "tls.crt"), filepath.Join(h.opts.CertDir, "tls.key"))
	if err != nil {
		return err
	}
	go func() { _ = cw.Start(ctx) }()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: hookReadTimeout, ReadTimeout: hookReadTimeout, WriteTimeout: time.Second,
		IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cw.GetCertificate}}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", h.opts.BindAddress)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NeedLeaderElection: only the leader polls, so only it listens.
func (h *hookReceiver) NeedLeaderElection() bool { return true }

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	result, status := h.handle(w, r)
	h.metrics.hooks.WithLabelValues(result).Inc()
	if status == http.StatusOK {
		return
	}
	http.Error(w, http.StatusText(status), status)
}

// handle answers one request and says how it ended; it writes the body
// only for the verification.
func (h *hookReceiver) handle(w http.ResponseWriter, r *http.Request) (string, int) {
	if !h.limiter.Allow() {
		return "throttled", http.StatusTooManyRequests
	}
	key, ok := hookKey(r.URL.Path)
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		return "rejected", http.StatusNotFound
	}
	auth, wake := h.feed.hookFor(key)
	// An unknown integration is refused like a wrong secret, so a caller
	// cannot tell which integrations exist.
	if auth == nil || subtle.ConstantTimeCompare([]byte(r.Header.Get(auth.header)), auth.secret) != 1 {
		return "unauthorized", http.StatusUnauthorized
	}
	if r.Method == http.MethodGet {
		challenge := r.Header.Get("X-Okta-Verification-Challenge")
		if challenge == "" || len(challenge) > 256 {
			return "rejected", http.StatusBadRequest
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"verification": challenge})
		return "verified", http.StatusOK
	}
	var body struct {
		EventID string `json:"eventId"`
		Source  string `json:"source"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, hookMaxBody)).Decode(&body); err != nil {
		return "rejected", http.StatusBadRequest
	}
	if okta.OrgKey(body.Source) != auth.org {
		// From another org than the integration reads: nothing to wake.
		return "ignored", http.StatusOK
	}
	h.mu.Lock()
	fresh := h.seen.add(body.EventID)
	h.mu.Unlock()
	if !fresh {
		return "duplicate", http.StatusOK
	}
	wake()
	return "accepted", http.StatusOK
}

// hookKey reads the integration from /hooks/okta/<namespace>/<name>.
func hookKey(path string) (types.NamespacedName, bool) {
	rest, ok := strings.CutPrefix(path, hookPathPrefix)
	if !ok {
		return types.NamespacedName{}, false
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return types.NamespacedName{}, false
	}
	return types.NamespacedName{Namespace: ns, Name: name}, true
}
