package driver_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOwnFlags builds and runs a program that defines its own -v and
// imports every public shardsql package: it must start, parse its -v and
// list only that flag.
func TestOwnFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command(goTool, "run", "./testdata/ownflags", "-v").CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./testdata/ownflags -v: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "-v=true" {
		t.Errorf("flags of a program importing shardsql:\n%s\nwant only -v=true", got)
	}
}
