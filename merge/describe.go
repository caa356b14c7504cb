package merge

import (
	"strconv"
	"strings"
)

// colName prints a plan column reference: #n for column n of the rows,
// hidden#j for the j-th hidden column.
func colName(c int) string {
	if c >= hiddenBase {
		return "hidden#" + strconv.Itoa(c-hiddenBase)
	}
	return "#" + strconv.Itoa(c)
}

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
