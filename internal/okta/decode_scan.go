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

package okta

// scan walks JSON that json.Valid accepted, so it only finds where values
// begin and end; decoding the few values kept is left to encoding/json.
type scan struct {
	b []byte
	i int
}

func (s *scan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// take consumes c (after whitespace) when it is next.
func (s *scan) take(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// null consumes a null literal when it is next.
func (s *scan) null() bool {
	s.ws()
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *scan) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// value returns the raw bytes of the next value and moves past it.
func (s *scan) value() []byte {
	s.ws()
	start := s.i
	switch s.b[s.i] {
	case '"':
		s.skipString()
	case '{', '[':
		s.skipNested()
	default:
		for s.i < len(s.b) && !isDelimiter(s.b[s.i]) {
			s.i++
		}
	}
	return s.b[start:s.i]
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// skipString moves past a string literal starting at s.i.
func (s *scan) skipString() {
	for s.i++; s.b[s.i] != '"'; s.i++ {
		if s.b[s.i] == '\\' {
			s.i++
		}
	}
	s.i++
}

// skipNested moves past an object or array starting at s.i.
func (s *scan) skipNested() {
	depth := 0
	for {
		switch s.b[s.i] {
		case '"':
			s.skipString()
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		s.i++
		if depth == 0 {
			return
		}
	}
}

// object walks the object starting at the next value, handing each key and
// raw value to field. Both alias the scanned bytes.
func (s *scan) object(field func(key, raw []byte) error) error {
	if !s.take('{') {
		return errNotFast
	}
	for first := true; !s.take('}'); first = false {
		if !first && !s.take(',') {
			return errNotFast
		}
		key := s.value()
		if len(key) == 0 || key[0] != '"' || !s.take(':') {
			return errNotFast
		}
		if err := field(keyBytes(key), s.value()); err != nil {
			return err
		}
	}
	return nil
}

// keyBytes is the text of a key literal: its bytes when plain, else decoded.
func keyBytes(raw []byte) []byte {
	if inner := raw[1 : len(raw)-1]; plain(inner) {
		return inner
	}
	return []byte(stringValue(raw))
}
