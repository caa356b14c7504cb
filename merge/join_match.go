package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
	"sort"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/coltype"
	"github.com/shardsql/shardsql/internal/evalenv"
)

// JoinKind says which rows a join returns.
type JoinKind uint8

const (
	// JoinInner returns the outer and inner row of every matching pair.
	JoinInner JoinKind = iota
	// JoinLeft returns the matching pairs, and each outer row without a
	// match once, with NULL inner columns.
	JoinLeft
	// JoinSemi returns each outer row that has a match, once, with the
	// outer columns only (EXISTS, IN).
	JoinSemi
	// JoinAnti returns each outer row without a match, with the outer
	// columns only (NOT EXISTS).
	JoinAnti
)

var joinKindNames = [...]string{"inner", "left", "semi", "anti"}

// JoinKeys are the columns a join matches on: one equality of an outer
// column with an inner column, compared with MySQL's rules (integers as
// integers, decimals exactly, text by the collation the nodes report).
// OuterKey is a column of the outer rows, InnerKey of the inner rows (plan
// references: HiddenCol counts).
//
// None joins without a key: every inner row is a candidate of every outer
// row and the join's On condition alone decides (a join whose ON has no
// equality of the two sides, `ON o.amount > l.qty`, or a cross join
// without any condition). Only HashJoin takes it: the lookups of a
// NestedLoopJoin need a key.
type JoinKeys struct {
	OuterKey, InnerKey int
	None               bool
}

// joinCore is what both join operators share once their sides are open:
// how keys compare, the extra ON condition, and the emission of rows.
type joinCore struct {
	what       string // the operator, for messages
	kind       JoinKind
	oKey, iKey int
	okind      coltype.Kind
	ocoll      *textColl
	icoll      *textColl
	cmp        cmpKey // compares keys: the inner key's kind and collation
	owidth     int
	iwidth     int
	on         *evaluator // nil: the keys decide
	maxRows    int
	maxBytes   int64 // the byte cap of the rows build holds (0: DefaultMaxBytes)
	// keyless: no key (JoinKeys.None); every inner row is a candidate.
	keyless bool
	// collFrom are the inner columns holding a text column's collation
	// name, and collNames the names seen there (or given by the router).
	// A row NULL-extended by a LEFT JOIN carries them: otherwise the
	// operators above would learn no collation from such a row, and a
	// Filter compiled on it would compare the column's text by bytes
	// (koln <> Köln in utf8mb4_general_ci).
	collFrom  []int
	collNames map[int][]byte
}

// newJoinCore checks that the key columns compare exactly: the same kind
// of integer, decimal or text on both sides. Other pairs are refused:
// MySQL compares an integer with a string as doubles, dates with strings
// as dates, and an in-memory comparison of such pairs would need all of
// MySQL's conversions.
func newJoinCore(what string, kind JoinKind, keys JoinKeys, outer, inner *columns, on sqlparser.Expr, maxRows int, collations map[int]string) (*joinCore, error) {
	if keys.None {
		return newKeylessCore(what, kind, outer, inner, on, maxRows, collations), nil
	}
	ok, err := outer.at(At(keys.OuterKey))
	if err != nil {
		return nil, err
	}
	ik, err := inner.at(At(keys.InnerKey))
	if err != nil {
		return nil, err
	}
	c := &joinCore{what: what, kind: kind, oKey: ok, iKey: ik, okind: outer.kinds[ok], ocoll: outer.colls[ok], icoll: inner.colls[ik],
		owidth: len(outer.types), iwidth: len(inner.types), maxRows: maxRows}
	ikind := inner.kinds[ik]
	if mixedSigns(c.okind, ikind) {
		// INT = INT UNSIGNED: MySQL compares integers of either sign
		// exactly (a negative value equals no unsigned one, an unsigned
		// value above 2⁶³−1 no signed one). Both sides' keys are decoded as
		// decimal digits, which compare exactly across the two ranges;
		// comparing the raw int64/uint64 fields would need one kind.
		c.okind, ikind = coltype.Decimal, coltype.Decimal
	}
	switch {
	case c.okind != ikind:
		return nil, fmt.Errorf("%w: %s on a %s column = a %s column (MySQL would convert the values; join columns of the same kind: integers, decimals or text, or CAST one side in the statement)", ErrUnsupported, what, outer.types[ok], inner.types[ik])
	case c.okind != coltype.Int && c.okind != coltype.Uint && c.okind != coltype.Decimal && c.okind != coltype.Text:
		return nil, fmt.Errorf("%w: %s on %s columns (only integer, decimal and text join keys compare exactly above the nodes: join on such columns, or CAST both sides to one of those types)", ErrUnsupported, what, outer.types[ok])
	case c.okind == coltype.Text && (c.ocoll == nil) != (c.icoll == nil):
		return nil, fmt.Errorf("%w: %s on text columns whose collation the nodes do not report (join the rows in the application, or route the statement to one node with conditions on the sharding columns)", ErrUnsupported, what)
	}
	c.cmp = cmpKey{col: ik, kind: ikind, coll: c.icoll}
	c.finish(outer, inner, on, collations)
	return c, nil
}

