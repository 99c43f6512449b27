// Package defaults holds the one helper every Options.withDefaults uses to
// fill unset settings from its package's table of defaults (strings and
// pointers use cmp.Or). A negative number counts as unset, as it always has.
package defaults

// Positive returns v, or d when v is zero or negative.
func Positive[T ~int | ~int64 | ~float64](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}
