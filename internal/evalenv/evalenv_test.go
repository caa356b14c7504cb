package evalenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"
)

func TestColumnOffset(t *testing.T) {
	for _, n := range []int{0, 7, 123} {
		got, ok := Offset(Column(n))
		require.True(t, ok)
		assert.Equal(t, n, got)
	}
	for _, c := range []*sqlparser.ColName{
		sqlparser.NewColName("status"),
		sqlparser.NewColName(ColumnPrefix + "x"),
		sqlparser.NewColNameWithQualifier(ColumnPrefix+"1", sqlparser.NewTableName("t")),
	} {
		_, ok := Offset(c)
		assert.False(t, ok, sqlparser.String(c))
	}
}

func TestTranslate(t *testing.T) {
	parse := func(sql string) sqlparser.Expr {
		e, err := Env().Parser().ParseExpr(sql)
		require.NoError(t, err)
		return e
	}
	_, err := Translate(parse(ColumnPrefix + "0 > 1 and " + ColumnPrefix + "2 like 'a%'"))
	require.NoError(t, err)
	_, err = Translate(parse("status > 1"))
	require.Error(t, err, "a column that is not a placeholder is refused")
}
