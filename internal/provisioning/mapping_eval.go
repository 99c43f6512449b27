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

package provisioning

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// userInput is the activation of one user's evaluations, shared by every
// expression so the user is converted to a CEL value once.
type userInput struct {
	user, constants ref.Val
	// bounded is set when every value the expressions read is within
	// sizeBound, so the untracked programs may run.
	bounded bool
}

func (in *userInput) ResolveName(name string) (any, bool) {
	switch name {
	case "user":
		return in.user, true
	case "constants":
		return in.constants, true
	}
	return nil, false
}

func (*userInput) Parent() interpreter.Activation { return nil }

func (m *compiledMapping) input(u okta.User) *userInput {
	profile := u.Profile
	if profile == nil {
		profile = map[string]any{}
	}
	user := types.DefaultTypeAdapter.NativeToValue(map[string]any{"id": u.ID, "status": u.Status, "profile": profile})
	return &userInput{user: user, constants: m.constants, bounded: m.bounded(u)}
}

// bounded reports whether the values the expressions read are within
// sizeBound: what the static cost estimate assumed.
func (m *compiledMapping) bounded(u okta.User) bool {
	if len(u.ID) > sizeBound || len(u.Status) > sizeBound || len(u.Profile) > sizeBound {
		return false
	}
	if m.allProfile {
		for _, v := range u.Profile {
			if !boundedValue(v, 0) {
				return false
			}
		}
		return true
	}
	for _, k := range m.profileKeys {
		if !boundedValue(u.Profile[k], 0) {
			return false
		}
	}
	return true
}

// boundedValue checks one decoded JSON value, nested at most a few levels.
func boundedValue(v any, depth int) bool {
	switch x := v.(type) {
	case string:
		return len(x) <= sizeBound
	case []any:
		if len(x) > sizeBound || depth > 2 {
			return false
		}
		for _, e := range x {
			if !boundedValue(e, depth+1) {
				return false
			}
		}
	case map[string]any:
		if len(x) > sizeBound || depth > 2 {
			return false
		}
		for k, e := range x {
			if len(k) > sizeBound || !boundedValue(e, depth+1) {
				return false
			}
		}
	}
	return true
}

// inScope evaluates spec.scope; true when there is none.
func (m *compiledMapping) inScope(in *userInput) (bool, error) {
	if m == nil || m.scope == nil {
		return true, nil
	}
	out, err := m.scope.eval(in)
	if err != nil {
		return false, evalError(err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("produced %s, not a bool", out.Type().TypeName())
	}
	return bool(b), nil
}

// excludes reports whether a user's own record fails spec.scope; an
// evaluation error excludes nobody.
func (m *compiledMapping) excludes(u okta.User) bool {
	if m == nil || m.scope == nil {
		return false
	}
	ok, err := m.inScope(m.input(u))
	return err == nil && !ok
}

// eval evaluates one attribute's expression into its stored form: the
// string, "" for no value (null, "" or an empty optional), or for emails
// the addresses joined by newlines, the primary first.
func (a *mappedAttr) eval(in *userInput) (string, error) {
	out, err := a.prog.eval(in)
	if err != nil {
		return "", evalError(err)
	}
	if a.Kind == kindEmails {
		return emailsValue(out)
	}
	return stringValue(out)
}

// evalError shortens cel-go's cost error, the one a person can act on.
func evalError(err error) error {
	if cancelled := (interpreter.EvalCancelledError{}); errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded {
		return fmt.Errorf("the expression exceeded the cost limit of %d for one user", CostLimit)
	}
	return err
}

func stringValue(v ref.Val) (string, error) {
	switch x := v.(type) {
	case types.String:
		return string(x), nil
	case types.Null:
		return "", nil
	case *types.Optional:
		if !x.HasValue() {
			return "", nil
		}
		return stringValue(x.GetValue())
	}
	return "", fmt.Errorf("produced %s, not a string (convert it with string())", v.Type().TypeName())
}

// emailSeparator joins a list of emails in userAttrs.Email.
const emailSeparator = "\n"

func emailsValue(v ref.Val) (string, error) {
	if o, ok := v.(*types.Optional); ok {
		if !o.HasValue() {
			return "", nil
		}
		v = o.GetValue()
	}
	list, ok := v.(traits.Lister)
	if !ok {
		s, err := stringValue(v)
		if err != nil {
			return "", fmt.Errorf("%w, or a list of strings", err)
		}
		return checkEmail(s)
	}
	var out []string
	n, _ := list.Size().(types.Int)
	for i := range int64(n) {
		s, err := stringValue(list.Get(types.Int(i)))
		if err != nil {
			return "", fmt.Errorf("element %d: %w", i, err)
		}
		if s, err = checkEmail(s); err != nil {
			return "", err
		}
		if s != "" && !containsFold(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, emailSeparator), nil
}

func checkEmail(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") {
		return "", errors.New("an email must not contain a line break")
	}
	return s, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// splitEmails is the inverse of the stored form.
func splitEmails(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, emailSeparator)
}
