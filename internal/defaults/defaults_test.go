package defaults

import (
	"testing"
	"time"
)

func TestPositive(t *testing.T) {
	if Positive(0, 3) != 3 || Positive(-1, 3) != 3 || Positive(2, 3) != 2 {
		t.Error("int")
	}
	if Positive(time.Duration(0), time.Second) != time.Second || Positive(time.Minute, time.Second) != time.Minute {
		t.Error("duration")
	}
	if Positive(0.0, 0.5) != 0.5 || Positive(0.25, 0.5) != 0.25 {
		t.Error("float")
	}
}
