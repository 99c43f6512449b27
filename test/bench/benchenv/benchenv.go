// Package benchenv reads the benches' BENCH_* settings from the
// environment, for both bench programs.
package benchenv

import (
	"os"
	"strconv"
)

// Int is the variable as an int, or def when unset or not a number.
func Int(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// Float is the variable as a float, or def when unset or not a number.
func Float(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}
