package driver

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shardsql/shardsql/route"
)

// sortMetaRows sorts the rows of an information_schema lookup again, once
// renamed and put together, by keys (see route.MetadataOrder). The sort is
// stable: rows tied on keys keep the order their server gave them.
// numeric reports whether a column holds numbers (the text protocol gives
// them as text, which must not compare as text).
func sortMetaRows(rows [][]driver.Value, keys []route.MetadataOrder, numeric func(int) bool) {
	sort.SliceStable(rows, func(a, b int) bool {
		for _, k := range keys {
			if k.Column >= len(rows[a]) {
				return false
			}
			c := compareMeta(rows[a][k.Column], rows[b][k.Column], k.Binary, numeric(k.Column))
			if c == 0 {
				continue
			}
			if k.Desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// compareMeta compares two values of an information_schema column as the
// server sorts them: NULL first, numbers by value, text by bytes when
// binary and otherwise without regard to ASCII case.
func compareMeta(a, b driver.Value, binary, numeric bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := metaNumber(a, numeric); ok {
		if y, ok := metaNumber(b, numeric); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	x, y := metaText(a), metaText(b)
	if !binary {
		x, y = bytes.ToLower(x), bytes.ToLower(y)
	}
	return bytes.Compare(x, y)
}

// metaNumber is a numeric value as a float64 (information_schema numbers
// are counts and positions, well inside its exact range).
func metaNumber(v driver.Value, numeric bool) (float64, bool) {
	switch v := v.(type) {
	case []byte:
		if numeric {
			f, err := strconv.ParseFloat(string(v), 64)
			return f, err == nil
		}
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	}
	return 0, false
}

// metaText is a value's text.
func metaText(v driver.Value) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	case time.Time:
		return []byte(v.Format(time.RFC3339Nano))
	case bool:
		return []byte(strconv.FormatBool(v))
	}
	return []byte(fmt.Sprint(v))
}

// numeric reports whether column i of the lookup's result has a numeric
// type.
func (m *metaRows) numeric(i int) bool {
	switch strings.TrimPrefix(m.ColumnTypeDatabaseTypeName(i), "UNSIGNED ") {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "DECIMAL", "FLOAT", "DOUBLE", "YEAR":
		return true
	}
	return false
}
