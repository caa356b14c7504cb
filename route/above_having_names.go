package route

import (
	"strings"
)

// groupKeyNamed is the row column of the GROUP BY column named name
// (whatever its table), or -1.
//
// Hazard (review19g): HAVING n beside a select alias n over a join whose
// tables both have a column n (`SELECT x.n AS kk, COUNT(*) AS n … GROUP
// BY x.n HAVING n > 3`). MariaDB resolves a HAVING name in the GROUP BY
// list first, by name (find_field_in_group_list): n is the grouped x.n,
// although n alone is ambiguous in FROM. The join's resolver cannot name
// it, so the planner fell back to the alias and compared the count. Two
// GROUP BY columns of that name (x.n and y.n) MariaDB rejects as
// ambiguous (1052): refused.
func (a *above) groupKeyNamed(name string) (int, error) {
	if !a.grouped {
		return -1, nil
	}
	found := -1
	for _, c := range a.in.cols {
		if !strings.EqualFold(c.name, name) || !a.isKey(c.at) {
			continue
		}
		if found >= 0 && found != c.at {
			return -1, unsupported(a.s.sql, "HAVING %s names two GROUP BY columns, as MySQL's error 1052 says (qualify it with its table)", name)
		}
		found = c.at
	}
	return found, nil
}
