package driver_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// TestReview20cProbe runs SHARDSQL_R20C_PROBE's lines over review19g's
// tables (x19/y19 sharded on different columns, z19 broadcast, u19
// unsharded, p19 of deep pages) under the caps SHARDSQL_R20C_ROWS and
// SHARDSQL_R20C_BYTES (default the driver's), on one held session each
// side ("S <sql>" runs on both, "R" opens fresh sessions); a line over a
// cap must answer exactly or fail with ErrTooLarge.
func TestReview20cProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_R20C_PROBE")
	var opts []driver.Option
	if v := os.Getenv("SHARDSQL_R20C_ROWS"); v != "" {
		var n int
		fmt.Sscan(v, &n)
		opts = append(opts, driver.WithMaxMemoryRows(n))
	}
	if v := os.Getenv("SHARDSQL_R20C_BYTES"); v != "" {
		var n int64
		fmt.Sscan(v, &n)
		opts = append(opts, driver.WithMaxMemoryBytes(n))
	}
	e := newR19gEnv(t, "review20c_probe", opts...)
	s := e.session(t)
	outcome := func(q string, ordered bool) string {
		want, werr := connQuery(s.oracle, q)
		got, gerr := connQuery(s.sharded, q)
		if gerr != nil && errors.Is(gerr, driver.ErrTooLarge) {
			return "capped: " + gerr.Error()
		}
		return diffOutcome(want, werr, got, gerr, ordered)
	}
	probeFile{oracle: e.oracle, sharded: e.sharded, outcome: outcome,
		more: map[byte]func(string) string{
			'R': func(string) string { s.close(); s = e.session(t); return "fresh sessions" },
			'S': func(q string) string {
				oerr, serr := s.exec(q)
				return fmt.Sprintf("oracle %v | shardsql %v", oerr, serr)
			},
		}}.run(t, lines)
}
