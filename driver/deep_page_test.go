package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The deep-page suite: t_page in one unsharded table (the oracle) and
// sharded by user_id over 2 data sources × 4 tables, with ties, NULLs and
// text that differs only in case and trailing spaces. A deep page orders
// ties by the primary key, so the oracle's ORDER BY gets ", id" appended
// and the rows must be equal, in order.

const pageDDL = `CREATE TABLE t_page (
	id      BIGINT NOT NULL PRIMARY KEY,
	user_id BIGINT NOT NULL,
	grp     INT NULL,
	name    VARCHAR(20) NULL,
	amount  DECIMAL(10,2) NOT NULL,
	created DATETIME NOT NULL
)`

const pageRows = 3000

var pageNames = []string{"abc", "ABC", "abc ", "Abc  ", "b", "B ", "é", "e", "E", "zz", " a", "a"}

type pageEnv struct {
	servers         []*shardtest.Server
	topo            *shard.Topology
	oracle, sharded *sql.DB
	// keys and full read the same shards with the deep page's phases 1
	// and 2 forced to the keys only, or to full rows (sharded decides).
	keys, full *sql.DB
	// joined: the servers take a deep page's phases as one UNION ALL per
	// data source (MariaDB): check asserts the key-only plan does
	joined bool
}

func newPageEnv(t *testing.T, b backend) *pageEnv {
	servers := b.start(t, 2)
	oracle := oracleDB(t, servers[0], "oracle")
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_page", Column: "user_id",
		Nodes: "ds${0..1}.t_page_${0..3}", Algorithm: shard.Hash()}))
	// t_range: the same rows sharded by ranges of id, so ORDER BY id is
	// as skewed as it gets (node 0 holds every small id)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_range", Column: "id",
		Nodes: "ds${0..1}.t_range_${0..1}", Algorithm: shard.Range(400, 1300, 2900)}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_big", Column: "user_id",
		Nodes: "ds${0..1}.t_big_${0..3}", Algorithm: shard.Hash()}))
	sharded := openDB(t, topo)
	r := rand.New(rand.NewSource(7))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, db := range []*sql.DB{oracle, sharded} {
		_, err := db.Exec(pageDDL)
		require.NoError(t, err)
	}
	_, err := sharded.Exec(strings.Replace(pageDDL, "t_page", "t_range", 1))
	require.NoError(t, err)
	var args []any
	var sb strings.Builder
	flush := func() {
		if len(args) == 0 {
			return
		}
		q := "INSERT INTO t_page (id, user_id, grp, name, amount, created) VALUES " + strings.TrimSuffix(sb.String(), ", ")
		for _, db := range []*sql.DB{oracle, sharded} {
			_, err := db.Exec(q, args...)
			require.NoError(t, err)
		}
		_, err := sharded.Exec(strings.Replace(q, "t_page", "t_range", 1), args...)
		require.NoError(t, err)
		args, sb = nil, strings.Builder{}
	}
	for id := 1; id <= pageRows; id++ {
		var grp, name any
		if r.Intn(10) > 0 {
			grp = r.Intn(30)
		}
		if r.Intn(8) > 0 {
			name = pageNames[r.Intn(len(pageNames))]
		}
		args = append(args, id, r.Intn(200)+1, grp, name, fmt.Sprintf("%d.%02d", r.Intn(100), r.Intn(100)),
			base.Add(time.Duration(r.Intn(500))*time.Hour))
		sb.WriteString("(?, ?, ?, ?, ?, ?), ")
		if id%250 == 0 {
			flush()
		}
	}
	flush()
	return &pageEnv{servers: servers, topo: topo, oracle: oracle, sharded: sharded,
		keys: openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly)),
		full: openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))}
}

type pageQuery struct {
	sel, where, order string
	args              []any
	offset, count     int
}

func (q pageQuery) sql(oracle bool) string {
	order := q.order
	if oracle {
		order += ", id"
	}
	return fmt.Sprintf("SELECT %s FROM t_page %s ORDER BY %s LIMIT ?, ?", q.sel, q.where, order)
}

