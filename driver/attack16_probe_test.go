package driver_test

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// attack16Tables are the round-16 key types: ENUM, SET, BIT, CHAR and
// VARCHAR under PAD SPACE with trailing spaces, a generated column, a
// DEFAULT expression, and DOUBLE and DECIMAL keys.
var attack16Tables = []dmlTable{
	{name: "d_enum", key: "k", cols: "k ENUM('a','b','c','A b') NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k"},
	{name: "d_set", key: "k", cols: "k SET('x','y','z') NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k+0"},
	{name: "d_bit", key: "k", cols: "k BIT(8) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, k+0"},
	{name: "d_vpad", key: "k", cols: "k VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "d_gcol", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, g INT AS (k * 2 + n) STORED, d INT NOT NULL DEFAULT (id * 3), PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_dbl", key: "k", cols: "k DOUBLE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_gk", key: "g", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, g INT AS (k + 1) STORED, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id), KEY (g)", order: "k, id"},
	{name: "d_ks", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, v VARCHAR(4) NULL, PRIMARY KEY (k, id)", order: "k, id"},
}

// attack16Arg reads one typed probe argument: s:text i:int u:uint64
// f:float64 b:[]byte x:hex bytes t:RFC3339 time B:bool n: (nil).
func attack16Arg(t *testing.T, a string) any {
	kind, v, _ := strings.Cut(a, ":")
	var err error
	var out any
	switch kind {
	case "s":
		out = v
	case "i":
		out, err = strconv.ParseInt(v, 10, 64)
	case "u":
		out, err = strconv.ParseUint(v, 10, 64)
	case "f":
		out, err = strconv.ParseFloat(v, 64)
	case "b":
		out = []byte(v)
	case "x":
		out, err = hex.DecodeString(v)
	case "t":
		out, err = time.Parse(time.RFC3339Nano, v)
	case "B":
		out = v == "true"
	case "n":
		out = nil
	default:
		t.Fatalf("argument %q", a)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAttack16Probe runs the statements of SHARDSQL_A16_PROBE over the
// write suite's tables, round 15's and round 16's: as TestAttack15Probe,
// and a line "A arg;;arg;;… | statement" (an "AQ " query, "AP " prepared)
// runs with typed arguments (attack16Arg).
func TestAttack16Probe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A16_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A16_PROBE not set")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tables := append(append([]dmlTable{}, attack15Tables...), attack16Tables...)
	var dsn func(*mysql.Config)
	if os.Getenv("SHARDSQL_A16_CFR") != "" { // clientFoundRows on both sides
		dsn = func(c *mysql.Config) { c.ClientFoundRows = true }
	}
	if loc := os.Getenv("SHARDSQL_A16_LOC"); loc != "" { // go-sql-driver's loc on both sides
		l, err := time.LoadLocation(loc)
		require.NoError(t, err)
		prev := dsn
		dsn = func(c *mysql.Config) {
			if prev != nil {
				prev(c)
			}
			c.Loc = l
		}
	}
	e := newDMLEnvOf(t, "attack16_probe", dsn, tables)
	// b16w, broadcast, and u16w, unsharded (the default data source's):
	// compared after every statement, each broadcast copy on its own.
	require.NoError(t, e.topo.AddBroadcastTable("b16w"))
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, q := range []string{"DROP TABLE IF EXISTS b16w", "DROP TABLE IF EXISTS u16w",
			"CREATE TABLE b16w (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, n INT NOT NULL DEFAULT 0, UNIQUE KEY (k))",
			"CREATE TABLE u16w (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, n INT NOT NULL DEFAULT 0)",
			"INSERT INTO b16w (id, k) VALUES (1, 1), (2, 2), (3, 3), (4, 12)",
			"INSERT INTO u16w (id, k) VALUES (1, 1), (2, 2), (3, 3), (4, 12)"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	extra := func() string {
		read := func(db *sql.DB, table string) string {
			res, err := runDiffQuery(db, "SELECT * FROM "+table+" ORDER BY id")
			if err != nil {
				return err.Error()
			}
			return strings.Join(flat(res.rows), ",")
		}
		w := read(e.oracle, "b16w")
		for i, d := range e.direct {
			if g := read(d, "b16w"); g != w {
				return fmt.Sprintf("b16w copy %d: %s, oracle %s", i, g, w)
			}
		}
		if w, g := read(e.oracle, "u16w"), read(e.direct[0], "u16w"); w != g {
			return fmt.Sprintf("u16w: %s, oracle %s", g, w)
		}
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		st := dmlStmt{sql: line}
		switch {
		case strings.HasPrefix(line, "A ") || strings.HasPrefix(line, "AQ ") || strings.HasPrefix(line, "AP "):
			head, rest, _ := strings.Cut(line, " ")
			args, q, _ := strings.Cut(rest, " | ")
			st = dmlStmt{sql: q, query: head == "AQ" || strings.HasPrefix(strings.ToUpper(q), "SELECT"), prepared: head == "AP"}
			for _, a := range strings.Split(args, ";;") {
				st.args = append(st.args, attack16Arg(t, a))
			}
		case strings.HasPrefix(line, "Q "):
			st = dmlStmt{sql: line[2:], query: true}
		case strings.HasPrefix(line, "S "):
			st = dmlStmt{sql: line[2:], session: true}
		case line == "RESET":
			e.reset(t)
			continue
		}
		r := e.check(st)
		if r.diff == "" {
			r.diff = extra()
		}
		out := "ok"
		if r.refused {
			out = "refused: " + runDML(e.sharded, st).err.Error()
			if len(out) > 240 {
				out = out[:240]
			}
		}
		if r.diff != "" {
			out = "WRONG " + r.diff
			e.reset(t)
		}
		t.Logf("%s\n    => %s", line, out)
	}
}
