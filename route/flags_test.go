package route

import (
	"flag"
	"strings"
	"testing"
)

// TestImportLeavesFlags checks that importing the package (and what its
// tests import) registers no flag in flag.CommandLine besides the testing
// package's own and this package's tests' -update (the plan golden files):
// see internal/flagclean.
func TestImportLeavesFlags(t *testing.T) {
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if !strings.HasPrefix(f.Name, "test.") && f.Name != "update" {
			t.Errorf("flag -%s registered by an import (%s)", f.Name, f.Usage)
		}
	})
}
