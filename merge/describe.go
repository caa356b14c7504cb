package merge

import "strings"

// colName prints a plan column reference: #n for column n of the rows,
// hidden#j for the j-th hidden column.
func colName(c Col) string { return c.String() }

// keyList prints sort keys: "#0 desc, hidden#1".
func keyList(keys []SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = colName(k.Col)
		if k.Desc {
			parts[i] += " desc"
		}
	}
	return strings.Join(parts, ", ")
}
