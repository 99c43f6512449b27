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
	"fmt"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// userFields are the fields of the user variable. user is a map to CEL, so
// the checker cannot catch a misspelt field; this walk does.
var userFields = map[string]bool{"id": true, "status": true, "profile": true}

// checkReferences refuses unknown fields of user and undefined constants,
// and returns the profile attributes the expression reads (all is set when
// it reads the profile as a whole, for example with a computed key).
func checkReferences(a *cel.Ast, constants map[string]string) (keys []string, all bool, err error) {
	native := a.NativeRep()
	for _, id := range celast.MatchDescendants(celast.NavigateAST(native), celast.KindMatcher(celast.IdentKind)) {
		name := id.AsIdent()
		if ref, ok := native.ReferenceMap()[id.ID()]; !ok || ref.Name != name {
			continue // a comprehension variable with the same name
		}
		parent, _ := id.Parent()
		field, selected := fieldOf(parent, id)
		switch name {
		case "user":
			switch {
			case !selected:
				all = true
			case !userFields[field]:
				return nil, false, fmt.Errorf("user has no field %q (it has id, status and profile)", field)
			case field == "profile":
				k, ok := profileKey(parent)
				if !ok {
					all = true
				} else {
					keys = append(keys, k)
				}
			}
		case "constants":
			if _, defined := constants[field]; selected && !defined {
				return nil, false, fmt.Errorf("constant %q is not defined in attributeMapping.constants", field)
			}
		}
	}
	return keys, all, nil
}

// fieldOf returns the field e selects from operand: e.field, has(e.field),
// e.?field or e["field"].
func fieldOf(e celast.NavigableExpr, operand celast.Expr) (string, bool) {
	if e == nil {
		return "", false
	}
	switch e.Kind() {
	case celast.SelectKind:
		return e.AsSelect().FieldName(), true
	case celast.CallKind:
		call := e.AsCall()
		args := call.Args()
		if (call.FunctionName() == operators.OptSelect || call.FunctionName() == operators.Index) &&
			len(args) == 2 && args[0].ID() == operand.ID() && args[1].Kind() == celast.LiteralKind {
			if s, ok := args[1].AsLiteral().(types.String); ok {
				return string(s), true
			}
		}
	}
	return "", false
}

// profileKey returns the attribute read from user.profile, when the
// profile expression is itself selected from with a constant name.
func profileKey(profile celast.NavigableExpr) (string, bool) {
	parent, ok := profile.Parent()
	if !ok {
		return "", false
	}
	return fieldOf(parent, profile)
}
