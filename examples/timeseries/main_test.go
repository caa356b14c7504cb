package main

import (
	"context"
	"testing"
)

// TestTimeseries runs the example on embedded shards, so a
// change that breaks a step of it (a refusal that became a feature, a plan
// that prints differently) fails go test rather than a new user.
func TestTimeseries(t *testing.T) {
	if err := run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}
