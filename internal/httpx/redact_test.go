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
