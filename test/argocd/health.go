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

// Package argocd runs the Argo CD health checks in config/argocd the way
// Argo CD does: gopher-lua with only the base, table and package libraries
// and a reduced os library (no string, no math), a one-second timeout, and
// the object as the global obj.
package argocd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Health is what a health script returns.
type Health struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// statuses are the health statuses Argo CD accepts from a script.
var statuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

// scriptTimeout is Argo CD's limit for one health script.
const scriptTimeout = time.Second

// Evaluate runs a health script against an object.
func Evaluate(script string, obj map[string]any) (Health, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), Protect: true}, lua.LString(name)); err != nil {
			return Health{}, err
		}
	}
	l.SetGlobal(lua.OsLibName, reducedOS(l))
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return Health{}, err
	}
	tbl, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return Health{}, fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	h := Health{Status: lua.LVAsString(tbl.RawGetString("status")), Message: lua.LVAsString(tbl.RawGetString("message"))}
	if !statuses[h.Status] {
		return Health{}, fmt.Errorf("the script returned the health status %q, which Argo CD does not know", h.Status)
	}
	return h, nil
}

// reducedOS offers what Argo CD's safe os library offers scripts that need
// time: the clock and the time, nothing that touches the system.
func reducedOS(l *lua.LState) *lua.LTable {
	t := l.NewTable()
	t.RawSetString("time", l.NewFunction(func(l *lua.LState) int { l.Push(lua.LNumber(time.Now().Unix())); return 1 }))
	t.RawSetString("clock", l.NewFunction(func(l *lua.LState) int { l.Push(lua.LNumber(time.Since(start).Seconds())); return 1 }))
	return t
}

var start = time.Now()

// toLua converts a JSON value as Argo CD does: objects and arrays become
// tables (arrays 1-based), numbers numbers, null nil.
func toLua(l *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case int:
		return lua.LNumber(x)
	case []any:
		t := l.CreateTable(len(x), 0)
		for _, item := range x {
			t.Append(toLua(l, item))
		}
		return t
	case map[string]any:
		t := l.CreateTable(0, len(x))
		for k, item := range x {
			t.RawSetH(lua.LString(k), toLua(l, item))
		}
		return t
	}
	return lua.LNil
}

// Script reads the health script of a kind from config/argocd under root.
func Script(root, kind string) (string, error) {
	b, err := os.ReadFile(filepath.Join(ScriptDir(root, kind), "health.lua"))
	return string(b), err
}

// ScriptDir is the folder of a kind's health check, in Argo CD's layout.
func ScriptDir(root, kind string) string {
	return filepath.Join(root, "config", "argocd", "identity.scimbridge.io", kind)
}
