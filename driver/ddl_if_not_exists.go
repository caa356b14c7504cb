package driver

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"strings"

	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// Hazard (round 16's leftover, review17a): `ALTER TABLE t ADD COLUMN IF
// NOT EXISTS c …` answers with a note on a node table that has c, so
// after a DROP COLUMN c that applied on some node tables only, the ADD
// gave c its DEFAULT where it had been dropped and kept the old values
// where it had not, and succeeded: the definitions agree, so the check
// after IF [NOT] EXISTS (ddlIfExistsOutcome) saw nothing. One database
// has c everywhere (the note: old values in every row) or nowhere (the
// DEFAULT in every row), never both. So before such an ALTER runs, the
// node tables are asked which have c: where some have it and some not,
// those that have it must hold only its DEFAULT (an ADD of c left half
// done: completing it is exact), or the ALTER is refused before any node
// table runs it. The ADD COLUMN without IF NOT EXISTS keeps its own check
// after the fact (ddl_complete.go keptColumnValues).

// addIfNotExistsCheck refuses a sharded table's ALTER … ADD COLUMN IF NOT
// EXISTS whose column some node tables have, holding values other than
// its DEFAULT, and others lack.
func (c *Conn) addIfNotExistsCheck(ctx context.Context, p *route.Plan) error {
	if p.Kind != route.KindDDL || len(p.Units) < 2 {
		return nil
	}
	if len(p.AddIfNotExists) == 0 { // route/ddl_partial.go reads every spelling
		return nil
	}
	st, ok := c.c.topo.Table(p.Table)
	if !ok || len(st.Nodes) != len(p.Units) {
		return nil
	}
	for _, col := range p.AddIfNotExists {
		var have, lack []shard.Node
		for _, n := range st.Nodes {
			found, err := c.nodeRow(ctx, p, st.Name, n, "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "+quoteText(n.Table)+" AND COLUMN_NAME = "+quoteText(col))
			if err != nil {
				return err
			}
			if found {
				have = append(have, n)
			} else {
				lack = append(lack, n)
			}
		}
		if len(have) == 0 || len(lack) == 0 {
			continue // as one table: added everywhere, or a note everywhere
		}
		for _, n := range have {
			held, err := c.nodeRow(ctx, p, st.Name, n, notDefaultRow(n.Table, col))
			if err != nil || held {
				why := "holds values other than its DEFAULT"
				if err != nil {
					why = fmt.Sprintf("could not be compared with its DEFAULT (%v)", err)
				}
				return fmt.Errorf("%w: ADD COLUMN IF NOT EXISTS %s of sharded table %s, which node table %s has and %s lacks: the column on %s %s, so it may be left by a DROP COLUMN that failed there, and the ADD would keep those values beside the DEFAULT elsewhere (one database has the column everywhere or nowhere); run the DROP COLUMN again (or drop it where it is left), then this ALTER, in %q",
					ErrUnsupported, col, st.Name, n, lack[0], n, why, p.SQL)
			}
		}
	}
	return nil
}

// nodeRow reports whether q, run on node n of logical table logical,
// returns a row.
func (c *Conn) nodeRow(ctx context.Context, p *route.Plan, logical string, n shard.Node, q string) (bool, error) {
	sub := &route.Plan{SQL: p.SQL, Kind: route.KindOther, Table: logical,
		Units: []route.Unit{{DataSource: n.DataSource, Node: n, SQL: q}}}
	rows, err := c.query(ctx, sub)
	if err != nil {
		return false, err
	}
	dest := make([]driver.Value, len(rows.Columns()))
	err = rows.Next(dest)
	_ = rows.Close()
	switch {
	case err == nil:
		return true, nil
	case err == io.EOF:
		return false, nil
	}
	return false, err
}

// quoteText writes s as a SQL string literal.
func quoteText(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}
