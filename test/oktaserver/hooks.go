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

package oktaserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// HookOptions registers an event hook, as an Okta admin would: the
// endpoint, the header Okta sends with every request (a static secret),
// and the faults of a best-effort delivery.
type HookOptions struct {
	URL string `json:"url"`
	// HeaderName defaults to Authorization; Secret is its value.
	HeaderName string `json:"headerName"`
	Secret     string `json:"secret"`
	// OrgURL is the org the deliveries say they come from (source).
	OrgURL string `json:"orgURL"`
	// LossPercent drops that share of deliveries (never sent, no retry);
	// Reorder shuffles the events of each batch and delays some batches
	// behind later ones.
	LossPercent int  `json:"lossPercent"`
	Reorder     bool `json:"reorder"`
	// CAPEM is the CA that signed the endpoint's certificate.
	CAPEM string `json:"caPEM"`
	// Batch is how long events gather before one delivery (default 100ms).
	Batch time.Duration `json:"batch"`
}

// HookStats counts deliveries by outcome.
type HookStats struct {
	Delivered, Dropped, Failed, Retried int
}

// hookState delivers events to the registered hook, best effort like
// Okta: at least once, maybe out of order, one retry, none after a 4xx,
// a 3 s timeout.
type hookState struct {
	mu      sync.Mutex
	opts    *HookOptions
	client  *http.Client
	pending []logEvent
	held    [][]logEvent
	stats   HookStats
	stop    context.CancelFunc
}

func (h *hookState) enqueue(ev logEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.opts != nil {
		h.pending = append(h.pending, ev)
	}
}

// RegisterEventHook verifies the endpoint with the one-time GET carrying
// X-Okta-Verification-Challenge and, when it echoes the challenge, starts
// delivering every later event to it.
func (s *Server) RegisterEventHook(o HookOptions) error {
	if o.HeaderName == "" {
		o.HeaderName = "Authorization"
	}
	if o.Batch <= 0 {
		o.Batch = 100 * time.Millisecond
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	if o.CAPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(o.CAPEM)) {
			return fmt.Errorf("%w: caPEM holds no certificate", ErrInvalid)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	client := &http.Client{Transport: tr, Timeout: 3 * time.Second}
	if err := verifyHook(client, o); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &s.hooks
	h.mu.Lock()
	if h.stop != nil {
		h.stop()
	}
	h.opts, h.client, h.stop, h.pending, h.held = &o, client, cancel, nil, nil
	h.mu.Unlock()
	go h.run(ctx, o)
	return nil
}

// StopEventHooks stops deliveries.
func (s *Server) StopEventHooks() {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop != nil {
		h.stop()
	}
	h.opts, h.stop, h.pending, h.held = nil, nil, nil, nil
}

// HookStats returns the delivery counts.
func (s *Server) HookStats() HookStats {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return s.hooks.stats
}

func verifyHook(client *http.Client, o HookOptions) error {
	challenge := newUUID()
	req, err := http.NewRequest(http.MethodGet, o.URL, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	req.Header.Set("X-Okta-Verification-Challenge", challenge)
	req.Header.Set(o.HeaderName, o.Secret)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: verifying the event hook: %w", ErrInvalid, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body struct {
		Verification string `json:"verification"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body) != nil || body.Verification != challenge {
		return fmt.Errorf("%w: the event hook endpoint did not echo the verification challenge (HTTP %d)", ErrInvalid, resp.StatusCode)
	}
	return nil
}

func (h *hookState) run(ctx context.Context, o HookOptions) {
	t := time.NewTicker(o.Batch)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, batch := range h.takeBatches(o) {
			h.deliver(ctx, o, batch)
		}
	}
}

// takeBatches returns the deliveries due now: this tick's events, and with
// Reorder, batches held back from earlier ticks sent after it.
func (h *hookState) takeBatches(o HookOptions) [][]logEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out [][]logEvent
	if len(h.pending) > 0 {
		b := h.pending
		h.pending = nil
		if o.Reorder {
			shuffle(b)
			if chance(50) {
				// Held back: it goes out after a later batch.
				h.held = append(h.held, b)
				b = nil
			}
		}
		if b != nil {
			out = append(out, b)
		}
	}
	if o.Reorder && len(h.held) > 0 && (len(out) > 0 || chance(30)) {
		out = append(out, h.held...)
		h.held = nil
	}
	return out
}

func (h *hookState) deliver(ctx context.Context, o HookOptions, events []logEvent) {
	if chance(o.LossPercent) {
		h.count(func(s *HookStats) { s.Dropped++ })
		return
	}
	body := hookPayload(o, events)
	for attempt := range 2 {
		status, err := h.post(ctx, o, body)
		switch {
		case err == nil && status < 300:
			h.count(func(s *HookStats) { s.Delivered++ })
			return
		case err == nil && status < 500:
			// Okta never retries a 4xx.
			h.count(func(s *HookStats) { s.Failed++ })
			return
		case attempt == 0:
			h.count(func(s *HookStats) { s.Retried++ })
		}
	}
	h.count(func(s *HookStats) { s.Failed++ })
}

func (h *hookState) post(ctx context.Context, o HookOptions, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(o.HeaderName, o.Secret)
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (h *hookState) count(f func(*HookStats)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.stats)
}

// hookPayload is Okta's event hook envelope around System Log events.
func hookPayload(o HookOptions, events []logEvent) []byte {
	rendered := make([]logEventJSON, 0, len(events))
	for _, ev := range events {
		rendered = append(rendered, renderLogEvent(ev))
	}
	b, _ := json.Marshal(map[string]any{
		"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
		"source": o.OrgURL + "/api/v1/eventHooks/who1emulator000000000", "eventId": newUUID(),
		"eventTime": time.Now().UTC().Format(TimeFormat), "contentType": "application/json",
		"data": map[string]any{"events": rendered},
	})
	return b
}

func chance(percent int) bool {
	if percent <= 0 {
		return false
	}
	n, err := rand.Int(rand.Reader, big.NewInt(100))
	return err == nil && int(n.Int64()) < percent
}

func shuffle(b []logEvent) {
	for i := len(b) - 1; i > 0; i-- {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return
		}
		j := int(n.Int64())
		b[i], b[j] = b[j], b[i]
	}
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