func (q pageQuery) allArgs() []any { return append(append([]any(nil), q.args...), q.offset, q.count) }

func randomPageQuery(r *rand.Rand) pageQuery {
	sels := []string{"id, user_id, grp, name, amount, created", "*", "name, amount", "amount"}
	orders := []string{"grp", "grp DESC", "name", "name DESC", "grp DESC, name", "name, grp DESC", "created",
		"created DESC, amount", "amount DESC", "id DESC", "user_id, grp", "name DESC, created, grp"}
	wheres := []struct {
		w    string
		args func() []any
	}{
		{"", nil},
		{"WHERE grp > ?", func() []any { return []any{r.Intn(20)} }},
		{"WHERE name <> 'b'", nil},
		{"WHERE grp IS NULL OR amount > ?", func() []any { return []any{fmt.Sprintf("%d.5", r.Intn(90))} }},
		{"WHERE name >= ? AND created < ?", func() []any {
			return []any{pageNames[r.Intn(len(pageNames))], time.Date(2025, 1, 1+r.Intn(25), 0, 0, 0, 0, time.UTC)}
		}},
	}
	w := wheres[r.Intn(len(wheres))]
	q := pageQuery{sel: sels[r.Intn(len(sels))], where: w.w, order: orders[r.Intn(len(orders))], count: 1 + r.Intn(40)}
	if w.args != nil {
		q.args = w.args()
	}
	// the router's threshold on 8 nodes (route/deep_page.go): offset ≥
	// 32, ≥ 2 × count and × 8 ≥ 512; a third of the pages just above it,
	// where windows are a few rows and phase 2 is common
	min := max(32, 2*q.count, 512/8)
	if r.Intn(3) == 0 {
		q.offset = min + r.Intn(200)
	} else {
		q.offset = min + r.Intn(pageRows+20-min)
	}
	return q
}

func (e *pageEnv) check(t *testing.T, q pageQuery) (deep bool) {
	t.Helper()
	plan, err := driver.Explain(context.Background(), e.sharded, q.sql(false), q.allArgs()...)
	require.NoError(t, err)
	want, err := runDiffQuery(e.oracle, q.sql(true), q.allArgs()...)
	require.NoError(t, err)
	if e.joined && plan.DeepPage != nil {
		kp, err := driver.Explain(context.Background(), e.keys, q.sql(false), q.allArgs()...)
		require.NoError(t, err)
		require.NotNil(t, kp.DeepPage.Phase1Union, "key-only phases as one statement per data source: %s", q.sql(false))
	}
	for _, db := range []struct {
		name string
		db   *sql.DB
	}{{"auto", e.sharded}, {"keys only", e.keys}, {"full rows", e.full}} {
		got, err := runDiffQuery(db.db, q.sql(false), q.allArgs()...)
		require.NoError(t, err, q.sql(false))
		require.Equal(t, want.cols, got.cols)
		if fmt.Sprint(want.rows) != fmt.Sprint(got.rows) {
			t.Errorf("%s %v (%s): %d rows, want %d\n got %v\nwant %v", q.sql(false), q.allArgs(), db.name, len(got.rows), len(want.rows), got.rows, want.rows)
		}
	}
	return plan.DeepPage != nil
}

// TestDeepPageEmbedded runs the generated deep pages on the embedded
// shards (binary collation, go-mysql-server's UNION and row comparisons).
func TestDeepPageEmbedded(t *testing.T) {
	e := newPageEnv(t, backends[0])
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	for i := 0; i < 40 && !t.Failed(); i++ {
		require.True(t, e.check(t, randomPageQuery(r)))
	}
}

