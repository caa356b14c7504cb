package ctxflag

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAuxiliary(t *testing.T) {
	ctx := context.Background()
	assert.False(t, IsAuxiliary(ctx))
	aux := Auxiliary(ctx)
	assert.True(t, IsAuxiliary(aux))
	// a context derived from a marked one stays marked
	child, cancel := context.WithCancel(aux)
	defer cancel()
	assert.True(t, IsAuxiliary(child))
}
