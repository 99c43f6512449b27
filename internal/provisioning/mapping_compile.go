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
	"slices"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
)

// CostLimit bounds what one evaluation of one expression for one user may
// cost, in cel-go's cost units (about one unit per operation, plus string
// and list sizes). A typical mapping costs under 50; 10,000 leaves room
// for a loop over a few hundred list elements while keeping a runaway
// expression under a millisecond. An evaluation over the limit fails that
// user only.
const CostLimit = 10_000

// compiledMapping is a Config's Mapping and Scope compiled: the programs in
// the order of the expressions, and where each value is kept.
type compiledMapping struct {
	attrs []*mappedAttr
	// extra are the attributes kept in userAttrs.Extra, by slot.
	extra []*mappedAttr
	// fixed are the expressions that replace a shorthand, by -ref-1.
	fixed [7]*mappedAttr
	scope *program
	// constants is spec.attributeMapping.constants as a CEL value.
	constants ref.Val
	// profileKeys are the Okta profile attributes the expressions read;
	// allProfile is set when one of them reads the profile as a whole.
	profileKeys []string
	allProfile  bool
}

// mappedAttr is one compiled expression.
type mappedAttr struct {
	targetAttr
	ApplyOn ApplyOn
	// Source is the expression text, for messages.
	Source string
	prog   program
	// slot is the index into userAttrs.Extra, -1 for a fixed field.
	slot int
}

// byRef returns the expression for a fixed field, or nil for the shorthand.
func (m *compiledMapping) byRef(r attrRef) *mappedAttr {
	if m == nil {
		return nil
	}
	return m.fixed[-int(r)-1]
}

// celEnv is the CEL environment every expression compiles in: the Okta user,
// the integration's constants, optional values (user.profile.?title) and
// the string extensions (lowerAscii, split, replace, trim, join, ...).
var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("user", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("constants", cel.MapType(cel.StringType, cel.StringType)),
		cel.OptionalTypes(),
		ext.Strings(),
		ext.Lists(),
	)
})

// CompileMapping compiles and type-checks a configuration's expressions
// and scope, as the engine does before it reads anything. The controller
// calls it to stall an integration whose mapping cannot work.
func CompileMapping(cfg Config) error {
	_, err := compileMapping(&cfg)
	return err
}

// compileMapping compiles cfg's mapping; nil (shorthands only) when it has
// no expressions and no scope.
func compileMapping(cfg *Config) (*compiledMapping, error) {
	mp := cfg.Mapping
	if len(mp.Expressions) == 0 && cfg.Scope == "" {
		return nil, nil
	}
	e, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("building the CEL environment: %w", err)
	}
	m := &compiledMapping{constants: types.DefaultTypeAdapter.NativeToValue(constantsOf(mp.Constants))}
	seen := map[string]bool{}
	var errs []error
	for _, x := range mp.Expressions {
		a, err := compileAttr(e, cfg, x, m)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("attributeMapping %s: %w", x.Target, err))
			continue
		case seen[a.Path]:
			errs = append(errs, fmt.Errorf("attributeMapping %s: mapped twice", x.Target))
			continue
		}
		seen[a.Path] = true
		m.attrs = append(m.attrs, a)
		if a.Fixed != 0 {
			m.fixed[-int(a.Fixed)-1] = a
		} else {
			a.slot = len(m.extra)
			m.extra = append(m.extra, a)
		}
	}
	if cfg.Scope != "" {
		prog, err := compileProgram(e, cfg.Scope, mp.Constants, m, func(t *cel.Type) bool {
			return t.IsExactType(cel.BoolType) || t.IsExactType(cel.DynType)
		}, "a bool")
		if err != nil {
			errs = append(errs, fmt.Errorf("scope: %w", err))
		}
		m.scope = &prog
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(m.profileKeys)
	m.profileKeys = slices.Compact(m.profileKeys)
	return m, nil
}

func constantsOf(c map[string]string) map[string]string {
	if c == nil {
		return map[string]string{}
	}
	return c
}

