package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// d16Rows is the text of a query's columns and rows, or of its error: a
// server error by its number (shardsql names the node in its text), a
// refusal as "refused".
func d16Rows(ctx context.Context, q func(context.Context, string, ...any) (*sql.Rows, error), s string, args ...any) string {
	rows, err := q(ctx, s, args...)
	if err != nil {
		return d16Err(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "scan: " + err.Error()
		}
		var r []string
		for _, v := range vals {
			if v == nil {
				r = append(r, "NULL")
			} else {
				r = append(r, string(v))
			}
		}
		out = append(out, strings.Join(r, ","))
	}
	if err := rows.Err(); err != nil {
		return d16Err(err)
	}
	return strings.Join(cols, ",") + " | " + strings.Join(out, " ; ")
}

func d16Err(err error) string {
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me):
		return fmt.Sprintf("error %d", me.Number)
	case strings.HasPrefix(err.Error(), "shardsql: unsupported:"):
		return "refused"
	}
	return "error: " + err.Error()
}

// TestDaily16FreshStarts runs what ORMs and tools send every day, three
// starts of a new process each, on one database and through shardsql
// (a sharded table with generated ids, one bound to it, a broadcast and
// an unsharded table), and compares the transcripts: upserts (MariaDB has
// no `AS new` row alias: both answer 1064), count over a derived table,
// EXISTS checks, LIMIT 1 reads ordered by the primary key across nodes,
// the schema lookups migrators send, savepoints with SET NAMES and locking
// reads inside a transaction.
func TestDaily16FreshStarts(t *testing.T) {
	f := newFreshEnv(t, "daily16", []string{"d16_kinds"}, [][]string{{"d16_items", "d16_notes"}},
		table{"d16_items", "tenant_id", "id"}, table{"d16_notes", "tenant_id", "id"})
	var trs [2]transcript
	for start := 1; start <= 3; start++ {
		sh, or := f.open(t)
		for i, db := range []*sql.DB{or, sh} {
			daily16Start(t, db, start, &trs[i])
		}
	}
	compareTranscripts(t, "daily operations", trs[0].out, trs[1].out)
}

