package main

import (
	"context"
	"testing"
)

// TestQuickstart runs the README's first command on embedded shards, so a
// change that breaks a step of it (a refusal that became a feature, a plan
// that prints differently) fails go test rather than a new user.
func TestQuickstart(t *testing.T) {
	if err := run(context.Background(), nil, 400); err != nil {
		t.Fatal(err)
	}
}
