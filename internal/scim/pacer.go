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
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// PacingMode says whether a Pacer learns the target's rate or keeps one.
type PacingMode string

const (
	// PacingFixed sends at the configured rate whatever the target answers.
	PacingFixed PacingMode = "Fixed"
	// PacingAdaptive finds the target's rate by itself, never above the
	// configured ceiling.
	PacingAdaptive PacingMode = "Adaptive"
)

// PacerConfig configures a Pacer.
type PacerConfig struct {
	Mode PacingMode
	// RPS is the fixed rate, or the adaptive ceiling. Zero or negative means
	// no limit.
	RPS float64
	// Burst is the fixed limiter's burst (default max(1, RPS)); adaptive
	// pacing spaces requests evenly.
	Burst int
	// MaxInFlight caps requests in flight; adaptive pacing moves the cap
	// below it with the rate. Default 4.
	MaxInFlight int
	// InitialRPS is where adaptive pacing starts (default 5, at most RPS).
	InitialRPS float64
}

// Adaptive pacing is AIMD: slow start doubles the rate every busy epoch
// until the first sign of congestion, which halves it; after that each busy
// epoch adds a step of 2% of the rate found, and each 429, 503 or latency
// rise cuts the rate by a fifth. A cut of a fifth keeps a token bucket with
// a second of burst from ever filling while the rate climbs back, so the
// average stays at the target's limit.
const (
	defaultInitialRPS = 5
	minAdaptiveRPS    = 0.2
	slowStartGrowth   = 2.0
	slowStartCut      = 0.5
	avoidanceCut      = 0.8
	stepShare         = 0.02
	// busyShare of the rate must have been used for an epoch to count as
	// busy: an idle client learns nothing about the target's limit.
	busyShare = 0.75
	minEpoch  = time.Second
	// A latency rise is a per-operation epoch median above both twice and
	// 100ms over that operation's baseline, from at least 5 answers.
	latencySamples = 5
	latencyFactor  = 2
	latencyMargin  = 100 * time.Millisecond
	latencyKeep    = 64
)

// PaceStats is a Pacer's state, for status and benchmarks.
type PaceStats struct {
	Mode PacingMode
	// RPS is the current rate: the learned one, or the fixed one; 0 when
	// unlimited.
	RPS float64
	// Ceiling is the most the pacer will ever send (0: none).
	Ceiling float64
	// InFlight is the current in-flight cap.
	InFlight int
	// SlowStart is true until the target first pushed back.
	SlowStart bool
	// Throttled counts 429 and 503 answers; Cuts the rate cuts they and
	// latency rises caused.
	Throttled, Cuts int64
	// LastThrottled is when the target last answered 429 or 503.
	LastThrottled time.Time
}

// Pacer paces the requests of one target: a rate and an in-flight cap. It
// outlives clients (a rotated token keeps the learned rate) and is safe for
// concurrent use.
type Pacer struct {
	// limiter paces fixed mode; spacer adaptive mode.
	limiter *rate.Limiter
	spacer  spacer
	slots   *slots
	now     func() time.Time

	mu  sync.Mutex
	cfg PacerConfig
	// Adaptive state.
	rate      float64
	slowStart bool
	step      float64
	cutAt     time.Time
	epoch     time.Time
	sends     int
	latency   time.Duration // moving average of answered requests
	ops       map[string]*opLatency

	throttled, cuts int64
	lastThrottled   time.Time
}

type opLatency struct {
	base    time.Duration
	samples []time.Duration
}

// NewPacer returns a pacer for cfg.
func NewPacer(cfg PacerConfig) *Pacer {
	p := &Pacer{limiter: rate.NewLimiter(rate.Inf, 1), slots: newSlots(1), now: time.Now, ops: map[string]*opLatency{}}
	p.Configure(cfg)
	return p
}

// Configure applies a new configuration. Adaptive pacing keeps what it
// learned, below the new ceiling; switching to it starts over.
func (p *Pacer) Configure(cfg PacerConfig) {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 4
	}
	if cfg.RPS <= 0 {
		cfg.RPS = math.Inf(1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasAdaptive := p.cfg.Mode == PacingAdaptive
	p.cfg = cfg
	if cfg.Mode != PacingAdaptive {
		burst := cfg.Burst
		if burst <= 0 {
			burst = max(1, int(min(cfg.RPS, 1<<20)))
		}
		p.limiter.SetBurst(burst)
		p.limiter.SetLimit(limit(cfg.RPS))
		p.slots.resize(cfg.MaxInFlight)
		return
	}
	if !wasAdaptive {
		initial := cfg.InitialRPS
		if initial <= 0 {
			initial = defaultInitialRPS
		}
		p.rate, p.slowStart, p.step, p.epoch, p.sends = initial, true, 0, p.now(), 0
	}
	p.setRate(p.rate)
}

func limit(rps float64) rate.Limit {
	if math.IsInf(rps, 1) {
		return rate.Inf
	}
	return rate.Limit(rps)
}

// Stats returns the pacer's state.
func (p *Pacer) Stats() PaceStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := PaceStats{Mode: p.cfg.Mode, InFlight: p.slots.capacity(), Throttled: p.throttled, Cuts: p.cuts, LastThrottled: p.lastThrottled}
	if s.Mode == "" {
		s.Mode = PacingFixed
	}
	if !math.IsInf(p.cfg.RPS, 1) {
		s.Ceiling = p.cfg.RPS
	}
	s.RPS = s.Ceiling
	if p.cfg.Mode == PacingAdaptive {
		s.RPS, s.SlowStart = p.rate, p.slowStart
		if math.IsInf(p.rate, 1) {
			s.RPS = 0
		}
	}
	return s
}

