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
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/scimbridge/scimbridge/internal/defaults"
)

// Options tune an Engine.
type Options struct {
	// WriteConcurrency bounds concurrent writes to the target, users and
	// groups alike (default 8).
	WriteConcurrency int
	// ReadConcurrency bounds concurrent reads on each side: group members,
	// assigned people, confirmations (default 4).
	ReadConcurrency int
	// RetryBase and RetryMax bound the backoff of objects whose change
	// failed, across cycles (defaults 1m and 1h).
	RetryBase time.Duration
	RetryMax  time.Duration
	// WatermarkOverlap is subtracted from the server time at which a full
	// read started, because Okta's search index is eventually consistent
	// (default 2m).
	WatermarkOverlap time.Duration
	// Now returns the current time (tests set it).
	Now func() time.Time
	// Log receives progress; never credentials.
	Log logr.Logger
}

// defaultOptions holds the value each zero field of Options takes.
var defaultOptions = Options{
	WriteConcurrency: 8,
	ReadConcurrency:  4,
	RetryBase:        time.Minute,
	RetryMax:         time.Hour,
	WatermarkOverlap: 2 * time.Minute,
	Now:              time.Now,
}

func (o Options) withDefaults() Options {
	d := defaultOptions
	o.WriteConcurrency = defaults.Positive(o.WriteConcurrency, d.WriteConcurrency)
	o.ReadConcurrency = defaults.Positive(o.ReadConcurrency, d.ReadConcurrency)
	o.RetryBase = defaults.Positive(o.RetryBase, d.RetryBase)
	o.RetryMax = defaults.Positive(o.RetryMax, d.RetryMax)
	o.WatermarkOverlap = defaults.Positive(o.WatermarkOverlap, d.WatermarkOverlap)
	if o.Now == nil {
		o.Now = d.Now
	}
	return o
}

// Engine runs the cycles of one integration. Cycles are serialised; the
// engine keeps what it learned between them in memory only.
type Engine struct {
	// src and dst sit behind auth circuits, reset at the start of each cycle.
	src     Source
	dst     Target
	srcAuth *authCircuit
	dstAuth *authCircuit
	opts    Options
	// bulkDst and paced are dst's Bulk and pacing sides, nil when it has none.
	bulkDst bulkTarget
	paced   pacedTarget

	mu    sync.Mutex
	state *state
	bulk  bulkMemory
	// spent counts the deactivations and userName changes targeted cycles
	// made since the last scheduled cycle: they share one threshold.
	spent int
	// compiled is the last configuration's mapping, by its source.
	compiled struct {
		key string
		m   *compiledMapping
	}
}

// ErrInvalidMapping means the attribute mapping or the scope does not
// compile: the cycle read and wrote nothing.
var ErrInvalidMapping = errors.New("the attribute mapping is invalid")

// MappingKey identifies what a mapping compiles from: equal keys compile
// to the same programs.
func MappingKey(cfg Config) string {
	return fmt.Sprintf("%s|%+v|%q", cfg.Profile, cfg.Mapping, cfg.Scope)
}

// compile sets cfg's compiled mapping, compiling only when the mapping's
// source changed since the last cycle, and a fresh per-cycle memo.
func (e *Engine) compile(cfg *Config) error {
	key := MappingKey(*cfg)
	if e.compiled.key != key || e.compiled.m == nil {
		m, err := compileMapping(cfg)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidMapping, err)
		}
		e.compiled.key, e.compiled.m = key, m
	}
	cfg.compiled, cfg.memo = e.compiled.m, nil
	if cfg.compiled != nil {
		cfg.memo = newMappingMemo()
	}
	return nil
}

// New returns an engine reading src and writing dst.
func New(src Source, dst Target, opts Options) *Engine {
	sa, da := &authCircuit{isAuth: oktaAuthFailure}, &authCircuit{isAuth: scimAuthFailure}
	e := &Engine{src: guardedSource{src, sa}, dst: guardedTarget{dst, da}, srcAuth: sa, dstAuth: da, opts: opts.withDefaults()}
	if bt, ok := dst.(bulkTarget); ok {
		e.bulkDst = guardedBulk{bt, da}
	}
	e.paced, _ = dst.(pacedTarget)
	return e
}

// Reset forgets what earlier cycles learned; the next cycle is a full one.
func (e *Engine) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.state = nil
}

// ErrTargetRead means the target could not be read: the cycle wrote nothing.
var ErrTargetRead = errors.New("reading the target failed")

// ErrTargetIncomplete means a target listing ended before it was complete
// (a page cut short): the cycle wrote nothing. It wraps ErrTargetRead.
var ErrTargetIncomplete = fmt.Errorf("%w: the listing was cut short", ErrTargetRead)

// ErrSourceUnavailable means nothing could be read from the source (for
// example its credentials were refused): the cycle wrote nothing.
var ErrSourceUnavailable = errors.New("reading the source failed")

// Run runs one cycle. The result is non-nil whenever anything was read, also
// when err is set; err reports a cycle-level failure (context cancelled,
// target unreadable, source entirely unreadable). Per-object failures are
// in Result.Failures, not in err.
func (e *Engine) Run(ctx context.Context, cfg Config) (*Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.run(ctx, cfg)
}