func TestDeepPageDifferential(t *testing.T) {
	e := newPageEnv(t, backends[1])
	e.joined = true
	t.Run("hand-written", func(t *testing.T) {
		for _, q := range []pageQuery{
			{sel: "id, grp", order: "grp", offset: 1000, count: 10},
			{sel: "id, grp", order: "grp DESC", offset: 2990, count: 20},       // the last rows, NULLs last
			{sel: "id, grp", order: "grp", offset: 3000, count: 10},            // past the end
			{sel: "id, name", order: "name", offset: 400, count: 25},           // NULLs first, PAD SPACE ties
			{sel: "id, name", order: "name DESC, grp", offset: 1500, count: 7}, // mixed directions
			{sel: "*", where: "WHERE grp > ?", args: []any{10}, order: "amount DESC", offset: 1200, count: 30},
			{sel: "amount", where: "WHERE name = ?", args: []any{"ABC"}, order: "created", offset: 300, count: 5},
		} {
			require.True(t, e.check(t, q), "deep page expected: %s", q.sql(false))
		}
		// text keys carry their collation for the merge; numbers do not
		plan, err := driver.Explain(context.Background(), e.sharded, "SELECT id FROM t_page ORDER BY name, grp LIMIT 1000, 10")
		require.NoError(t, err)
		sql := plan.DeepPage.Phase1[0].SQL
		require.Contains(t, sql, "collation(`name`)")
		require.NotContains(t, sql, "collation(grp)")
		require.NotContains(t, sql, "collation(id)")
	})
	t.Run("spellings", func(t *testing.T) { e.checkSpellings(t) })
	t.Run("generated", func(t *testing.T) {
		seed := time.Now().UnixNano()
		if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_DEEP_SEED"), 10, 64); err == nil {
			seed = v
		}
		n := 200
		if v, err := strconv.Atoi(os.Getenv("SHARDSQL_DEEP_N")); err == nil {
			n = v
		}
		t.Logf("seed %d, %d queries", seed, n)
		r := rand.New(rand.NewSource(seed))
		deep := 0
		for i := 0; i < n && !t.Failed(); i++ {
			if e.check(t, randomPageQuery(r)) {
				deep++
			}
		}
		require.Equal(t, n, deep, "every generated query should take the deep page")
	})
	t.Run("inside a transaction", func(t *testing.T) {
		tx, err := e.sharded.Begin()
		require.NoError(t, err)
		defer tx.Rollback()
		rows, err := tx.Query("SELECT id FROM t_page ORDER BY name, id DESC LIMIT 1700, 5")
		require.NoError(t, err)
		got, err := scanDiffRows(rows)
		require.NoError(t, err)
		want, err := runDiffQuery(e.oracle, "SELECT id FROM t_page ORDER BY name, id DESC LIMIT 1700, 5")
		require.NoError(t, err)
		require.Equal(t, want.rows, got.rows)
	})
	t.Run("pinned session", func(t *testing.T) {
		// a system variable set on the Conn lives in the session of each
		// data source's pin: every phase must run there, or amount / 3 is
		// computed with the default 4 digits instead of 9
		ctx := context.Background()
		const q = "SELECT id, name, amount / 3 FROM t_page WHERE grp > ? ORDER BY name, grp LIMIT 700, 9"
		const set = "SET SESSION div_precision_increment = 9"
		oc, err := e.oracle.Conn(ctx)
		require.NoError(t, err)
		defer oc.Close()
		_, err = oc.ExecContext(ctx, set)
		require.NoError(t, err)
		rows, err := oc.QueryContext(ctx, strings.Replace(q, "grp LIMIT", "grp, id LIMIT", 1), 12)
		require.NoError(t, err)
		want, err := scanDiffRows(rows)
		require.NoError(t, err)
		require.Len(t, want.rows, 9)
		for _, db := range []*sql.DB{e.sharded, e.keys, e.full} {
			plan, err := driver.Explain(ctx, db, q, 12)
			require.NoError(t, err)
			require.NotNil(t, plan.DeepPage)
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, set)
			require.NoError(t, err)
			rows, err := conn.QueryContext(ctx, q, 12)
			require.NoError(t, err)
			got, err := scanDiffRows(rows)
			require.NoError(t, err)
			require.Equal(t, want.rows, got.rows, "key-only %v", plan.DeepPage.KeyOnly())
			require.NoError(t, conn.Close())
		}
	})
	t.Run("one connection per data source", func(t *testing.T) {
		// the later phases take a connection of a pool phase 1 has given
		// back: concurrent deep pages on pools of one finish, exact
		for _, keys := range []route.DeepPageKeys{route.DeepPageKeysOnly, route.DeepPageKeysFull} {
			small := openDB(t, e.topo, driver.WithMaxOpenConns(1), driver.WithDeepPageKeys(keys))
			q := pageQuery{sel: "id, name, amount", order: "name DESC, grp", offset: 1300, count: 11}
			want, err := runDiffQuery(e.oracle, q.sql(true), q.allArgs()...)
			require.NoError(t, err)
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					for range 5 {
						got, err := runDiffQuery(small, q.sql(false), q.allArgs()...)
						if err == nil && fmt.Sprint(got.rows) != fmt.Sprint(want.rows) {
							err = fmt.Errorf("got %v, want %v", got.rows, want.rows)
						}
						if err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for range 4 {
				require.NoError(t, <-errs)
			}
		}
	})
	t.Run("skewed nodes", func(t *testing.T) {
		// range-sharded by the sort key: windows far apart, second reads
		// and counts; the rows must still be the page
		for _, q := range []string{
			"SELECT id, grp FROM %s ORDER BY id LIMIT 1000, 20",
			"SELECT id, grp FROM %s ORDER BY id DESC LIMIT 2500, 7",
			"SELECT id, name FROM %s WHERE id > 350 ORDER BY id LIMIT 2000, 30",
			"SELECT id, grp FROM %s WHERE grp IS NULL OR id < 500 ORDER BY grp DESC, id LIMIT 300, 10",
			"SELECT id FROM %s ORDER BY id LIMIT 2990, 15",
		} {
			sharded := fmt.Sprintf(q, "t_range")
			plan, err := driver.Explain(context.Background(), e.sharded, sharded)
			require.NoError(t, err)
			require.NotNil(t, plan.DeepPage, sharded)
			got, err := runDiffQuery(e.sharded, sharded)
			require.NoError(t, err)
			want, err := runDiffQuery(e.oracle, fmt.Sprintf(q, "t_page"))
			require.NoError(t, err)
			require.Equal(t, want.rows, got.rows, sharded)
		}
	})
	t.Run("memory cap", func(t *testing.T) {
		// windows that would exceed WithMaxMemoryRows: the page streams
		small := openDB(t, e.topo, driver.WithMaxMemoryRows(100))
		q := "SELECT id, grp FROM t_page ORDER BY grp DESC, id LIMIT 1000, 20"
		plan, err := driver.Explain(context.Background(), small, q)
		require.NoError(t, err)
		require.Nil(t, plan.DeepPage)
		got, err := runDiffQuery(small, q)
		require.NoError(t, err)
		want, err := runDiffQuery(e.oracle, q)
		require.NoError(t, err)
		require.Equal(t, want.rows, got.rows)
	})
	t.Run("keyset", func(t *testing.T) { e.checkKeyset(t) })
	t.Run("rows sent", func(t *testing.T) { e.checkRowsSent(t) })
	t.Run("one statement per data source", func(t *testing.T) { e.checkUnion(t) })
}