func (p *Pacer) maxInFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.MaxInFlight
}

// wait passes the rate limit and takes an in-flight slot. It returns when
// the caller asked, which judges whether an answer was paced at the current
// rate.
func (p *Pacer) wait(ctx context.Context) (time.Time, error) {
	asked := p.now()
	p.mu.Lock()
	adaptive := p.cfg.Mode == PacingAdaptive
	p.mu.Unlock()
	wait := p.limiter.Wait
	if adaptive {
		wait = p.spacer.wait
	}
	if err := wait(ctx); err != nil {
		return asked, err
	}
	if err := p.slots.acquire(ctx); err != nil {
		return asked, err
	}
	p.mu.Lock()
	p.sends++
	p.mu.Unlock()
	return asked, nil
}

// done returns the slot of a request asked for at asked and learns from its
// answer (status 0: none arrived).
func (p *Pacer) done(op string, asked time.Time, status int, took time.Duration) {
	p.slots.release()
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	adaptive := p.cfg.Mode == PacingAdaptive
	switch {
	case status == 429 || status == 503:
		p.throttled++
		p.lastThrottled = now
		if adaptive && !asked.Before(p.cutAt) {
			// Requests asked for before the last cut were paced at the old
			// rate: their answers say nothing about the new one.
			p.cut(now)
		}
	case status > 0 && adaptive:
		p.sample(op, took)
	}
	if adaptive {
		p.tick(now)
	}
}

// sample records an answered request's latency. Caller holds mu.
func (p *Pacer) sample(op string, took time.Duration) {
	if p.latency == 0 {
		p.latency = took
	} else {
		p.latency += (took - p.latency) / 5
	}
	o := p.ops[op]
	if o == nil {
		o = &opLatency{}
		p.ops[op] = o
	}
	if len(o.samples) < latencyKeep {
		o.samples = append(o.samples, took)
	}
}

// cut lowers the rate after a sign of congestion. Caller holds mu.
func (p *Pacer) cut(now time.Time) {
	factor := avoidanceCut
	if p.slowStart {
		factor, p.slowStart = slowStartCut, false
	}
	found := p.rate
	if math.IsInf(found, 1) {
		found = float64(p.sends) / max(now.Sub(p.epoch).Seconds(), 0.001)
	}
	p.step = max(minAdaptiveRPS/2, found*stepShare)
	p.setRate(found * factor)
	p.cutAt, p.epoch, p.sends = now, now, 0
	p.cuts++
}

// tick closes an epoch: a busy one raises the rate, a rising latency cuts
// it. Caller holds mu.
func (p *Pacer) tick(now time.Time) {
	length := minEpoch
	if p.rate > 0 && !math.IsInf(p.rate, 1) {
		length = max(minEpoch, time.Duration(4/p.rate*float64(time.Second)))
	}
	elapsed := now.Sub(p.epoch)
	if elapsed < length {
		return
	}
	busy := float64(p.sends) >= busyShare*min(p.rate, p.cfg.RPS)*elapsed.Seconds()
	rising := p.latencyRising()
	p.epoch, p.sends = now, 0
	switch {
	case rising && busy:
		p.cut(now)
	case busy && p.slowStart:
		p.setRate(p.rate * slowStartGrowth)
	case busy:
		p.setRate(p.rate + p.step)
	default:
		p.setRate(p.rate) // the in-flight cap follows the latency
	}
}

// latencyRising closes the epoch's latency samples and reports whether an
// operation's median rose well above its baseline. Caller holds mu.
func (p *Pacer) latencyRising() bool {
	rising := false
	for _, o := range p.ops {
		if len(o.samples) < latencySamples {
			o.samples = o.samples[:0]
			continue
		}
		slices.Sort(o.samples)
		m := o.samples[len(o.samples)/2]
		o.samples = o.samples[:0]
		switch {
		case o.base == 0 || m < o.base:
			o.base = m
		case m > max(o.base*latencyFactor, o.base+latencyMargin):
			rising = true
			// The new level becomes part of the baseline, so latency that
			// stays high for other reasons cuts once, not every epoch.
			o.base = m / latencyFactor
		}
	}
	return rising
}

// setRate applies a rate within [minimum, ceiling] and moves the in-flight
// cap with it: Little's law, with room for twice the average latency.
// Caller holds mu.
func (p *Pacer) setRate(r float64) {
	p.rate = min(max(r, minAdaptiveRPS), p.cfg.RPS)
	p.spacer.setRate(p.rate)
	inFlight := p.cfg.MaxInFlight
	if !math.IsInf(p.rate, 1) {
		need := int(math.Ceil(p.rate*p.latency.Seconds()*2)) + 2
		inFlight = min(need, p.cfg.MaxInFlight)
	}
	p.slots.resize(inFlight)
}
