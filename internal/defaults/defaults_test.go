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