// checkKeyset pages through all of t_page by (created, id) with a row
// comparison: every node runs the comparison and LIMIT 20 itself, so it
// sends at most 20 rows, and the pages together are the table in order.
func (e *pageEnv) checkKeyset(t *testing.T) {
	const q = "SELECT id, created, name FROM t_page WHERE (created, id) > (?, ?) ORDER BY created, id LIMIT 20"
	plan, err := driver.Explain(context.Background(), e.sharded, q, "2000-01-01 00:00:00", 0)
	require.NoError(t, err)
	require.Len(t, plan.Units, 8)
	require.Nil(t, plan.DeepPage)
	require.Contains(t, plan.Units[0].SQL, "where (created, id) > (?, ?) order by created asc, id asc limit 20")
	after := []any{"2000-01-01 00:00:00", 0}
	seen := 0
	for page := 0; ; page++ {
		before := e.rowsSent(t)
		got, err := runDiffQuery(e.sharded, q, after...)
		require.NoError(t, err)
		sent := e.rowsSent(t) - before - 1 // one SHOW's row
		want, err := runDiffQuery(e.oracle, q, after...)
		require.NoError(t, err)
		require.Equal(t, want.rows, got.rows, "page %d after %v", page, after)
		require.LessOrEqual(t, sent, int64(8*20+1), "page %d", page)
		if len(got.rows) == 0 {
			break
		}
		seen += len(got.rows)
		last := got.rows[len(got.rows)-1]
		after = []any{last[1], last[0]}
	}
	require.Equal(t, pageRows, seen)
}