func daily16Start(t *testing.T, db *sql.DB, start int, tr *transcript) {
	ctx := context.Background()
	name := func(s string) string { return strings.ReplaceAll(s, "daily16_oracle", "daily16") }
	for _, s := range []string{
		"CREATE TABLE IF NOT EXISTS d16_kinds (id BIGINT PRIMARY KEY, name VARCHAR(20))",
		"CREATE TABLE IF NOT EXISTS d16_items (id BIGINT PRIMARY KEY AUTO_INCREMENT, tenant_id BIGINT NOT NULL, kind_id BIGINT, name VARCHAR(20), qty INT, UNIQUE KEY u_tn (tenant_id, name))",
		"CREATE TABLE IF NOT EXISTS d16_notes (id BIGINT PRIMARY KEY AUTO_INCREMENT, tenant_id BIGINT NOT NULL, item_id BIGINT, body VARCHAR(20))",
		"CREATE TABLE IF NOT EXISTS d16_logs (id BIGINT PRIMARY KEY AUTO_INCREMENT, msg VARCHAR(20))",
		"INSERT INTO d16_kinds VALUES (1,'a'),(2,'b') ON DUPLICATE KEY UPDATE name = VALUES(name)",
		fmt.Sprintf("INSERT INTO d16_items (id, tenant_id, kind_id, name, qty) VALUES (%d,1,1,'x',1),(%d,2,2,'y',2),(%d,3,1,'z',3),(%d,4,2,'w',4)", start*10+1, start*10+2, start*10+3, start*10+4),
		"INSERT INTO d16_items (tenant_id, kind_id, name, qty) VALUES (1,1,'x',5),(5,2,'v',5) ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)",
		"INSERT INTO d16_items (tenant_id, kind_id, name, qty) VALUES (5,1,'v',5) AS new ON DUPLICATE KEY UPDATE qty = d16_items.qty + new.qty",
		"INSERT INTO d16_kinds (id, name) VALUES (2,'bb') AS new ON DUPLICATE KEY UPDATE name = new.name",
		"INSERT INTO d16_logs (msg) VALUES ('m') AS new ON DUPLICATE KEY UPDATE msg = new.msg",
		fmt.Sprintf("INSERT INTO d16_notes (tenant_id, item_id, body) VALUES (2, %d, 'n')", start*10+2),
	} {
		r, err := db.ExecContext(ctx, s)
		if err != nil {
			tr.log("start %d exec %s: %s", start, s, d16Err(err))
			continue
		}
		n, _ := r.RowsAffected()
		tr.log("start %d exec %s: %d rows", start, s, n)
	}
	for _, s := range []string{
		// One row returned per VALUES row, inserted or met, across nodes.
		"INSERT INTO d16_items (tenant_id, kind_id, name, qty) VALUES (1,1,'x',1),(5,2,'v',2),(7,1,'n7',3),(8,1,'n8',4) ON DUPLICATE KEY UPDATE qty = qty + 1 RETURNING tenant_id, name, qty",
		"SELECT tenant_id, name, qty FROM d16_items ORDER BY id",
		"SELECT count(*) FROM (SELECT * FROM d16_items WHERE qty > 1) AS t",
		"SELECT count(*) FROM (SELECT id FROM d16_items WHERE qty > 1 ORDER BY id LIMIT 2) AS t",
		"SELECT COUNT(*) AS count FROM (SELECT DISTINCT kind_id FROM d16_items) AS t",
		"SELECT EXISTS(SELECT 1 FROM d16_items WHERE name = 'y')",
		"SELECT EXISTS (SELECT * FROM d16_items WHERE tenant_id = 2 AND name = 'q') AS e",
		"SELECT 1 FROM d16_items WHERE name = 'x' LIMIT 1",
		"SELECT tenant_id, name FROM d16_items ORDER BY id LIMIT 1",
		"SELECT tenant_id, name FROM d16_items ORDER BY id DESC LIMIT 1",
		"SELECT tenant_id, name FROM `d16_items` WHERE `d16_items`.`qty` > 1 ORDER BY `d16_items`.`id` LIMIT 1",
		"SELECT DATABASE()", "SELECT VERSION() LIKE '%MariaDB%'",
		"SELECT SCHEMA_NAME from Information_schema.SCHEMATA where SCHEMA_NAME = DATABASE()",
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'd16_items' AND table_type = 'BASE TABLE'",
		"SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = (SELECT DATABASE()) AND table_name = 'd16_items' AND column_name = 'qty'",
		"SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'd16_items' AND index_name = 'u_tn'",
		"SELECT column_name, column_default, is_nullable = 'YES', data_type, character_maximum_length, column_type, column_key, extra FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'd16_items' ORDER BY ORDINAL_POSITION",
		"SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'd16_items' ORDER BY INDEX_NAME, SEQ_IN_INDEX",
		"SELECT CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'd16_items' AND CONSTRAINT_TYPE = 'UNIQUE'",
		"SHOW FULL TABLES", "SHOW COLUMNS FROM d16_items",
		"SELECT i.name, k.name FROM d16_items i JOIN d16_kinds k ON k.id = i.kind_id ORDER BY i.id LIMIT 2",
		"SELECT i.name, count(n.id) FROM d16_items i LEFT JOIN d16_notes n ON n.tenant_id = i.tenant_id AND n.item_id = i.id GROUP BY i.id, i.name ORDER BY i.id",
	} {
		tr.log("start %d %s => %s", start, s, name(d16Rows(ctx, db.QueryContext, s)))
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, s := range []string{
		"SET NAMES utf8mb4",
		"SAVEPOINT sp1",
		"SELECT name FROM d16_items WHERE tenant_id = 1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
		"SELECT name FROM d16_items ORDER BY id LIMIT 1 FOR UPDATE",
		"SELECT name FROM d16_items ORDER BY id LIMIT 1 LOCK IN SHARE MODE",
		"SELECT id FROM d16_kinds ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
		"UPDATE d16_items SET qty = qty + 100 WHERE tenant_id = 1",
		"SAVEPOINT sp2",
		"UPDATE d16_items SET qty = qty + 1000",
		"ROLLBACK TO SAVEPOINT sp2",
		"SELECT name, qty FROM d16_items ORDER BY id",
		"RELEASE SAVEPOINT sp2",
		"ROLLBACK TO sp1",
		"SELECT name, qty FROM d16_items ORDER BY id",
		"SELECT DATABASE(), @@character_set_client",
	} {
		tr.log("start %d tx %s => %s", start, s, name(d16Rows(ctx, tx.QueryContext, s)))
	}
}

// TestJobQueue16SkipLocked claims jobs as queue libraries do, several
// workers each in its own transaction: `ORDER BY id LIMIT 2 FOR UPDATE
// SKIP LOCKED`. Per tenant (the sharding column) and by id (a unique key
// fixed with =) shardsql answers as one database; across the nodes it
// refuses, since each node would lock LIMIT rows of its own and the next
// workers would skip rows nobody took (without the refusal the second
// worker got 4, 6 and the third nothing).
func TestJobQueue16SkipLocked(t *testing.T) {
	f := newFreshEnv(t, "jobs16", nil, nil, table{"j16_jobs", "tenant_id", ""})
	sh, or := f.open(t)
	var trs [2]transcript
	for i, db := range []*sql.DB{or, sh} {
		ctx := context.Background()
		for _, s := range []string{
			"CREATE TABLE j16_jobs (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL, state VARCHAR(8), KEY (tenant_id, id))",
			"INSERT INTO j16_jobs (id, tenant_id, state) VALUES (1,1,'new'),(2,2,'new'),(3,1,'new'),(4,2,'new'),(5,1,'new'),(6,2,'new'),(7,3,'new'),(8,4,'new')",
		} {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		claim := func(what, q string, args ...any) {
			var txs []*sql.Tx
			for w := range 3 {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				txs = append(txs, tx)
				tr := d16Rows(ctx, tx.QueryContext, q, args...)
				if what == "across the nodes" {
					// one database: 1, 2 / 3, 4 / 5, 6
					if want := []string{"id | 1 ; 2", "id | 3 ; 4", "id | 5 ; 6"}[w]; i == 0 && tr != want {
						t.Errorf("oracle worker %d across the nodes: %s, want %s", w, tr, want)
					}
					if i == 1 && !strings.HasPrefix(tr, "refused") {
						t.Errorf("worker %d across the nodes: %s, want the refusal", w, tr)
					}
					continue
				}
				trs[i].log("%s: worker %d => %s", what, w, tr)
			}
			for _, tx := range txs {
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
			}
		}
		claim("per tenant", "SELECT id FROM j16_jobs WHERE tenant_id = ? AND state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", 1)
		claim("by id", "SELECT id, state FROM j16_jobs WHERE id = ? AND state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", 7)
		claim("across the nodes", "SELECT id FROM j16_jobs WHERE state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED")
		// Without LIMIT every node locks what one database locks.
		claim("all", "SELECT id FROM j16_jobs WHERE state = 'new' ORDER BY id FOR UPDATE SKIP LOCKED")
	}
	compareTranscripts(t, "job queue", trs[0].out, trs[1].out)
}