// newKeylessCore is the core of a join without a key (JoinKeys.None).
func newKeylessCore(what string, kind JoinKind, outer, inner *columns, on sqlparser.Expr, maxRows int, collations map[int]string) *joinCore {
	c := &joinCore{what: what, kind: kind, keyless: true, owidth: len(outer.types), iwidth: len(inner.types), maxRows: maxRows}
	c.finish(outer, inner, on, collations)
	return c
}

// finish sets what keyed and keyless cores share: the collation columns
// a NULL-extended row carries and the ON condition.
func (c *joinCore) finish(outer, inner *columns, on sqlparser.Expr, collations map[int]string) {
	c.collNames = make(map[int][]byte)
	for _, tc := range inner.colls {
		if tc != nil && tc.from >= 0 {
			c.collFrom = append(c.collFrom, tc.from)
			if name, ok := collations[tc.from]; ok {
				c.collNames[tc.from] = []byte(name)
			}
		}
	}
	if on != nil {
		all := joinedColumns(outer, inner)
		c.on = &evaluator{what: "join condition", cond: on, types: all.sql, scales: all.scales, colls: all.colls}
	}
}

// outerKey decodes an outer row's key, checking that its collation is the
// inner key's once both are known.
func (c *joinCore) outerKey(row []driver.Value, k *key) error {
	if c.keyless {
		return nil
	}
	if c.ocoll != nil && !c.ocoll.learned {
		if err := c.ocoll.learn(row); err != nil {
			return err
		}
	}
	if err := decode(c.okind, row[c.oKey], k); err != nil {
		return err
	}
	return c.sameCollation()
}

// sameCollation refuses text keys of different collations: MySQL refuses
// to compare them ("Illegal mix of collations") or converts one side.
func (c *joinCore) sameCollation() error {
	if c.okind != coltype.Text || c.ocoll == nil || c.icoll == nil || !c.ocoll.learned || !c.icoll.learned || c.ocoll.id == c.icoll.id {
		return nil
	}
	return fmt.Errorf("%w: %s on text columns of different collations (%s and %s; COLLATE one side explicitly)", ErrUnsupported, c.what,
		collationEnv.LookupName(c.ocoll.id), collationEnv.LookupName(c.icoll.id))
}

// joinIndex is the inner rows of a join (a batch's, or the whole build
// side) sorted by key, rows with a NULL key left out: they match nothing.
type joinIndex struct {
	rows [][]driver.Value
	keys []key
	// all: a keyless join's rows, unsorted; every row is a candidate.
	all bool
}

