package controller

import (
	"math"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Small helpers that several files of the package share: values bounded to
// what the API accepts, comparisons of status fields, times in messages, and
// events.

func clamp32(n int) int32 { return int32(max(0, min(n, math.MaxInt32))) }

func int32p(n int) *int32 {
	v := clamp32(n)
	return &v
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func sameCondition(a, b *metav1.Condition) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message && a.ObservedGeneration == b.ObservedGeneration
}

func eqInt32(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// emit records one event. Notes are built from names, counts and messages
// that were redacted before they reached the status.
func emit(rec events.EventRecorder, obj client.Object, warning bool, reason, action, note string) {
	typ := corev1.EventTypeNormal
	if warning {
		typ = corev1.EventTypeWarning
	}
	rec.Eventf(obj, nil, typ, reason, action, "%s", truncate(note, 1024))
}

func formatTime(t *metav1.Time) string {
	if t == nil {
		return "(not scheduled)"
	}
	return t.UTC().Format(time.RFC3339)
}
