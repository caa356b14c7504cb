package merge

import (
	"database/sql/driver"
)

// cmpKey is a SortKey resolved against the column types.
type cmpKey struct {
	col  int // the column compared: the value, or its weight string
	kind Kind
	desc bool
}

// resolve picks, for each key, the column and kind to compare: weight
// strings for text when the node sent them, the value otherwise.
func resolve(keys []SortKey, kinds []Kind) []cmpKey {
	out := make([]cmpKey, len(keys))
	for i, k := range keys {
		c := cmpKey{col: k.Col, kind: kinds[k.Col], desc: k.Desc}
		if c.kind == KindText && k.Weight >= 0 {
			c.col, c.kind = k.Weight, KindBytes
		}
		out[i] = c
	}
	return out
}

// decodeKeys decodes row's key columns into dst.
func decodeKeys(keys []cmpKey, row []driver.Value, dst []key) error {
	for i, k := range keys {
		if err := decode(k.kind, row[k.col], &dst[i]); err != nil {
			return err
		}
	}
	return nil
}

// compareKeys compares two decoded rows by keys.
func compareKeys(keys []cmpKey, a, b []key) int {
	for i, k := range keys {
		c := compare(k.kind, &a[i], &b[i])
		if c != 0 {
			if k.desc {
				return -c
			}
			return c
		}
	}
	return 0
}
