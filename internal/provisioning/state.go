package provisioning

import (
	"maps"
	"time"
)

// state is what the engine remembers between cycles. All of it can be lost:
// the next cycle is then a full one and reaches the same result.
type state struct {
	scopeHash string
	want      *desired
	have      *actual
	// watermark is the next "since" for incremental reads; zero forces a full cycle.
	watermark time.Time
	// held is the last held set, which an approval may name.
	held *HeldSet
	// confirmed caches candidates' own Okta records between full cycles.
	confirmed map[string]confirmation
	// retry holds the backoff of objects whose change failed.
	retry map[string]retryRecord
	// pushedAt is when each group's membership was last written or confirmed.
	pushedAt map[string]time.Time
}

type retryRecord struct {
	attempts int
	next     time.Time
}

func newState() *state {
	return &state{confirmed: map[string]confirmation{}, retry: map[string]retryRecord{}, pushedAt: map[string]time.Time{}}
}

// clone copies the target view so a dry run can simulate writes on it.
func (a *actual) clone() *actual {
	c := newActual()
	for _, u := range a.Users {
		cp := *u
		c.putUser(&cp)
	}
	for _, g := range a.Groups {
		cp := *g
		if g.Members != nil {
			cp.Members = maps.Clone(g.Members)
		}
		c.putGroup(&cp)
	}
	return c
}

// backoff returns the wait before retrying an object that failed attempts times.
func (o Options) backoff(attempts int) time.Duration {
	d := o.RetryBase
	for i := 1; i < attempts && d < o.RetryMax; i++ {
		d *= 2
	}
	return min(d, o.RetryMax)
}
