package compat_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestJoinUnshardedNames runs joins of a sharded table with an unsharded
// one (evaluated above the nodes) whose columns are unqualified, on one
// database and through shardsql, and compares the transcripts: a column
// only one table has resolves to it (SELECT list, WHERE, ORDER BY, GROUP
// BY, HAVING, a derived table's column); one both tables have is MySQL's
// error 1052; one neither has is 1054. After an ALTER TABLE of the
// unsharded table run through shardsql, a column it gained makes the
// same statement ambiguous (the catalog forgot its columns).
func TestJoinUnshardedNames(t *testing.T) {
	e := newEnv(t, "joinnames", table{"u_accounts", "tenant_id", ""})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		var out []string
		run := func(q string, args ...any) {
			rows, err := db.Query(q, args...)
			if err != nil {
				msg := strings.ToLower(err.Error())
				switch {
				case strings.Contains(msg, "ambiguous"):
					out = append(out, q+": ambiguous")
				case strings.Contains(msg, "unknown column"):
					out = append(out, q+": unknown column")
				default:
					t.Errorf("%s: %v", q, err)
					out = append(out, q+": "+err.Error())
				}
				return
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			var got []string
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				row := make([]string, len(vals))
				for i, v := range vals {
					row[i] = fmt.Sprint(v.String, v.Valid)
				}
				got = append(got, strings.Join(row, "|"))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s: %v %q", q, cols, got))
		}
		for _, q := range []string{
			"CREATE TABLE u_plans (id BIGINT PRIMARY KEY, name VARCHAR(16), price INT)",
			"CREATE TABLE u_accounts (id BIGINT PRIMARY KEY, tenant_id BIGINT, name VARCHAR(16), balance INT, plan_id BIGINT)",
			"INSERT INTO u_plans VALUES (1, 'free', 0), (2, 'pro', 10), (3, 'max', 20)",
			"INSERT INTO u_accounts (id, tenant_id, name, balance, plan_id) VALUES (1, 1, 'a', 10, 1), (2, 2, 'b', 20, 2), (3, 3, 'c', 30, 2), (4, 4, 'd', 40, 3), (5, 1, 'e', 50, 1), (6, 2, 'f', 60, 9)",
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		join := " FROM u_accounts a JOIN u_plans p ON p.id = a.plan_id"
		left := " FROM u_accounts a LEFT JOIN u_plans p ON p.id = a.plan_id"
		for _, q := range []string{
			"SELECT balance, price, a.name" + join + " WHERE balance > 15 AND price >= 10 ORDER BY balance",
			"SELECT tenant_id, price" + join + " ORDER BY price DESC, balance",
			"SELECT balance" + left + " WHERE price IS NULL ORDER BY balance",
			"SELECT price, SUM(balance), COUNT(*)" + join + " GROUP BY price ORDER BY price",
			"SELECT price, SUM(balance) AS s" + join + " GROUP BY price HAVING SUM(balance) > 30 ORDER BY price",
			"SELECT plan_id, price" + join + " WHERE tenant_id = 2 ORDER BY plan_id",
			"SELECT a.id, price FROM u_accounts a JOIN (SELECT id AS pid, price FROM u_plans) d ON d.pid = a.plan_id WHERE price > 0 ORDER BY a.id",
			"SELECT name" + join,
			"SELECT a.id" + join + " WHERE name = 'a'",
			"SELECT a.id" + join + " ORDER BY id",
			"SELECT a.id" + join + " WHERE no_such = 1",
			"SELECT a.id, nope" + join,
		} {
			run(q)
		}
		// A column the unsharded table gains through the driver makes the
		// unqualified balance ambiguous; dropping it resolves it again.
		for _, q := range []string{"ALTER TABLE u_plans ADD COLUMN balance INT", "DROP TABLE IF EXISTS u_extra"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		run("SELECT balance" + join + " WHERE a.id = 1")
		if _, err := db.Exec("ALTER TABLE u_plans DROP COLUMN balance"); err != nil {
			t.Fatal(err)
		}
		run("SELECT balance" + join + " WHERE a.id = 1")
		// A table created after the catalog was read is read when a
		// statement needs it.
		for _, q := range []string{"CREATE TABLE u_tiers (id BIGINT PRIMARY KEY, level INT)", "INSERT INTO u_tiers VALUES (1, 5), (2, 7)"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		run("SELECT a.id, level FROM u_accounts a JOIN u_tiers x ON x.id = a.plan_id WHERE level > 5 ORDER BY a.id")
		transcripts[boolIndex(sharded)] = out
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
