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
	"fmt"
	"strconv"
	"strings"
	"time"
)

// expr is a parsed Okta filter/search expression in disjunctive form:
// clauses joined by "and" bind tighter than "or", as in Okta. Parentheses
// are not supported (the client never sends them).
type expr [][]clause

type clause struct {
	attr, op string
	value    string
	quoted   bool
}

// parseExpr tokenises and parses e.g. `profile.name eq "A \"b\""` or
// `lastUpdated gt "…" or lastMembershipUpdated gt "…"`.
func parseExpr(s string) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	var out expr
	var cur []clause
	for i := 0; i < len(toks); {
		if i+2 >= len(toks) {
			return nil, fmt.Errorf("incomplete expression near %q", toks[i].text)
		}
		c := clause{attr: toks[i].text, op: strings.ToLower(toks[i+1].text), value: toks[i+2].text, quoted: toks[i+2].quoted}
		switch c.op {
		case "eq", "ne", "gt", "ge", "lt", "le", "sw", "co":
		default:
			return nil, fmt.Errorf("unsupported operator %q", c.op)
		}
		cur = append(cur, c)
		i += 3
		if i == len(toks) {
			break
		}
		switch strings.ToLower(toks[i].text) {
		case "and":
		case "or":
			out = append(out, cur)
			cur = nil
		default:
			return nil, fmt.Errorf("expected and/or, got %q", toks[i].text)
		}
		i++
		if i == len(toks) {
			return nil, fmt.Errorf("expression ends with an operator")
		}
	}
	if len(cur) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	return append(out, cur), nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ', '\t':
			i++
		case '"':
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated string")
				}
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, token{text: b.String(), quoted: true})
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '"' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// lookup returns an object's attribute as a comparable value: string,
// time.Time, or nil when absent.
type lookup func(attr string) (any, bool)

func (e expr) match(get lookup) (bool, error) {
	for _, conj := range e {
		all := true
		for _, c := range conj {
			ok, err := c.match(get)
			if err != nil {
				return false, err
			}
			if !ok {
				all = false
				break
			}
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func (c clause) match(get lookup) (bool, error) {
	v, known := get(c.attr)
	if !known {
		return false, fmt.Errorf("unsupported attribute %q", c.attr)
	}
	switch x := v.(type) {
	case nil:
		return c.op == "ne", nil
	case time.Time:
		t, err := time.Parse(time.RFC3339Nano, c.value)
		if err != nil {
			return false, fmt.Errorf("invalid date %q for %s", c.value, c.attr)
		}
		return compare(x.Compare(t), c.op), nil
	default:
		s := fmt.Sprint(x)
		// Okta string matching ignores case, except for ids, which differ by case alone.
		a, b := strings.ToLower(s), strings.ToLower(c.value)
		if c.attr == "id" {
			a, b = s, c.value
		}
		switch c.op {
		case "sw":
			return strings.HasPrefix(a, b), nil
		case "co":
			return strings.Contains(a, b), nil
		}
		if n1, e1 := strconv.ParseFloat(s, 64); e1 == nil && !c.quoted {
			if n2, e2 := strconv.ParseFloat(c.value, 64); e2 == nil {
				return compare(cmpFloat(n1, n2), c.op), nil
			}
		}
		return compare(strings.Compare(a, b), c.op), nil
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(r int, op string) bool {
	switch op {
	case "eq":
		return r == 0
	case "ne":
		return r != 0
	case "gt":
		return r > 0
	case "ge":
		return r >= 0
	case "lt":
		return r < 0
	case "le":
		return r <= 0
	}
	return false
}

func (u *user) lookup(attr string) (any, bool) {
	switch attr {
	case "id":
		return u.id, true
	case "status":
		return u.status, true
	case "created":
		return u.created, true
	case "lastUpdated":
		return u.lastUpdated, true
	case "type.id":
		return u.typeID, true
	case "activated", "statusChanged", "lastLogin", "passwordChanged":
		p := map[string]*time.Time{"activated": u.activated, "statusChanged": u.statusChanged, "lastLogin": u.lastLogin, "passwordChanged": u.pwChanged}[attr]
		if p == nil {
			return nil, true
		}
		return *p, true
	}
	if name, ok := strings.CutPrefix(attr, "profile."); ok {
		return u.profile[name], true
	}
	return nil, false
}

func (g *group) lookup(attr string) (any, bool) {
	switch attr {
	case "id":
		return g.id, true
	case "type":
		return g.typ, true
	case "created":
		return g.created, true
	case "lastUpdated":
		return g.lastUpdated, true
	case "lastMembershipUpdated":
		return g.lastMembershipUpdated, true
	case "profile.name":
		return g.name, true
	case "profile.description":
		return g.description, true
	}
	return nil, false
}
