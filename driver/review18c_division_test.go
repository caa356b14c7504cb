package driver_test

import (
	"strings"
	"testing"
)

// TestReview18cDivisionMessage: gorm's Raw over a derived table with a
// quotient by a literal (x.amount / 3) is refused; the refusal named the
// evaluator's placeholder (__shardsql_having_1 / 3) and advised selecting
// "the quotient by itself", which it was. The advice given now (compute
// it inside the derived table) answers exactly.
func TestReview18cDivisionMessage(t *testing.T) {
	e := newR16Env(t, "review18c_division")
	for _, c := range []attack16Case{
		{sql: "SELECT x.id, x.g / 3 AS third FROM (SELECT id, g FROM r16 ORDER BY id LIMIT 5) x", refuse: "select item #1 / 3 across nodes (#n: the n-th column the nodes send)"},
		{sql: "SELECT x.id, x.g / 3 AS third FROM (SELECT id, g FROM r16 ORDER BY id LIMIT 5) x", refuse: "compute the quotient inside the derived table"},
		{sql: "SELECT x.id, x.third FROM (SELECT id, g / 3 AS third FROM r16 ORDER BY id LIMIT 5) x"},
		{sql: "SELECT x.id, x.g / x.id FROM (SELECT id, g FROM r16 ORDER BY id LIMIT 5) x"},
	} {
		out := e.outcome(c.sql, c.ordered)
		switch {
		case c.refuse != "":
			if !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, c.refuse) || strings.Contains(out, "__shardsql") {
				t.Errorf("%s\n    want a refusal naming %q, got %s", c.sql, c.refuse, out)
			}
		case out != "exact":
			t.Errorf("%s\n    => %s", c.sql, out)
		}
	}
}
