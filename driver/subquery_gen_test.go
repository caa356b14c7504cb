package driver_test

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
)

// subqueryGen writes random IN / NOT IN / EXISTS / scalar subqueries,
// uncorrelated over any tables and correlated on the sharding column of a
// bound table, for the differential suite.
type subqueryGen struct{ r *rand.Rand }

func (g subqueryGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g subqueryGen) innerPred() string {
	return g.pick(
		fmt.Sprintf("qty > %d", g.r.Intn(10)),
		fmt.Sprintf("sku = 'sku-%02d'", g.r.Intn(12)),
		fmt.Sprintf("user_id < %d", g.r.Intn(60)),
		fmt.Sprintf("order_id %% 7 = %d", g.r.Intn(7)),
		"qty BETWEEN 2 AND 4",
	)
}

func (g subqueryGen) outerPred(q string) string {
	return fmt.Sprintf(g.pick("%samount > 100", "%sstatus = 'paid'", "%sqty IS NULL", "%sqty < 5", "%suser_id IN (1, 2, 3, 40)", "%snote IS NOT NULL"), q)
}

func (g subqueryGen) query() diffQuery {
	outerSel := g.pick("COUNT(*), SUM(amount)", "COUNT(DISTINCT user_id)", "MIN(order_id), MAX(qty)")
	switch g.r.Intn(5) {
	case 0:
		pair := g.pick("user_id|user_id", "order_id|order_id", "qty|qty", "status|sku")
		var oc, ic string
		for i := range pair {
			if pair[i] == '|' {
				oc, ic = pair[:i], pair[i+1:]
			}
		}
		itable := "t_order_item"
		if oc == "qty" && g.r.Intn(2) == 0 {
			itable, ic = "t_order", "qty"
		}
		pred := g.innerPred()
		if itable == "t_order" {
			pred = g.pick("qty > 7", "status = 'new'", "user_id < 20", "note IS NULL")
		}
		return unordered(fmt.Sprintf("SELECT %s FROM t_order WHERE %s %s (SELECT %s FROM %s WHERE %s) AND %s",
			outerSel, oc, g.pick("IN", "NOT IN"), ic, itable, pred, g.outerPred("")))
	case 1:
		return unordered(fmt.Sprintf("SELECT %s FROM t_order WHERE %sEXISTS (SELECT 1 FROM t_order_item WHERE %s) AND %s",
			outerSel, g.pick("", "NOT "), g.innerPred(), g.outerPred("")))
	case 2:
		return unordered(fmt.Sprintf("SELECT %s FROM t_order WHERE %s %s (SELECT %s FROM t_order_item WHERE %s)",
			outerSel, g.pick("qty", "user_id", "order_id % 10"), g.pick("=", "<", ">=", "<>", "<=>"),
			g.pick("MAX(qty)", "MIN(qty)", "COUNT(*)", "MIN(user_id)", "SUM(qty)"), g.innerPred()))
	case 3:
		return unordered(fmt.Sprintf("SELECT %s FROM t_order o WHERE %sEXISTS (SELECT 1 FROM t_order_item i WHERE i.user_id = o.user_id AND i.%s) AND %s",
			outerSel, g.pick("", "NOT "), g.innerPred(), g.outerPred("o.")))
	default:
		return ordered(fmt.Sprintf("SELECT status, COUNT(*) FROM t_order WHERE user_id IN (SELECT user_id FROM t_order_item WHERE %s) GROUP BY status ORDER BY status LIMIT %d",
			g.innerPred(), 1+g.r.Intn(20)))
	}
}

// TestSubqueryGenerated compares random subqueries with the oracle.
// SHARDSQL_DIFF_SEED replays a run; SHARDSQL_DIFF_N runs more queries.
func TestSubqueryGenerated(t *testing.T) {
	env, _ := newSubqueryEnv(t, backends[1])
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_DIFF_SEED"), 10, 64); err == nil {
		seed = v
	}
	n := 200
	if v, err := strconv.Atoi(os.Getenv("SHARDSQL_DIFF_N")); err == nil {
		n = v
	}
	t.Logf("seed %d, %d queries", seed, n)
	g := subqueryGen{r: rand.New(rand.NewSource(seed))}
	failed := 0
	for i := 0; i < n && failed < 10; i++ {
		if !env.check(t, g.query(), fmt.Sprintf("seed %d subquery %d", seed, i)) {
			failed++
		}
	}
}
