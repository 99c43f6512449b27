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
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// attrPathRE accepts "attr", "attr.sub" and URN-qualified attribute paths
// (RFC 7644 §3.4.2.2 attrPath); anything else could smuggle filter syntax.
var attrPathRE = regexp.MustCompile(`^(urn:[A-Za-z0-9:._-]+:)?[A-Za-z][A-Za-z0-9_$-]*(\.[A-Za-z][A-Za-z0-9_$-]*)?$`)

// quoteFilterValue renders s as a SCIM filter string literal. The literal is
// a JSON string (RFC 7644 §3.4.2.2), so `"` and `\` are escaped and control
// characters become \u00XX with upper-case hex, the only form the common
// filter grammars accept. s must be valid UTF-8: JSON cannot carry anything
// else without changing the value.
func quoteFilterValue(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("scim: filter value is not valid UTF-8")
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xF])
		default:
			// Multi-byte UTF-8 sequences pass through byte by byte.
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// eqFilter builds `attr eq "value"` with the value escaped.
func eqFilter(attr, value string) (string, error) {
	if !attrPathRE.MatchString(attr) {
		return "", fmt.Errorf("scim: invalid filter attribute %q", attr)
	}
	q, err := quoteFilterValue(value)
	if err != nil {
		return "", err
	}
	return attr + " eq " + q, nil
}
