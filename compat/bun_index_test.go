package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
)

// bunItem is sharded by TenantID with ids shardsql generates; bunKind is
// a broadcast table (a copy on every data source).
type bunItem struct {
	bun.BaseModel `bun:"table:bi_items"`
	ID            int64 `bun:",pk,autoincrement"`
	TenantID      int64
	Sku           string `bun:",type:varchar(32)"`
	KindID        int64
}

type bunKind struct {
	bun.BaseModel `bun:"table:bi_kinds"`
	ID            int64  `bun:",pk,autoincrement"`
	Code          string `bun:",type:varchar(16)"`
}

// TestBunCreateIndexIfNotExists runs a bun program's schema setup three
// times (every start of the program), on one database and through
// shardsql: CREATE TABLE IF NOT EXISTS, then NewCreateIndex().IfNotExists(),
// which bun's MariaDB dialect sends as MariaDB's CREATE [UNIQUE] INDEX IF
// NOT EXISTS, on a sharded and a broadcast table, and DROP INDEX IF EXISTS
// twice. The parser cannot read either statement: before compat14 both
// were refused on topology tables. The indexes must end on every node
// table and every broadcast copy, and the rows be the same.
func TestBunCreateIndexIfNotExists(t *testing.T) {
	e := newEnv(t, "bunindex", table{"bi_items", "tenant_id", "id"})
	if err := e.Topology.AddBroadcastTable("bi_kinds"); err != nil {
		t.Fatal(err)
	}
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		b := bun.NewDB(db, mysqldialect.New())
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for run := range 3 {
			for _, m := range []any{(*bunKind)(nil), (*bunItem)(nil)} {
				_, err := b.NewCreateTable().Model(m).IfNotExists().Exec(ctx)
				must(err)
			}
			q := b.NewCreateIndex().Model((*bunItem)(nil)).Index("bi_items_sku").Column("tenant_id", "sku").Unique().IfNotExists()
			if run == 0 {
				text, err := q.AppendQuery(b.QueryGen(), nil)
				must(err)
				log("sql: %s", text)
			}
			_, err := q.Exec(ctx)
			must(err)
			_, err = b.NewCreateIndex().Model((*bunItem)(nil)).Index("bi_items_kind").Column("kind_id").IfNotExists().Exec(ctx)
			must(err)
			_, err = b.NewCreateIndex().Model((*bunKind)(nil)).Index("bi_kinds_code").Column("code").Unique().IfNotExists().Exec(ctx)
			must(err)
		}
		for range 2 {
			_, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS bi_items_kind ON bi_items")
			must(err)
		}
		log("items %s", showCreate(t, db, "bi_items"))
		log("kinds %s", showCreate(t, db, "bi_kinds"))
		// What admin tools ask about the broadcast table (refused before
		// compat14 as statements naming it).
		for _, q := range []string{"DESCRIBE bi_kinds", "SHOW COLUMNS FROM bi_kinds", "SHOW INDEX FROM bi_kinds"} {
			log("%s: %s", q, queryText(t, db, q))
		}

		kinds := []bunKind{{Code: "a"}, {Code: "b"}}
		_, err := b.NewInsert().Model(&kinds).Exec(ctx)
		must(err)
		items := []bunItem{{TenantID: 1, Sku: "x", KindID: kinds[0].ID}, {TenantID: 2, Sku: "x", KindID: kinds[1].ID}, {TenantID: 3, Sku: "y", KindID: kinds[0].ID}}
		_, err = b.NewInsert().Model(&items).Exec(ctx)
		must(err)
		// The unique index holds on the row's node: a duplicate fails.
		_, err = b.NewInsert().Model(&bunItem{TenantID: 2, Sku: "x"}).Exec(ctx)
		log("duplicate fails: %v", err != nil)
		_, err = b.NewInsert().Model(&bunKind{Code: "a"}).Exec(ctx)
		log("duplicate kind fails: %v", err != nil)
		var got []struct {
			TenantID int64
			Sku      string
			Code     string
		}
		must(b.NewSelect().TableExpr("bi_items AS i").Join("JOIN bi_kinds AS k ON k.id = i.kind_id").
			ColumnExpr("i.tenant_id, i.sku, k.code").Order("i.tenant_id").Scan(ctx, &got))
		log("rows %v", got)

		if sharded {
			// Every node table and every broadcast copy has its indexes.
			for i, dsn := range e.ShardDSNs {
				node, err := sql.Open("mysql", dsn)
				must(err)
				defer node.Close()
				for _, q := range []struct{ table, index string }{
					{"bi_items_0", "bi_items_sku"}, {"bi_items_1", "bi_items_sku"}, {"bi_kinds", "bi_kinds_code"},
					{"bi_items_0", "bi_items_kind"}, {"bi_items_1", "bi_items_kind"},
				} {
					var n int
					must(node.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?", q.table, q.index).Scan(&n))
					want := 2
					switch q.index {
					case "bi_kinds_code":
						want = 1
					case "bi_items_kind":
						want = 0 // dropped
					}
					if n != want {
						t.Errorf("ds%d.%s: index %s has %d columns, want %d", i, q.table, q.index, n, want)
					}
				}
			}
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("bun observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

// queryText is every row of q's result, its values as text, one row per
// line (for transcripts).
func queryText(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		return "error: " + err.Error()
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := make([]string, len(cols))
		for i, v := range vals {
			line[i] = cols[i] + "=" + v.String
		}
		out = append(out, fmt.Sprint(line))
	}
	if err := rows.Err(); err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(out)
}
