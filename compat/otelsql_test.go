package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/XSAM/otelsql"
	gomysql "github.com/go-sql-driver/mysql"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestOtelsql wraps shardsql's connector with otelsql (the *sql.DB an
// application traces) and each data source's pool too (per-node spans,
// through Topology.AddDB), runs the same statements as on a wrapped
// unsharded database, and checks the results and that both levels
// recorded spans.
func TestOtelsql(t *testing.T) {
	e := newEnv(t, "oteldb")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	// Per-node tracing: the data sources are otelsql-wrapped pools.
	topo := shard.NewTopology()
	for i, dsn := range e.ShardDSNs {
		cfg, err := gomysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := gomysql.NewConnector(cfg)
		if err != nil {
			t.Fatal(err)
		}
		node := otelsql.OpenDB(mc, otelsql.WithTracerProvider(tp), otelsql.WithAttributes())
		t.Cleanup(func() { _ = node.Close() })
		if err := topo.AddDB(fmt.Sprintf("ds%d", i), node); err != nil {
			t.Fatal(err)
		}
	}
	if err := topo.AddTable(shard.Table{Name: "o_events", Column: "id", Nodes: "ds${0..1}.o_events_${0..1}"}); err != nil {
		t.Fatal(err)
	}
	conn, err := driver.NewConnector(topo)
	if err != nil {
		t.Fatal(err)
	}
	sharded := otelsql.OpenDB(conn, otelsql.WithTracerProvider(tp))
	t.Cleanup(func() { _ = sharded.Close() })
	oracle, err := otelsql.Open("mysql", e.OracleDSN, otelsql.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = oracle.Close() })

	var transcripts [2][]string
	for i, db := range []*sql.DB{oracle, sharded} {
		ctx := context.Background()
		var out []string
		for _, q := range []string{
			"CREATE TABLE o_events (id BIGINT PRIMARY KEY, kind VARCHAR(10) NOT NULL, n INT NOT NULL)",
			"INSERT INTO o_events (id, kind, n) VALUES (1, 'a', 5), (2, 'b', 6), (3, 'a', 7), (4, 'c', 8), (5, 'a', 9)",
			"UPDATE o_events SET n = n * 10 WHERE kind = 'a'",
			"DELETE FROM o_events WHERE id = 4",
		} {
			res, err := db.ExecContext(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			n, _ := res.RowsAffected()
			out = append(out, fmt.Sprint(n))
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO o_events (id, kind, n) VALUES (?, ?, ?)", 6, "d", 1); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryContext(ctx, "SELECT kind, COUNT(*), SUM(n) FROM o_events GROUP BY kind ORDER BY kind")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var kind string
			var c, s int64
			if err := rows.Scan(&kind, &c, &s); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(kind, c, s))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		transcripts[i] = out
	}
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("otelsql: oracle %q, sharded %q", transcripts[0], transcripts[1])
	}
	// Spans: the application's statements on the wrapped shardsql pool,
	// and the node statements on the wrapped data source pools.
	var nodeSpans, appSpans int
	for _, s := range rec.Ended() {
		for _, a := range s.Attributes() {
			if a.Key == "db.statement" || a.Key == "db.query.text" {
				switch v := a.Value.AsString(); {
				case containsAny(v, "o_events_0", "o_events_1"):
					nodeSpans++
				case containsAny(v, "o_events"):
					appSpans++
				}
			}
		}
	}
	if nodeSpans == 0 || appSpans == 0 {
		t.Errorf("spans: %d of node statements, %d of application statements (of %d spans)", nodeSpans, appSpans, len(rec.Ended()))
	}

	t.Run("Explain and PlanCacheStats on the wrapped *sql.DB", func(t *testing.T) {
		_, err := driver.Explain(context.Background(), sharded, "SELECT * FROM o_events WHERE id = 1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := driver.PlanCacheStats(context.Background(), sharded); err != nil {
			t.Fatal(err)
		}
	})
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
