package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (review20b): the parser reads `DROP INDEX i ON t ALGORITHM=INPLACE`
// and `… LOCK=NONE` into the ALTER TABLE it stands for, and a sharded
// table's node statements are printed from the parse: `alter table t_0
// drop key i, lock none`, which MariaDB runs. MariaDB's own DROP INDEX
// takes no ALGORITHM or LOCK (10.11 fails with 1064), so one database
// failed the migration where shardsql dropped the index on every node
// table. Refused, naming the ALTER TABLE that takes them.

// checkDropIndexOptions refuses a DROP INDEX statement on a sharded table
// that carries ALGORITHM or LOCK options.
func (s *statement) checkDropIndexOptions(alter *sqlparser.AlterTable) error {
	words := s.router.firstWords(s.sql, 2)
	if len(words) < 2 || words[0] != "drop" || words[1] != "index" {
		return nil
	}
	for _, o := range alter.AlterOptions {
		switch o.(type) {
		case sqlparser.AlgorithmValue, *sqlparser.LockOption:
			return unsupported(s.sql, "ALGORITHM or LOCK in DROP INDEX, which MariaDB's DROP INDEX does not take (one database fails it): write ALTER TABLE %s DROP INDEX …, ALGORITHM = …, LOCK = …", fullName(alter.Table))
		}
	}
	return nil
}
