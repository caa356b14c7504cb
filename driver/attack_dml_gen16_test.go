package driver_test

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// dmlTables16 are round 15's tables and round 16's generated-column and
// PAD SPACE VARCHAR tables (attack16Tables' d_gcol and d_vpad).
var dmlTables16 = append(append([]dmlTable{}, dmlTables15...), attack16Tables[3], attack16Tables[4])

// TestAttackDMLGenerated16 is TestAttackDMLGenerated grown with round
// 16's classes (next16) and tables: INSERT … SET, ON DUPLICATE KEY UPDATE
// through VALUES() and the `AS new` alias (also setting the key to the
// row's own value), REPLACE … SET, UPDATE/DELETE … ORDER BY … LIMIT,
// key moves with other columns set before and after the key, DELETE …
// RETURNING, over a table with a STORED generated column and a DEFAULT
// expression and a PAD SPACE VARCHAR key with trailing spaces.
// SHARDSQL_ATTACK_SEED replays a run, SHARDSQL_ATTACK_N sets its size
// (150).
func TestAttackDMLGenerated16(t *testing.T) {
	e := newDMLEnvOf(t, "adml_gen16", nil, dmlTables16)
	seed, n := attackRun(t, 150)
	g := &dmlGen{r: rand.New(rand.NewSource(seed)), wide: true, wide16: true}
	failed, refused := 0, 0
	for i := 0; i < n && failed < 5; i++ {
		st := g.next()
		st.session = true
		r := e.check(st)
		if r.refused {
			refused++
		}
		if os.Getenv("SHARDSQL_ATTACK_TRACE") != "" {
			t.Logf("statement %d: %s %v (refused %v)", i, st.sql, st.args, r.refused)
		}
		if r.diff != "" {
			failed++
			t.Errorf("seed %d statement %d: %s %v (prepared %v):\n  %s", seed, i, st.sql, st.args, st.prepared, r.diff)
			e.reset(t)
		}
	}
	t.Logf("%d statements, %d refused", n, refused)
}

// next16 draws one of round 16's statement classes over table tb.
func (g *dmlGen) next16(tb, key string, k1, k2 dmlGenKey, args func(...dmlGenKey) []any) dmlStmt {
	g.id += 2
	id := g.id
	if g.r.Intn(3) == 0 {
		id = g.r.Intn(g.id) + 1 // an id that may exist: duplicates
	}
	st := dmlStmt{prepared: g.r.Intn(4) == 0}
	switch g.r.Intn(8) {
	case 0:
		st.sql = fmt.Sprintf("INSERT INTO %s SET %s = %s, id = %d, n = %d", tb, key, k1.text, id, g.r.Intn(9))
		switch g.r.Intn(3) {
		case 0:
			st.sql += " ON DUPLICATE KEY UPDATE n = VALUES(n) + 1"
		case 1:
			st.sql = fmt.Sprintf("INSERT INTO %s (%s, id, n) VALUES (%s, %d, %d) AS nw ON DUPLICATE KEY UPDATE n = nw.n + %s.n", tb, key, k1.text, id, g.r.Intn(9), tb)
		}
		st.args = args(k1)
	case 1:
		st.sql = fmt.Sprintf("INSERT INTO %s (%s, id, n) VALUES (%s, %d, 1) AS nw ON DUPLICATE KEY UPDATE %s = nw.%s, n = nw.n + 1", tb, key, k1.text, id, key, key)
		if g.r.Intn(2) == 0 {
			st.sql = fmt.Sprintf("INSERT INTO %s (%s, id, n) VALUES (%s, %d, 1) ON DUPLICATE KEY UPDATE %s = VALUES(%s), n = n + 1", tb, key, k1.text, id, key, key)
		}
		st.args = args(k1)
	case 2:
		st.sql = fmt.Sprintf("REPLACE INTO %s SET %s = %s, id = %d, n = %d", tb, key, k1.text, id, g.r.Intn(9))
		st.args = args(k1)
	case 3:
		verb := g.pick("UPDATE %s SET n = n + 1", "DELETE FROM %s")
		st.sql = fmt.Sprintf(verb+" WHERE %s = %s ORDER BY id %s LIMIT %d", tb, key, k1.text, g.pick("", "DESC"), 1+g.r.Intn(3))
		if g.r.Intn(3) == 0 {
			st.sql = fmt.Sprintf(verb+" WHERE %s IN (%s, %s) ORDER BY %s, id LIMIT %d", tb, key, k1.text, k2.text, key, 1+g.r.Intn(3))
			st.args = args(k1, k2)
		} else {
			st.args = args(k1)
		}
	case 4:
		set := g.pick("%[1]s = %[2]s, n = n + 1", "n = %[1]s, %[1]s = %[2]s", "%[1]s = %[2]s, n = %[1]s")
		if strings.HasPrefix(tb, "d_d") || tb == "d_vpad" || tb == "d_ci" || tb == "d_char" {
			set = g.pick("%[1]s = %[2]s, n = n + 1", "%[1]s = %[2]s")
		}
		st.sql = fmt.Sprintf("UPDATE %s SET "+set+" WHERE %s = %s AND id <= %d", tb, key, k2.text, key, k1.text, id)
		st.args = args(k2, k1)
	case 5:
		st.sql = fmt.Sprintf("DELETE FROM %s WHERE %s = %s AND id >= %d RETURNING %s, id, n", tb, key, k1.text, g.r.Intn(g.id+1), key)
		st.args, st.query = args(k1), true
	case 6:
		st.sql = fmt.Sprintf("INSERT INTO %s (%s, id) VALUES (%s, %d), (%s, %d) ON DUPLICATE KEY UPDATE n = n + 10", tb, key, k1.text, id, k2.text, id+1)
		st.args = args(k1, k2)
	default:
		st.sql = fmt.Sprintf("SELECT %s, id, n FROM %s WHERE %s = %s", key, tb, key, k1.text)
		st.args, st.query = args(k1), true
	}
	return st
}
