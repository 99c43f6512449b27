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
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// listPage is one decoded ListResponse. Total is -1 when the server left
// totalResults out.
type listPage[T any] struct {
	Total     int
	Resources []T
	Schemas   []string
}

// decodeListPage reads a ListResponse as a token stream so only one resource
// at a time is buffered, never the whole page.
func decodeListPage[T any](r io.Reader) (listPage[T], error) {
	p := listPage[T]{Total: -1}
	dec := json.NewDecoder(r)
	err := walkObject(dec, func(key string) error {
		switch {
		case strings.EqualFold(key, "totalResults"):
			n, err := decodeInt(dec)
			p.Total = n
			return err
		case strings.EqualFold(key, "Resources"):
			return decodeArray(dec, func(v T) { p.Resources = append(p.Resources, v) })
		case strings.EqualFold(key, "schemas"):
			return dec.Decode(&p.Schemas)
		}
		return skipValue(dec)
	})
	return p, err
}

// decodeGroup reads a group streaming its members one by one: a group of
// 100k members is large and its raw form need not be held in memory.
// Without withMembers they are skipped, for servers that send them anyway.
func decodeGroup(r io.Reader, withMembers bool) (Group, error) {
	var g Group
	dec := json.NewDecoder(r)
	err := walkObject(dec, func(key string) error {
		switch strings.ToLower(key) {
		case "id":
			return dec.Decode(&g.ID)
		case "externalid":
			return dec.Decode(&g.ExternalID)
		case "displayname":
			return dec.Decode(&g.DisplayName)
		case "meta":
			return dec.Decode(&g.Meta)
		case "members":
			if !withMembers {
				return skipValue(dec)
			}
			g.Members = []Member{}
			return decodeArray(dec, func(m Member) { g.Members = append(g.Members, m) })
		}
		return skipValue(dec)
	})
	return g, err
}

// walkObject consumes one JSON object, calling field for each key; field
// must consume exactly the key's value.
func walkObject(dec *json.Decoder, field func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("expected object key, got %v", tok)
		}
		if err := field(key); err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
	}
	_, err := dec.Token()
	return err
}

// decodeArray consumes a JSON array (or null) element by element.
func decodeArray[T any](dec *json.Decoder, add func(T)) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected array, got %v", tok)
	}
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		add(v)
	}
	_, err = dec.Token()
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, got %v", want, tok)
	}
	return nil
}

// skipValue consumes one value token by token, so skipping a huge value
// (members the caller did not ask for) buffers nothing.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// decodeInt accepts a number or a numeric string, as some servers quote
// integers.
func decodeInt(dec *json.Decoder) (int, error) {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return 0, err
	}
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a non-negative integer: %s", raw)
	}
	return n, nil
}