func compileAttr(e *cel.Env, cfg *Config, x AttributeExpression, m *compiledMapping) (*mappedAttr, error) {
	t, err := lookupTarget(x.Target, cfg.Profile)
	if err != nil {
		return nil, err
	}
	applyOn := x.ApplyOn
	switch applyOn {
	case "":
		applyOn = ApplyAlways
	case ApplyAlways, ApplyCreate:
	default:
		return nil, fmt.Errorf("applyOn must be Always or Create, not %q", applyOn)
	}
	want, accepts := "a string or a list of strings", acceptsEmails
	if t.Kind == kindString || t.Kind == kindManager {
		want, accepts = "a string", acceptsString
	}
	prog, err := compileProgram(e, x.Expression, cfg.Mapping.Constants, m, accepts, want)
	if err != nil {
		return nil, err
	}
	return &mappedAttr{targetAttr: t, ApplyOn: applyOn, Source: x.Expression, prog: prog, slot: -1}, nil
}

// compileProgram parses, checks and plans one expression, refusing a
// result type that can never be accepted (dyn is checked per user).
func compileProgram(e *cel.Env, src string, constants map[string]string, m *compiledMapping, accepts func(*cel.Type) bool, want string) (program, error) {
	if src == "" {
		return program{}, errors.New("the expression is empty")
	}
	ast, iss := e.Compile(src)
	if iss.Err() != nil {
		return program{}, iss.Err()
	}
	if out := unwrapOptional(ast.OutputType()); !accepts(out) && !out.IsExactType(cel.NullType) {
		return program{}, fmt.Errorf("the expression must produce %s, not %s", want, ast.OutputType())
	}
	keys, all, err := checkReferences(ast, constants)
	if err != nil {
		return program{}, err
	}
	m.profileKeys = append(m.profileKeys, keys...)
	m.allProfile = m.allProfile || all
	tracked, err := e.Program(ast, cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return program{}, err
	}
	p := program{tracked: tracked}
	if est, err := e.EstimateCost(ast, boundedSizes{}); err == nil && est.Max <= CostLimit && constantsBounded(constants) {
		p.untracked, err = e.Program(ast, cel.EvalOptions(cel.OptOptimize))
		if err != nil {
			return program{}, err
		}
	}
	return p, nil
}

// program is one expression planned twice. Tracking the cost of every
// operation doubles what an evaluation costs, so an expression whose worst
// case stays within CostLimit as long as every value it reads is within
// sizeBound also runs untracked, for the users whose values are (nearly
// all of them); the others, and expressions without such a bound (a
// comprehension over a profile list, say), are tracked.
type program struct {
	tracked, untracked cel.Program
}

// eval runs the untracked plan when the user's values are within bounds.
func (p program) eval(in *userInput) (ref.Val, error) {
	prg := p.tracked
	if in.bounded && p.untracked != nil {
		prg = p.untracked
	}
	out, _, err := prg.Eval(in)
	return out, err
}

// sizeBound is the size the static estimate assumes for every value whose
// size CEL cannot see (profile strings in characters, lists and maps in
// entries); userInput checks it per user.
const sizeBound = 1024

// boundedSizes is a checker.CostEstimator that bounds unknown sizes.
type boundedSizes struct{}

func (boundedSizes) EstimateSize(checker.AstNode) *checker.SizeEstimate {
	return &checker.SizeEstimate{Min: 0, Max: sizeBound}
}

func (boundedSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

func constantsBounded(c map[string]string) bool {
	if len(c) > sizeBound {
		return false
	}
	for _, v := range c {
		if len(v) > sizeBound {
			return false
		}
	}
	return true
}

func unwrapOptional(t *cel.Type) *cel.Type {
	if t.Kind() == types.OpaqueKind && t.TypeName() == "optional_type" && len(t.Parameters()) == 1 {
		return t.Parameters()[0]
	}
	return t
}

func acceptsString(t *cel.Type) bool {
	return t.IsExactType(cel.StringType) || t.IsExactType(cel.DynType)
}

func acceptsEmails(t *cel.Type) bool {
	if acceptsString(t) {
		return true
	}
	return t.Kind() == types.ListKind && acceptsString(unwrapOptional(t.Parameters()[0]))
}
