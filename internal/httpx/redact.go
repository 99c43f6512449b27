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

package httpx

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
)

// Redacted replaces a secret wherever it is found in text from a server.
const Redacted = "[REDACTED]"

// minSecretLen keeps very short values (a misconfigured one-character
// token) from blanking out unrelated text.
const minSecretLen = 4

// Redact removes every secret from s, in the forms a server may echo it:
// as sent, JSON-escaped and URL-escaped.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		for _, form := range secretForms(sec) {
			s = strings.ReplaceAll(s, form, Redacted)
		}
	}
	return s
}

func secretForms(sec string) []string {
	forms := []string{sec}
	if b, err := json.Marshal(sec); err == nil {
		if j := string(b[1 : len(b)-1]); j != sec {
			forms = append(forms, j)
		}
	}
	for _, e := range []string{url.QueryEscape(sec), url.PathEscape(sec)} {
		if e != sec {
			forms = append(forms, e)
		}
	}
	return forms
}

// Secrets is a set of values to redact that can grow while it is used
// (an OAuth client learns each access token it is issued).
type Secrets struct {
	mu     sync.RWMutex
	values []string
}

// maxSecrets bounds how many values a Secrets remembers; the oldest go first.
const maxSecrets = 8

// Add remembers v.
func (s *Secrets) Add(v string) {
	if len(v) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.values {
		if have == v {
			return
		}
	}
	s.values = append(s.values, v)
	if len(s.values) > maxSecrets {
		s.values = s.values[len(s.values)-maxSecrets:]
	}
}

// Redact removes every remembered value from text.
func (s *Secrets) Redact(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Redact(text, s.values...)
}
