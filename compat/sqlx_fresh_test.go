package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
)

type sxItem struct {
	ID    int64          `db:"id"`
	Owner int64          `db:"owner"`
	Name  string         `db:"name"`
	Qty   int            `db:"qty"`
	Kind  sql.NullString `db:"kind"`
}

// TestSqlxPrepareFreshStarts runs an sqlx and database/sql program twice,
// each in new pools with a new connector, on one database and through
// shardsql (sx_items sharded by owner with ids shardsql generates, the
// broadcast sx_kinds, the unsharded sx_audit), and compares what it
// observes: CREATE TABLE IF NOT EXISTS (applied on the second start),
// NamedExec of a slice, sqlx.In with Rebind, Select and Get into
// structs, a NamedStmt reused; database/sql prepared statements reused
// across nodes, from 4 goroutines at once, through tx.Stmt in a
// transaction, across an ALTER TABLE that adds a column (SELECT * then
// returns it), and sql.Named arguments (go-sql-driver refuses them: so
// must shardsql, clearly).
func TestSqlxPrepareFreshStarts(t *testing.T) {
	f := newFreshEnv(t, "sqlxfresh", []string{"sx_kinds"}, nil, table{"sx_items", "owner", "id"})
	var tr [2]transcript
	for start := 1; start <= 2; start++ {
		sharded, oracle := f.open(t)
		for i, db := range []*sql.DB{oracle, sharded} {
			t.Run(fmt.Sprintf("start%d/%s", start, []string{"oracle", "sharded"}[i]), func(t *testing.T) {
				sqlxFreshStart(t, db, start, &tr[i], i == 1)
			})
		}
	}
	compareTranscripts(t, "sqlx", tr[0].out, tr[1].out)
}