// rowsSent is the sum of the servers' Rows_sent counters.
func (e *pageEnv) rowsSent(t *testing.T) int64 { return e.status(t, "Rows_sent") }

// status is the sum of the servers' global status counter name.
func (e *pageEnv) status(t *testing.T, name string) int64 {
	var sum int64
	for _, s := range e.servers {
		db := direct(t, s)
		var n string
		var v int64
		require.NoError(t, db.QueryRow("SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&n, &v))
		sum += v
		_ = db.Close()
	}
	return sum
}

// checkRowsSent counts the rows the servers send for one deep page and
// for the same page streamed (the stream is forced by asking for
// offset+count rows at offset 0, which is what streaming asks each node
// for). t_big spreads 40,000 rows evenly (user_id = id, hashed) so that a
// stream of offset+count rows per node stays below each node's 5,000.
func (e *pageEnv) checkRowsSent(t *testing.T) {
	const k, offset, count, total = 8, 4000, 20, 40_000
	_, err := e.sharded.Exec(strings.Replace(pageDDL, "t_page", "t_big", 1))
	require.NoError(t, err)
	r := rand.New(rand.NewSource(9))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 1; start <= total; start += 500 {
		var sb strings.Builder
		var args []any
		for id := start; id < start+500; id++ {
			if id > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, id, id, r.Intn(1000), "1.00", base.Add(time.Duration(r.Intn(1<<20))*time.Second))
		}
		_, err := e.sharded.Exec("INSERT INTO t_big (id, user_id, grp, amount, created) VALUES "+sb.String(), args...)
		require.NoError(t, err)
	}
	// The counters are the servers' global ones, and other tests share
	// the servers: their rows only add, so the least of a few runs is
	// this statement's.
	// measureOn returns the rows and bytes the servers sent for q.
	//
	// A stream's Close cancels the node queries whose rows the merge did
	// not need, and those servers go on sending for a while after
	// runDiffQuery returns: bytes that would land in the next
	// measurement's overhead read and make its own figure too small (seen
	// as a full-row deep page "sending" 30 KB instead of 41 KB). settle
	// waits until two consecutive counter reads cost the same, that is,
	// until nothing else is being sent.
	settle := func() {
		prev := int64(-1)
		last := e.status(t, "Bytes_sent")
		for range 50 {
			time.Sleep(20 * time.Millisecond)
			now := e.status(t, "Bytes_sent")
			if now-last == prev {
				return
			}
			prev, last = now-last, now
		}
	}
	measureOn := func(db *sql.DB, q string, rows int) (sent, bytes int64) {
		sent, bytes = int64(math.MaxInt64), int64(math.MaxInt64)
		for range 3 {
			settle()
			before, beforeBytes := e.rowsSent(t), e.status(t, "Bytes_sent")
			got, err := runDiffQuery(db, q)
			require.NoError(t, err)
			require.Len(t, got.rows, rows)
			after, afterBytes := e.rowsSent(t), e.status(t, "Bytes_sent")
			// what the counter reads themselves cost
			overhead, overheadBytes := e.rowsSent(t)-after, e.status(t, "Bytes_sent")-afterBytes
			sent = min(sent, after-before-overhead)
			bytes = min(bytes, afterBytes-beforeBytes-overheadBytes)
		}
		return sent, bytes
	}
	measure := func(q string, rows int) int64 { n, _ := measureOn(e.sharded, q, rows); return n }
	fullCold := openDB(t, e.topo, driver.WithDeepPageKeys(route.DeepPageKeysFull), driver.WithDeepPageHints(false))
	keysCold := openDB(t, e.topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly), driver.WithDeepPageHints(false))
	measure("SELECT id FROM t_big ORDER BY id LIMIT 1", 1) // warm: catalog loaded
	for _, order := range []string{"created DESC", "grp, created"} {
		q := fmt.Sprintf("SELECT id, user_id, grp, amount, created FROM t_big ORDER BY %s LIMIT %d, %d", order, offset, count)
		// the cold windows: with position hints the second run would
		// read the first's positions (checked below)
		deep, deepBytes := measureOn(fullCold, q, count)
		keys, keysBytes := measureOn(keysCold, q, count)
		stream, streamBytes := measureOn(e.sharded, fmt.Sprintf("SELECT id, user_id, grp, amount, created FROM t_big ORDER BY %s LIMIT %d", order, offset+count), offset+count)
		// docs/deep-pages.md: phase 1 sends k×count; phase 2 the rows
		// between the bounds, count plus the spread of the nodes' shares
		// of the offset, O(√(k×offset)) for evenly spread rows. Key-only
		// phases send the same rows, narrower, and the page's rows again.
		bound := int64(2*k*count + 8*int(math.Sqrt(float64(k*offset))))
		t.Logf("ORDER BY %s LIMIT %d, %d: rows (bytes) sent: deep page full rows %d (%d), keys only %d (%d), stream %d (%d) (k×count = %d, bound %d)",
			order, offset, count, deep, deepBytes, keys, keysBytes, stream, streamBytes, k*count, bound)
		// each node is asked for offset+count rows; Close cancels the
		// nodes whose rows the merge did not need, so not all are sent
		require.Greater(t, stream, 4*deep)
		require.LessOrEqual(t, deep, bound)
		require.LessOrEqual(t, keys, bound+count)
		require.Less(t, keysBytes, deepBytes, "key-only phases send fewer bytes")

		// Warm position hints (merge/deep_hints.go): the same page again
		// reads each node's kᵢ page rows and deepHintExact = 1 row either
		// side, Σ = count + 2k (round 9's 2 rows sent count + 4k and
		// fails this); the next page (offset += count) each node's share
		// of it with two deviations, its spread, the base margins
		// (deepHintBase = 2) and rounding: k × (c/k + ⌈2√(c/k)⌉ + 2 + 4).
		same := int64(count + 2*k)
		share := float64(count) / k
		next := int64(float64(k) * (share + math.Ceil(2*math.Sqrt(share)) + 2 + 4))
		for _, db := range []struct {
			name  string
			db    *sql.DB
			fetch int64
		}{{"full rows", e.full, 0}, {"keys only", e.keys, count}} {
			hs, err := driver.Stats(context.Background(), db.db)
			require.NoError(t, err)
			warm, _ := measureOn(db.db, q, count) // three runs: the first leaves the hint
			// the next pages, each once (a second run would be the same
			// page's): the least of three steps
			warmNext := int64(math.MaxInt64)
			for step := 1; step <= 3; step++ {
				settle()
				before := e.rowsSent(t)
				nq := fmt.Sprintf("SELECT id, user_id, grp, amount, created FROM t_big ORDER BY %s LIMIT %d, %d", order, offset+step*count, count)
				got, err := runDiffQuery(db.db, nq)
				require.NoError(t, err)
				require.Len(t, got.rows, count)
				after := e.rowsSent(t)
				warmNext = min(warmNext, after-before-(e.rowsSent(t)-after))
			}
			hs2, err := driver.Stats(context.Background(), db.db)
			require.NoError(t, err)
			t.Logf("ORDER BY %s, %s, warm hint: the same page %d rows sent (bound %d), the next page %d (bound %d); %d hinted pages, %d misses",
				order, db.name, warm, same+db.fetch, warmNext, next+db.fetch, hs2.DeepHinted-hs.DeepHinted, hs2.DeepHintMisses-hs.DeepHintMisses)
			require.LessOrEqual(t, warm, same+db.fetch, "%s: the same page with a warm hint", db.name)
			require.LessOrEqual(t, warmNext, next+db.fetch, "%s: the next page with a warm hint", db.name)
			require.GreaterOrEqual(t, hs2.DeepHinted-hs.DeepHinted, uint64(5), "%s: hinted pages counted", db.name)
		}
	}
}
