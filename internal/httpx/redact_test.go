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
	"strings"
	"testing"
)

func TestRedactForms(t *testing.T) {
	sec := `tok/en+"value"`
	for _, text := range []string{
		"raw " + sec,
		`json {"h":"tok/en+\"value\""}`,
		"query tok%2Fen%2B%22value%22",
		"path tok%2Fen+%22value%22",
	} {
		got := Redact(text, sec)
		if !strings.Contains(got, Redacted) || strings.Contains(got, "tok/en") || strings.Contains(got, "tok%2Fen") {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
	if got := Redact("abc", "ab"); got != "abc" {
		t.Errorf("a too-short secret redacted text: %q", got)
	}
	var s Secrets
	for i := range maxSecrets + 2 {
		s.Add(strings.Repeat("x", 4) + string(rune('a'+i)))
	}
	if got := s.Redact("xxxxa xxxxj"); got != "xxxxa "+Redacted {
		t.Errorf("Secrets kept %q", got)
	}
}
