package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Executable comments run or not by the server's version, and servers
// disagree: MariaDB 10.11 (checked in driver/routing_edges_test.go) runs
// /*!NNNNN … */ below 50700 but skips MySQL 5.7+ versions (50700–99999),
// runs /*!NNNNNN … */ (6 digits) and /*M!NNNNNN … */ by its own version and
// /*M! … */ always; MySQL runs /*!NNNNN by its version and ignores /*M!.
// Hazard: the SQL parser decides by its own version (8.0 here): it runs
// /*!80000 … */ where MariaDB skips it, reads /*!100500 as version 10050
// and a stray 0, and takes /*M! … */ for a plain comment that node SQL
// drops — so `DELETE FROM t_order /*M! WHERE user_id = 1 */` would have
// emptied every node while MariaDB deletes one user's rows. The server's
// version is not known when routing, so a statement with a versioned or
// MariaDB-only executable comment is refused when it touches a sharded or
// broadcast table (in its parsed form or in the comment's own text).
// /*! … */ without a version is read the same way by the parser and every
// server, and stays allowed; so do statements on other tables (mysqldump's
// /*!40101 SET … */ lines go to the server unchanged).

// versionedComments returns the versioned (/*!NNNNN …) and MariaDB-only
// (/*M! …) executable comments in sql, each up to its */ (or the end). It
// looks at the raw text, inside string literals too: a string that merely
// contains "/*M!" costs a refusal on a sharded table, never a wrong result.
func versionedComments(sql string) []string {
	var out []string
	for i := 0; i+3 < len(sql); i++ {
		if sql[i] != '/' || sql[i+1] != '*' {
			continue
		}
		rest := sql[i+2:]
		risky := strings.HasPrefix(rest, "M!") || // "/*m!" is a plain comment to MariaDB too
			(len(rest) > 1 && rest[0] == '!' && rest[1] >= '0' && rest[1] <= '9')
		if !risky {
			continue
		}
		end := strings.Index(rest, "*/")
		if end < 0 {
			out = append(out, sql[i:])
			break
		}
		out = append(out, sql[i:i+2+end+2])
		i += 2 + end + 1
	}
	return out
}

// commentBody is an executable comment's content: what follows /*!, /*M!
// and their version digits, up to */.
func commentBody(c string) string {
	c = strings.TrimSuffix(strings.TrimPrefix(c, "/*"), "*/")
	c = strings.TrimPrefix(c, "M")
	c = strings.TrimPrefix(c, "!")
	return strings.TrimLeft(c, "0123456789")
}

// checkComments refuses a statement with versioned or MariaDB-only
// executable comments that touches a sharded or broadcast table.
func (s *statement) checkComments(stmt sqlparser.Statement, p *sqlparser.Parser) error {
	if !strings.Contains(s.sql, "/*") {
		return nil
	}
	comments := versionedComments(s.sql)
	if len(comments) == 0 {
		return nil
	}
	if _, isSet := stmt.(*sqlparser.Set); !isSet {
		for _, c := range comments {
			if f := strings.Fields(commentBody(c)); len(f) > 0 && strings.EqualFold(f[0], "set") {
				// A SET the parser does not see (MariaDB's /*M! … */ is a
				// plain comment to it) would run on one data source only,
				// where a SET runs on every one: the session would differ
				// between data sources (found by the write attack suite:
				// /*M!100000 SET NAMES latin1 */ changed one data
				// source's character set, and text keys were stored
				// differently by node).
				return unsupported(s.sql, "executable comment %s holding SET (the server runs it by its own version, shardsql cannot tell whether: the session would differ between data sources); write the SET without the comment", shortComment(c))
			}
		}
	}
	table := ""
	if names := s.shardedNames(stmt); len(names) > 0 {
		table = names[0]
	} else if names := s.broadcastNames(stmt); len(names) > 0 {
		table = names[0]
	}
	for _, c := range comments {
		if table != "" {
			break
		}
		name, err := s.mentionsLogical(p, commentBody(c))
		if err != nil {
			return err
		}
		table = name
	}
	for _, c := range comments {
		if table != "" {
			break
		}
		// A node table's name in the comment (review18d: `SELECT 1
		// /*M! FROM t_order_0 */` read one node's rows on the default
		// data source, where one database has no such table).
		table = s.mentionsPhysical(commentBody(c))
	}
	if table == "" {
		return nil
	}
	return unsupported(s.sql, "executable comment %s in a statement on %s (the server runs its content by its own version, which shardsql cannot read the same way: write the statement without the comment, with the content written out if the server should run it)", shortComment(comments[0]), table)
}

// shortComment is c cut for an error message.
func shortComment(c string) string {
	if len(c) > 40 {
		return c[:40] + "…"
	}
	return c
}
