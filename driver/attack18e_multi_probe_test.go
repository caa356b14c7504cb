package driver_test

import (
	"os"
	"testing"
)

func TestAttack18eMultiProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	e := newR18eEnv(t, "attack18e_mprobe")
	for _, q := range []string{
		"DELETE FROM w WHERE k < 2 LIMIT 3; DELETE FROM w WHERE k < 2 LIMIT 3",
		"DELETE FROM w WHERE k < 2 LIMIT 3; DELETE FROM o WHERE k < 2",
		"DELETE FROM w WHERE k < 2; DELETE FROM o WHERE k < 2",
		"DELETE FROM w WHERE id = 1; DELETE FROM w WHERE id = 2",
		"UPDATE w SET v = 'a' WHERE k < 2; UPDATE o SET k = 9",
		"DELETE FROM w WHERE k < 2 LIMIT 3;",
	} {
		e.reset(t)
		wn, werr := r18eExec(e.oracle, q)
		gn, gerr := r18eExec(e.sharded, q)
		t.Logf("%s\n  oracle %d %v\n  shardsql %d %v\n  w %d o %d", q, wn, werr, gn, gerr, len(e.contents(t, e.sharded)["w"]), len(e.contents(t, e.sharded)["o"]))
	}
}
