package driver_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// TestTime22Reads runs reads over 300 rows per time table (a tenth of
// them within milliseconds of a node edge): deep pages both ways, GROUP
// BY DATE(k) with MIN/MAX, COUNT(DISTINCT), HAVING, UNIONs of time
// columns of different types, window functions, joins on time keys,
// row constructors, arithmetic on aggregates. Each must agree with the
// oracle or be refused.
func TestTime22Reads(t *testing.T) {
	e := newDMLEnvOf(t, "t22p3", nil, time22Tables)
	r := rand.New(rand.NewSource(7))
	base := time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC)
	var sts []dmlStmt
	add := func(q string) { sts = append(sts, dmlStmt{sql: q, session: true}) }
	addQ := func(q string, ordered bool) {
		sts = append(sts, dmlStmt{sql: q, session: true, query: true, ordered: ordered})
	}
	for _, tb := range []string{"t22_dt3", "t22_date", "t22_ts", "t22_dt"} {
		var vals []string
		for i := 0; i < 300; i++ {
			d := time.Duration(r.Int63n(int64(72 * time.Hour)))
			if i%10 == 0 {
				d = 48*time.Hour - time.Duration(r.Intn(3))*time.Millisecond
			}
			v := base.Add(d).Format("2006-01-02 15:04:05.000")
			vals = append(vals, fmt.Sprintf("('%s', %d, %d)", v, i, r.Intn(5)))
		}
		add(fmt.Sprintf("INSERT INTO %s (k, id, n) VALUES %s", tb, strings.Join(vals, ", ")))
	}
	for _, tb := range []string{"t22_dt3", "t22_date", "t22_ts", "t22_dt"} {
		for _, q := range []string{
			"SELECT k, id FROM %s ORDER BY k, id LIMIT 150, 7",
			"SELECT k, id FROM %s ORDER BY k DESC, id DESC LIMIT 200, 7",
			"SELECT k, id FROM %s WHERE k >= '2026-01-31 12:00' ORDER BY k, id LIMIT 100, 5",
			"SELECT DATE(k), COUNT(*), SUM(n), MIN(k), MAX(k) FROM %s GROUP BY DATE(k) ORDER BY 1",
			"SELECT MIN(k), MAX(k), COUNT(DISTINCT DATE(k)), COUNT(DISTINCT k) FROM %s",
			"SELECT k, COUNT(*) FROM %s GROUP BY k HAVING COUNT(*) > 1 ORDER BY k",
			"SELECT HOUR(k) h, COUNT(*) FROM %s GROUP BY h ORDER BY h",
			"SELECT k FROM %s WHERE id < 20 UNION SELECT k FROM t22_date WHERE id < 20 ORDER BY 1 LIMIT 10",
			"SELECT k FROM %s WHERE id < 20 UNION ALL SELECT k FROM t22_dt WHERE id < 20 ORDER BY 1 LIMIT 10",
			"SELECT k, id, ROW_NUMBER() OVER (PARTITION BY DATE(k) ORDER BY k, id) rn FROM %s ORDER BY k, id LIMIT 20",
			"SELECT DISTINCT DATE(k) FROM %s ORDER BY 1",
			"SELECT k + INTERVAL 1 DAY x, id FROM %s ORDER BY x, id LIMIT 5",
			"SELECT a.k, a.id FROM %s a JOIN t22_dt3 b ON a.k = b.k AND a.id = b.id ORDER BY a.k, a.id LIMIT 10",
			"SELECT DATE_FORMAT(k, '%%Y-%%m') m, COUNT(*) FROM %s GROUP BY m ORDER BY m",
			"SELECT k, id FROM %s ORDER BY DATE(k) DESC, id LIMIT 250, 5",
			"SELECT CAST(k AS DATE) d, MAX(id) FROM %s GROUP BY d ORDER BY d DESC LIMIT 2",
			"SELECT GREATEST(k, '2026-01-31'), id FROM %s ORDER BY 1, 2 LIMIT 5",
			"SELECT COALESCE(k, 0), id FROM %s ORDER BY 1, 2 LIMIT 5",
			"SELECT IF(id > 5, k, NULL) x, id FROM %s ORDER BY x, id LIMIT 5",
			"SELECT k, id FROM %s WHERE k IN (SELECT k FROM t22_dt3 WHERE id < 10) ORDER BY k, id",
			"SELECT k, id FROM %s WHERE (k, id) IN (('2026-02-01', 1), ('20260131', 2)) ORDER BY k, id",
			"SELECT SUM(k), AVG(k) FROM %s",
			"SELECT MAX(k) - INTERVAL 1 SECOND FROM %s",
			"SELECT MIN(k) + 0, MAX(k) + 0 FROM %s",
			"SELECT k + 0 x, id FROM %s ORDER BY x DESC, id LIMIT 3",
			"SELECT TIMESTAMPDIFF(SECOND, MIN(k), MAX(k)) FROM %s",
			"SELECT DATE(k), GROUP_CONCAT(id ORDER BY id SEPARATOR ',') FROM %s WHERE id < 30 GROUP BY DATE(k)",
		} {
			q := fmt.Sprintf(q, tb)
			addQ(q, true)
		}
	}
	time22Run(t, e, "reads", sts)
}
