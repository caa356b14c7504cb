package driver_test

import (
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"reflect"
	"testing"
)

// scanByType reads q's rows as gorm's Scan into []map[string]any does:
// each column into a new value of its ColumnType.ScanType, a Valuer read
// for its value, []byte as text; it also reports each column's
// nullability.
func scanByType(db *sql.DB, q string) (string, []bool, error) {
	rows, err := db.Query(q)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return "", nil, err
	}
	out := ""
	var nulls []bool
	for _, c := range cts {
		n, ok := c.Nullable()
		nulls = append(nulls, n || !ok)
	}
	for rows.Next() {
		vals := make([]any, len(cts))
		for j, c := range cts {
			vals[j] = reflect.New(reflect.PointerTo(c.ScanType())).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			return out, nulls, err
		}
		for _, v := range vals {
			rv := reflect.Indirect(reflect.Indirect(reflect.ValueOf(v)))
			if !rv.IsValid() {
				out += "NULL "
				continue
			}
			x := rv.Interface()
			if valuer, ok := x.(sqldriver.Valuer); ok {
				x, _ = valuer.Value()
			}
			if b, ok := x.([]byte); ok {
				x = string(b)
			}
			out += fmt.Sprintf("%v ", x)
		}
		out += "| "
	}
	return out, nulls, rows.Err()
}

// TestReview18cScanTypes: columns computed above the nodes took the
// scan type and nullability of the first node column (an INT NOT NULL
// id): int32 for BIGINT, UNSIGNED BIGINT, DECIMAL, DOUBLE and VARCHAR
// values, so scanning by ScanType (gorm's map scan) failed.
func TestReview18cScanTypes(t *testing.T) {
	e := newR16Env(t, "review18c_scantypes")
	for _, q := range []string{
		"SELECT x.id, x.g * 1000000000 AS big FROM (SELECT id, g FROM r16 ORDER BY id LIMIT 8) x",
		"SELECT x.id, x.u + 0 AS big FROM (SELECT id, u FROM r16 ORDER BY id LIMIT 8) x",
		"SELECT x.id, x.d2 * 2 AS big FROM (SELECT id, d2 FROM r16 ORDER BY id LIMIT 8) x",
		"SELECT x.id, CONCAT(x.cp, '!') AS big FROM (SELECT id, cp FROM r16 ORDER BY id LIMIT 8) x",
		"SELECT x.id, x.db * 2 AS big FROM (SELECT id, db FROM r16 WHERE id <> 3 ORDER BY id LIMIT 8) x",
		"SELECT x.id, x.id * 3000000000 AS big FROM (SELECT id FROM r16 ORDER BY id LIMIT 4) x",
		"SELECT g, SUM(id) * 1000000000 FROM r16 GROUP BY g",
		"SELECT g, COUNT(*), SUM(d2), AVG(g) FROM r16 GROUP BY g",
		// MariaDB reports a window query's columns NULL-able; the nodes,
		// sent it without the window, said NOT NULL (int32, not int64)
		"SELECT id, g, ROW_NUMBER() OVER (ORDER BY id) FROM r16",
		"SELECT id, cp, RANK() OVER (PARTITION BY g ORDER BY id) FROM r16",
		"SELECT id, LAG(id) OVER (ORDER BY id), COUNT(*) OVER (ORDER BY id) FROM r16",
	} {
		want, wnull, werr := scanByType(e.oracle, q)
		got, gnull, gerr := scanByType(e.sharded, q)
		if werr != nil {
			t.Fatalf("%s: oracle: %v", q, werr)
		}
		if gerr != nil || got != want {
			t.Errorf("%s\n  oracle:  %s\n  sharded: %s %v", q, want, got, gerr)
		}
		// A computed column may be said nullable where the server
		// knows better (x.id * 3); never NOT NULL where it may be NULL.
		for i := range wnull {
			if i < len(gnull) && wnull[i] && !gnull[i] {
				t.Errorf("%s: column %d is nullable on one database, NOT NULL through shardsql", q, i)
			}
		}
	}
}

// TestReview18cLeftJoinNullable: a LEFT JOIN evaluated above the nodes
// reported its inner side's columns with the node columns' metadata (a
// primary key: NOT NULL, int32), so a row without a match carried NULL
// in a column said NOT NULL; scanned into a new value of its scan type
// (not a pointer to one) it failed.
func TestReview18cLeftJoinNullable(t *testing.T) {
	e := newR16Env(t, "review18c_leftjoin")
	for _, q := range []string{
		"SELECT a.id, b.id FROM r16 a LEFT JOIN r16b b ON a.g = b.id AND b.id > 2 ORDER BY a.id",
		"SELECT a.id, b.id FROM r16 a LEFT JOIN r16b b ON a.g = b.id AND b.id > 100",
		"SELECT a.id, b.id, b.cp FROM r16 a LEFT JOIN r16b b ON a.g = b.id",
		"SELECT a.id, b.id, b.cp, b.u FROM r16 a LEFT JOIN r16b b ON a.g = b.id ORDER BY a.id",
		"SELECT a.id, b.id FROM r16 a JOIN r16b b ON a.g = b.id ORDER BY a.id",
	} {
		for i, db := range []*sql.DB{e.oracle, e.sharded} {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			cts, err := rows.ColumnTypes()
			if err != nil {
				t.Fatal(err)
			}
			var nulls []bool
			for _, c := range cts {
				n, _ := c.Nullable()
				nulls = append(nulls, n)
			}
			n := 0
			for rows.Next() {
				vals := make([]any, len(cts))
				for j, c := range cts {
					vals[j] = reflect.New(c.ScanType()).Interface()
				}
				if err := rows.Scan(vals...); err != nil {
					t.Errorf("%s (db %d): %v", q, i, err)
					break
				}
				n++
			}
			_ = rows.Close()
			t.Logf("%s (db %d): %d rows, nullable %v", q, i, n, nulls)
		}
		_, wnull, _ := scanByType(e.oracle, q)
		_, gnull, _ := scanByType(e.sharded, q)
		for i := range wnull {
			if i < len(gnull) && wnull[i] && !gnull[i] {
				t.Errorf("%s: column %d is nullable on one database, NOT NULL through shardsql", q, i)
			}
		}
	}
}