// build reads every row of cur into an index, failing beyond c.maxRows.
func (c *joinCore) build(cur Cursor, width int, tooMany func() error) (*joinIndex, error) {
	ix := &joinIndex{}
	n := 0
	bytes := byteCount{max: c.maxBytes}
	for {
		row := make([]driver.Value, width)
		if err := cur.Next(row); err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		if n++; n > c.maxRows {
			return nil, tooMany()
		}
		if err := bytes.add(row, c.what+"'s inner rows"); err != nil {
			return nil, err
		}
		for _, from := range c.collFrom {
			if _, ok := c.collNames[from]; !ok {
				if b, ok := row[from].([]byte); ok {
					c.collNames[from] = append([]byte(nil), b...)
				} else if s, ok := row[from].(string); ok {
					c.collNames[from] = []byte(s)
				}
			}
		}
		if c.icoll != nil && !c.icoll.learned {
			if err := c.icoll.learn(row); err != nil {
				return nil, err
			}
		}
		if c.keyless {
			for i, v := range row {
				row[i] = copyValue(v)
			}
			ix.rows = append(ix.rows, row)
			continue
		}
		var k key
		if err := decode(c.cmp.kind, row[c.iKey], &k); err != nil {
			return nil, err
		}
		if k.null {
			continue
		}
		for i, v := range row {
			row[i] = copyValue(v)
		}
		if k.b != nil {
			k.b = append([]byte(nil), k.b...)
		}
		ix.rows = append(ix.rows, row)
		ix.keys = append(ix.keys, k)
	}
	if err := c.sameCollation(); err != nil {
		return nil, err
	}
	if c.keyless {
		ix.all = true
		return ix, nil
	}
	sort.Sort(&indexSorter{ix: ix, cmp: &c.cmp})
	return ix, nil
}

type indexSorter struct {
	ix  *joinIndex
	cmp *cmpKey
}

func (s *indexSorter) Len() int           { return len(s.ix.rows) }
func (s *indexSorter) Less(i, j int) bool { return s.cmp.compare(&s.ix.keys[i], &s.ix.keys[j]) < 0 }
func (s *indexSorter) Swap(i, j int) {
	s.ix.rows[i], s.ix.rows[j] = s.ix.rows[j], s.ix.rows[i]
	s.ix.keys[i], s.ix.keys[j] = s.ix.keys[j], s.ix.keys[i]
}

// find returns the range of rows whose key equals k.
func (ix *joinIndex) find(cmp *cmpKey, k *key) (int, int) {
	if ix.all {
		return 0, len(ix.rows)
	}
	if k.null {
		return 0, 0
	}
	lo := sort.Search(len(ix.keys), func(i int) bool { return cmp.compare(&ix.keys[i], k) >= 0 })
	hi := lo
	for hi < len(ix.keys) && cmp.compare(&ix.keys[hi], k) == 0 {
		hi++
	}
	return lo, hi
}

// prober walks one outer row's candidate inner rows and emits the join's
// rows for it.
type prober struct {
	c       *joinCore
	ix      *joinIndex
	outer   []driver.Value // the current outer row; nil: none
	lo, hi  int
	matched bool
	scratch []driver.Value
}

// start sets the outer row to probe.
func (p *prober) start(ix *joinIndex, outer []driver.Value) error {
	var k key
	if err := p.c.outerKey(outer, &k); err != nil {
		return err
	}
	p.ix, p.outer, p.matched = ix, outer, false
	p.lo, p.hi = ix.find(&p.c.cmp, &k)
	return nil
}

// next writes the current outer row's next output row into dest; false
// when the outer row has no more.
func (p *prober) next(dest []driver.Value) (bool, error) {
	c := p.c
	if p.outer == nil {
		return false, nil
	}
	for p.lo < p.hi {
		inner := p.ix.rows[p.lo]
		p.lo++
		ok, err := p.accept(inner)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		p.matched = true
		switch c.kind {
		case JoinInner, JoinLeft:
			copy(dest, p.outer)
			copy(dest[c.owidth:], inner)
			return true, nil
		case JoinSemi:
			p.lo = p.hi
			copy(dest, p.outer)
			p.outer = nil
			return true, nil
		case JoinAnti:
			p.outer = nil
			return false, nil
		}
	}
	out := p.outer
	p.outer = nil
	switch {
	case c.kind == JoinLeft && !p.matched:
		copy(dest, out)
		for i := c.owidth; i < c.owidth+c.iwidth; i++ {
			dest[i] = nil
		}
		for from, name := range c.collNames {
			dest[c.owidth+from] = name
		}
		return true, nil
	case c.kind == JoinAnti && !p.matched:
		copy(dest, out)
		return true, nil
	}
	return false, nil
}

