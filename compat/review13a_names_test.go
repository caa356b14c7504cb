package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// review13aQuery runs q on db (or conn) and returns a line of its answer.
func review13aQuery(t *testing.T, q func(string, ...any) (*sql.Rows, error), text string) string {
	rows, err := q(text)
	if err != nil {
		msg := strings.ToLower(err.Error())
		switch {
		case strings.Contains(msg, "ambiguous"):
			return text + ": ambiguous"
		case strings.Contains(msg, "unknown column"):
			return text + ": unknown column"
		}
		return text + ": ERR " + err.Error()
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
		return text + ": ERR " + err.Error()
	}
	return fmt.Sprintf("%s: %q", text, got)
}

// TestReview13aTempShadow: a *sql.Conn creates a temporary table that
// shadows an unsharded table, then joins a sharded table with it across
// nodes. MariaDB reads the temporary table; shardsql ran the cross-node
// statement's units on pool connections, where the name is the permanent
// table, and answered with the permanent table's rows (price 0/10/20 and
// account 4 where the session's table holds 7/8 and no plan 3). After
// DROP TEMPORARY TABLE the permanent table is read again.
func TestReview13aTempShadow(t *testing.T) {
	e := newEnv(t, "r13atemp", table{"u_accounts", "tenant_id", ""})
	var tr [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
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
		ctx := context.Background()
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		cq := func(s string, args ...any) (*sql.Rows, error) { return conn.QueryContext(ctx, s, args...) }
		var out []string
		for _, q := range []string{
			"CREATE TEMPORARY TABLE u_plans (id BIGINT PRIMARY KEY, name VARCHAR(16), price INT, balance INT)",
			"INSERT INTO u_plans VALUES (1, 'tmp1', 7, 0), (2, 'tmp2', 8, 0)",
			"SELECT a.id, p.price FROM u_accounts a JOIN u_plans p ON p.id = a.plan_id ORDER BY a.id",
			"SELECT p.name, SUM(a.balance) FROM u_accounts a LEFT JOIN u_plans p ON p.id = a.plan_id GROUP BY p.name ORDER BY p.name",
			"SELECT id FROM u_accounts WHERE plan_id IN (SELECT id FROM u_plans) ORDER BY id",
			"DROP TEMPORARY TABLE u_plans",
			"SELECT a.id, p.price FROM u_accounts a JOIN u_plans p ON p.id = a.plan_id ORDER BY a.id",
		} {
			if !strings.HasPrefix(q, "SELECT") {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if strings.HasPrefix(q, "INSERT") {
					// The session's u_plans has a balance too: MariaDB
					// says 1052; shardsql, which cannot know the
					// temporary table's columns, refuses the unqualified
					// name (it resolved it by the permanent table's
					// columns and answered a.balance).
					rows, err := conn.QueryContext(ctx, "SELECT balance FROM u_accounts a JOIN u_plans p ON p.id = a.plan_id")
					if err == nil {
						_ = rows.Close()
					}
					want := "ambiguous"
					if sharded {
						want = "shardsql: unsupported"
					}
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("unqualified balance beside the temporary u_plans: %v, want %q", err, want)
					}
				}
				continue
			}
			out = append(out, review13aQuery(t, cq, q))
		}
		tr[boolIndex(sharded)] = out
	})
	if !slices.Equal(tr[0], tr[1]) {
		t.Errorf("different results:\noracle:  %q\nsharded: %q", tr[0], tr[1])
	}
}
