package route

import (
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"
)

// planLimit moves LIMIT to the merge. When rows are not folded each node
// gets LIMIT offset+count and the merge skips offset; folded rows (groups,
// DISTINCT) need every node row, so the nodes get no LIMIT.
func (m *scatter) planLimit() error {
	l := m.sel.Limit
	if l == nil {
		return nil
	}
	count, err := m.limitValue(l.Rowcount)
	if err != nil {
		return err
	}
	var offset int64
	if l.Offset != nil {
		if offset, err = m.limitValue(l.Offset); err != nil {
			return err
		}
	}
	m.spec.Offset, m.spec.Limit, m.spec.Limited = offset, count, true
	if m.spec.Group != nil {
		m.node.Limit = nil
		return nil
	}
	m.node.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(offset+count, 10))}
	return nil
}

func (m *scatter) limitValue(e sqlparser.Expr) (int64, error) {
	v, ok := m.s.value(e)
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64:
		n = int64(x)
	case string:
		n, ok = parseInt(x)
	case []byte:
		n, ok = parseInt(string(x))
	default:
		ok = false
	}
	if !ok || n < 0 {
		return 0, unsupported(m.s.sql, "LIMIT value %s (use a non-negative integer literal or ? argument)", sqlparser.String(e))
	}
	return n, nil
}

func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