// accept evaluates the ON condition over the pair (true without one).
func (p *prober) accept(inner []driver.Value) (bool, error) {
	if p.c.on == nil {
		return true, nil
	}
	if p.scratch == nil {
		p.scratch = make([]driver.Value, p.c.owidth+p.c.iwidth)
	}
	copy(p.scratch, p.outer)
	copy(p.scratch[p.c.owidth:], inner)
	res, err := p.c.on.eval(p.scratch)
	if err != nil {
		return false, err
	}
	return res.ToBoolean(), nil
}

// joinedColumns are the columns of a join's rows: the outer row's, then
// the inner row's (their collation columns moved along).
func joinedColumns(outer, inner *columns) *columns {
	w := len(outer.types)
	out := &columns{first: w + len(inner.types), assembled: true}
	out.types = append(append([]string(nil), outer.types...), inner.types...)
	out.scales = append(append([]int64(nil), outer.scales...), inner.scales...)
	out.kinds = append(append([]coltype.Kind(nil), outer.kinds...), inner.kinds...)
	out.sql = append(append(out.sql, outer.sql...), inner.sql...)
	out.colNames = append(append([]string(nil), outerNames(outer)...), outerNames(inner)...)
	out.meta = append(append([]any(nil), outerMeta(outer)...), outerMeta(inner)...)
	for i, m := range outer.merged {
		if out.merged == nil {
			out.merged = make(map[int]ColumnType)
		}
		out.merged[i] = m
	}
	for i, m := range inner.merged {
		if out.merged == nil {
			out.merged = make(map[int]ColumnType)
		}
		out.merged[w+i] = m
	}
	out.colls = make([]*textColl, 0, len(out.types))
	for _, tc := range outer.colls {
		if tc != nil {
			tc = &textColl{from: tc.from}
		}
		out.colls = append(out.colls, tc)
	}
	for _, tc := range inner.colls {
		if tc != nil {
			from := tc.from
			if from >= 0 {
				from += w
			}
			tc = &textColl{from: from}
		}
		out.colls = append(out.colls, tc)
	}
	return out
}

// nullExtended marks the columns of a LEFT JOIN's inner side, from
// column from on, as NULL-able: their node columns may be NOT NULL (a
// primary key), and a row without a match carries NULL in them.
//
// Hazard (review18c): the result's metadata was the inner node column's,
// so `SELECT a.id, b.id FROM a LEFT JOIN b …` evaluated above the nodes
// said b.id was NOT NULL with scan type int32 where one database says
// NULL-able (sql.NullInt64): a program scanning into a new value of the
// scan type met "converting NULL to int32 is unsupported".
func nullExtended(c *columns, from int) {
	if c.merged == nil {
		c.merged = make(map[int]ColumnType)
	}
	for i := from; i < len(c.types); i++ {
		m := c.merged[i]
		m.NotNull, m.Nullable = false, true
		c.merged[i] = m
	}
}

func outerNames(c *columns) []string {
	if c.colNames == nil {
		return make([]string, len(c.types))
	}
	return c.colNames
}

func outerMeta(c *columns) []any {
	if c.meta == nil {
		return make([]any, len(c.types))
	}
	return c.meta
}

// joinDescription prints a join's kind and keys.
func joinDescription(kind JoinKind, keys JoinKeys, on sqlparser.Expr) string {
	if keys.None {
		if on == nil {
			return fmt.Sprintf("%s, every pair (no condition)", joinKindNames[kind])
		}
		return fmt.Sprintf("%s, every pair, on %s", joinKindNames[kind], describeExpr(on))
	}
	s := fmt.Sprintf("%s on outer %s = inner %s", joinKindNames[kind], colName(At(keys.OuterKey)), colName(At(keys.InnerKey)))
	if on != nil {
		s += " and " + describeExpr(on)
	}
	return s
}

// describeExpr prints an expression written with evalenv.Column placeholders.
func describeExpr(e sqlparser.Expr) string {
	return strings.ReplaceAll(sqlparser.String(e), evalenv.ColumnPrefix, "#")
}

// mixedSigns reports whether a and b are a signed and an unsigned integer
// kind, which a join compares as decimal digits (newJoinCore).
func mixedSigns(a, b coltype.Kind) bool {
	return (a == coltype.Int && b == coltype.Uint) || (a == coltype.Uint && b == coltype.Int)
}