func sqlxFreshStart(t *testing.T, db *sql.DB, start int, tr *transcript, sharded bool) {
	ctx := context.Background()
	x := sqlx.NewDb(db, "mysql")
	log := func(format string, a ...any) { tr.log("start %d: "+format, append([]any{start}, a...)...) }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS sx_items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, owner BIGINT NOT NULL, name VARCHAR(20) NOT NULL, qty INT NOT NULL, INDEX (owner))",
		"CREATE TABLE IF NOT EXISTS sx_kinds (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(16) NOT NULL UNIQUE)",
		"CREATE TABLE IF NOT EXISTS sx_audit (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(64) NOT NULL)",
	} {
		_, err := x.ExecContext(ctx, q)
		must(q, err)
	}
	var items []sxItem
	for i := range 12 {
		items = append(items, sxItem{Owner: int64(i % 5), Name: fmt.Sprintf("s%d-%02d", start, i), Qty: i % 4})
	}
	res, err := x.NamedExecContext(ctx, "INSERT INTO sx_items (owner, name, qty) VALUES (:owner, :name, :qty)", items)
	must("named exec", err)
	n, _ := res.RowsAffected()
	first, err := res.LastInsertId()
	must("last insert id", err)
	// The ids LastInsertId numbers are the rows' (MySQL's rule).
	for i, it := range items {
		var name string
		must("get by id", x.GetContext(ctx, &name, "SELECT name FROM sx_items WHERE id = ?", first+int64(i)))
		log("item %d by id: %v", i, name == it.Name)
	}
	log("inserted %d", n)
	_, err = x.NamedExecContext(ctx, "INSERT IGNORE INTO sx_kinds (name) VALUES (:name)", []map[string]any{{"name": "tool"}, {"name": "food"}})
	must("kinds", err)
	_, err = x.ExecContext(ctx, "INSERT INTO sx_audit (msg) VALUES (?)", fmt.Sprintf("start %d", start))
	must("audit", err)

	q, args, err := sqlx.In("SELECT id, owner, name, qty FROM sx_items WHERE owner IN (?) AND qty > ? ORDER BY name", []int64{1, 3, 4}, 0)
	must("in", err)
	var sel []sxItem
	must("select in", x.SelectContext(ctx, &sel, x.Rebind(q), args...))
	for _, it := range sel {
		log("in %s %d %d", it.Name, it.Owner, it.Qty)
	}
	var agg []struct {
		Owner int64 `db:"owner"`
		N     int   `db:"n"`
		Q     int   `db:"q"`
	}
	must("group", x.SelectContext(ctx, &agg, "SELECT owner, COUNT(*) AS n, SUM(qty) AS q FROM sx_items GROUP BY owner HAVING COUNT(*) > 1 ORDER BY owner"))
	log("groups %v", agg)
	ns, err := x.PrepareNamedContext(ctx, "SELECT COUNT(*) FROM sx_items WHERE owner = :owner AND qty >= :qty")
	must("prepare named", err)
	for o := range 5 {
		var c int
		must("named stmt", ns.GetContext(ctx, &c, map[string]any{"owner": o, "qty": 1}))
		log("owner %d count %d", o, c)
	}
	must("close named", ns.Close())

	// database/sql's Prepare, reused: across nodes, concurrently, in a
	// transaction through tx.Stmt, across an ALTER TABLE.
	byOwner, err := db.PrepareContext(ctx, "SELECT name FROM sx_items WHERE owner = ? ORDER BY name")
	must("prepare", err)
	defer byOwner.Close()
	names := func(o int) string {
		rows, err := byOwner.QueryContext(ctx, o)
		must("stmt query", err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			must("scan", rows.Scan(&s))
			out = append(out, s)
		}
		must("rows", rows.Err())
		return strings.Join(out, ",")
	}
	for o := range 5 {
		log("owner %d: %s", o, names(o))
	}
	var wg sync.WaitGroup
	got := make([]string, 20)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < 20; k += 4 {
				rows, err := byOwner.QueryContext(ctx, k%5)
				if err != nil {
					got[k] = err.Error()
					continue
				}
				c := 0
				for rows.Next() {
					c++
				}
				rows.Close()
				got[k] = fmt.Sprint(c)
			}
		}()
	}
	wg.Wait()
	log("concurrent %v", got)
	ins, err := db.PrepareContext(ctx, "INSERT INTO sx_items (owner, name, qty) VALUES (?, ?, ?)")
	must("prepare insert", err)
	defer ins.Close()
	tx, err := db.BeginTx(ctx, nil)
	must("begin", err)
	for i := range 4 {
		r, err := tx.StmtContext(ctx, ins).ExecContext(ctx, i, fmt.Sprintf("tx%d-%d", start, i), 9)
		must("tx stmt", err)
		id, err := r.LastInsertId()
		must("tx id", err)
		var name string
		must("tx read", tx.QueryRowContext(ctx, "SELECT name FROM sx_items WHERE id = ?", id).Scan(&name))
		log("tx insert %d: %s", i, name)
	}
	rows, err := tx.StmtContext(ctx, byOwner).QueryContext(ctx, 2)
	must("tx stmt query", err)
	c := 0
	for rows.Next() {
		c++
	}
	rows.Close()
	log("tx owner 2: %d", c)
	must("rollback", tx.Rollback())
	log("after rollback owner 2: %s", names(2))

	star, err := db.PrepareContext(ctx, "SELECT * FROM sx_items WHERE owner = ? ORDER BY name LIMIT 1")
	must("prepare star", err)
	defer star.Close()
	cols := func() string {
		rows, err := star.QueryContext(ctx, 1)
		if err != nil {
			return "err " + err.Error()
		}
		defer rows.Close()
		cs, _ := rows.Columns()
		return strings.Join(cs, ",")
	}
	log("star before: %s", cols())
	if start == 1 {
		_, err = db.ExecContext(ctx, "ALTER TABLE sx_items ADD COLUMN kind VARCHAR(8) NULL")
		must("alter", err)
	}
	log("star after: %s", cols())

	// sql.Named: go-sql-driver refuses named parameters.
	_, err = db.ExecContext(ctx, "UPDATE sx_items SET qty = qty WHERE owner = ?", sql.Named("owner", 1))
	log("sql.Named refused: %v", err != nil)
	if sharded && err != nil && !strings.Contains(err.Error(), "amed") {
		t.Errorf("sql.Named refusal does not say what: %v", err)
	}
	var all []sxItem
	must("final", x.SelectContext(ctx, &all, "SELECT * FROM sx_items ORDER BY name"))
	var lines []string
	for _, it := range all {
		lines = append(lines, fmt.Sprintf("%s/%d/%d/%s", it.Name, it.Owner, it.Qty, it.Kind.String))
	}
	sort.Strings(lines)
	log("final %v", lines)
}
