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
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
)

// The receiver answers Okta's verification, refuses forged and unknown
// requests with 401, ignores other orgs and replays, and only ever wakes
// the org's poll.
func TestHookReceiver(t *testing.T) {
	feed := newChangeFeed(FeedOptions{}, newCyclePool(1, time.Minute), newFeedMetrics(), logr.Discard())
	key := types.NamespacedName{Namespace: "team", Name: "okta"}
	const org = "https://acme.okta.com"
	feed.register(key, feedRegistration{orgURL: org + "/", hook: &hookAuth{header: "Authorization", secret: []byte("s3cret"), org: org}})
	h := newHookReceiver(HookOptions{BindAddress: ":0"}, feed, newFeedMetrics())
	wake := feed.orgs[org].wake

	send := func(method, path, secret, body string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if secret != "" {
			r.Header.Set("Authorization", secret)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	woken := func() bool {
		select {
		case <-wake:
			return true
		default:
			return false
		}
	}
	const path = "/hooks/okta/team/okta"
	delivery := `{"eventId":"e1","source":"` + org + `/api/v1/eventHooks/who","data":{"events":[]}}`

	if w := send(http.MethodGet, path, "s3cret", "", "X-Okta-Verification-Challenge", "abc"); w.Code != http.StatusOK ||
		strings.TrimSpace(w.Body.String()) != `{"verification":"abc"}` {
		t.Errorf("verification: %d %q", w.Code, w.Body.String())
	}
	for name, w := range map[string]*httptest.ResponseRecorder{
		"wrong secret":        send(http.MethodPost, path, "s3cres", delivery),
		"no secret":           send(http.MethodPost, path, "", delivery),
		"unknown integration": send(http.MethodPost, "/hooks/okta/team/other", "s3cret", delivery),
		"forged verification": send(http.MethodGet, path, "nope", "", "X-Okta-Verification-Challenge", "abc"),
	} {
		if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "s3cret") {
			t.Errorf("%s: %d %q, want 401 without the secret", name, w.Code, w.Body.String())
		}
	}
	if woken() {
		t.Fatal("a refused request woke the poll")
	}
	other := `{"eventId":"e0","source":"https://evil.okta.com/api/v1/eventHooks/x"}`
	if w := send(http.MethodPost, path, "s3cret", other); w.Code != http.StatusOK || woken() {
		t.Errorf("another org's hook: %d, woken %v; want 200 and ignored", w.Code, woken())
	}
	if w := send(http.MethodPost, path, "s3cret", delivery); w.Code != http.StatusOK || !woken() {
		t.Errorf("a delivery: %d; want 200 and the poll woken", w.Code)
	}
	if w := send(http.MethodPost, path, "s3cret", delivery); w.Code != http.StatusOK || woken() {
		t.Errorf("a replay: %d; want 200 and nothing woken", w.Code)
	}
	if w := send(http.MethodPost, path, "s3cret", strings.Repeat("x", hookMaxBody+10)); w.Code != http.StatusBadRequest {
		t.Errorf("an oversized body: %d, want 400", w.Code)
	}
}
