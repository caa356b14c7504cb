package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// The first words of a statement, as MariaDB runs it.
//
// Statements the parser cannot read (and comment-only text) are recognised
// by their first words: transaction control (tx_control_text.go), those
// that commit implicitly (implicit_commit_text.go), XA START, SET, GET
// DIAGNOSTICS. Hazard (review18d): the words were the tokenizer's, which
// differ from the statement MariaDB runs in two ways, and each let the old
// wrong answer back:
//   - /*M! … */ (and /*M!NNNNNN … */) is a plain comment to the tokenizer,
//     but MariaDB runs its content: `/*M! COMMIT */` parses as a comment
//     alone and went to the default data source, which committed its part
//     of the transaction (a later Rollback took back the others');
//     `/*M! ROLLBACK WORK */`, `/*M! BEGIN */`, `/*M! CREATE TABLE … */`,
//     `/*M! XA START … */` and `/*M! LOCK TABLES … */` likewise.
//   - MariaDB's SET STATEMENT var = value [, …] FOR statement runs its
//     statement with the settings: `SET STATEMENT max_statement_time = 0
//     FOR COMMIT` (or FOR ROLLBACK WORK, FOR BEGIN, FOR CREATE TABLE, FOR
//     CHECK TABLE, FOR LOCK TABLE) was read as a SET STATEMENT and passed
//     through to the default data source alone.
// So firstWords reads a /*M! comment's content as words (whatever its
// version: a statement the server would skip is then refused, never run
// wrongly), and skips SET STATEMENT … FOR to its statement's words.

// firstWords returns the first n words of the statement MariaDB runs for
// sql, lowercased: plain comments skipped, /*M! … */ comments' content
// read, SET STATEMENT … FOR skipped (fewer when the text ends first).
func (r *Router) firstWords(sql string, n int) []string {
	words := r.scanWords(sql, max(n, 2), 0) // two, to see SET STATEMENT
	if len(words) >= 2 && words[0] == "set" && words[1] == "statement" {
		if inner, ok := r.setStatementInner(sql); ok {
			return r.firstWords(inner, n)
		}
	}
	return words[:min(n, len(words))]
}

// scanWords is firstWords without the SET STATEMENT step; depth bounds the
// recursion into /*M! comments (one cannot nest another: the first */ ends
// it).
func (r *Router) scanWords(sql string, n, depth int) []string {
	tok := r.parser.NewStringTokenizer(sql)
	var words []string
	for len(words) < n {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		if typ == sqlparser.COMMENT {
			if depth == 0 && strings.HasPrefix(val, "/*M!") {
				words = append(words, r.scanWords(commentBody(val), n-len(words), depth+1)...)
			}
			continue
		}
		words = append(words, strings.ToLower(val))
	}
	return words
}

// setStatementInner returns the statement of MariaDB's SET STATEMENT
// assignments FOR statement: the text after the first FOR outside
// parentheses (false when there is none).
func (r *Router) setStatementInner(sql string) (string, bool) {
	tok := r.parser.NewStringTokenizer(sql)
	depth := 0
	for {
		typ, val := tok.Scan()
		switch {
		case typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR:
			return "", false
		case typ == '(':
			depth++
		case typ == ')':
			depth--
		case depth == 0 && strings.EqualFold(val, "for"):
			return sql[tok.Pos:], true
		}
	}
}

// mariaCommentStatement checks a statement the parser read whose first
// words MariaDB reads differently, because a /*M! … */ comment supplies
// them: `/*M! COMMIT */` parses as a comment alone, `/*M! CREATE TABLE w
// (a INT) */ SELECT 1` as a SELECT (MariaDB runs CREATE TABLE … SELECT,
// which commits). Transaction control and XA START so spelled are
// refused; one that commits implicitly is marked so (p.ImplicitCommit).
// A comment that leaves the first words alone changes nothing here.
func (r *Router) mariaCommentStatement(sql string, p *Plan) error {
	if !strings.Contains(sql, "/*M!") {
		return nil
	}
	maria, plain := r.firstWords(sql, 4), r.scanWords(sql, 4, 1)
	if tc := txControlWords(maria); tc != "" && tc != txControlWords(plain) ||
		len(maria) >= 2 && maria[0] == "xa" && (maria[1] == "start" || maria[1] == "begin") {
		return unsupported(sql, "transaction control, table locks or XA START in a /*M! … */ comment (MariaDB runs the comment's content, on the one data source the statement would reach): use db.BeginTx, tx.Commit and tx.Rollback, and SAVEPOINT name, ROLLBACK TO SAVEPOINT name, RELEASE SAVEPOINT name, written without the comment")
	}
	if r.executeImmediateOpaque(r.mariaText(sql)) {
		return unsupported(sql, "EXECUTE IMMEDIATE or PREPARE in a /*M! … */ comment of a text shardsql cannot read before the server runs it (it may name sharded, broadcast or node tables, which the default data source alone would answer): use the driver's statements")
	}
	if implicitCommitWords(maria) && !implicitCommitWords(plain) {
		p.ImplicitCommit = true
	}
	return nil
}

// isCall reports whether sql calls a stored procedure (CALL, also behind
// SET STATEMENT … FOR or in a /*M! … */ comment): Plan.MayCommit.
func (r *Router) isCall(sql string) bool {
	if !holdsASCIIFold(sql, "call") {
		return false // no CALL anywhere, in a comment or not: no tokenizer, no words
	}
	w := r.firstWords(sql, 1)
	return len(w) == 1 && w[0] == "call"
}

// mariaText is sql as MariaDB runs it, for the checks that read more than
// its first words: /*M! … */ comments replaced by their content, SET
// STATEMENT … FOR dropped. Hazard (review18d): `/*M! EXECUTE IMMEDIATE
// CONCAT('DELETE FROM t_ord', 'er_0') */`, `SET STATEMENT … FOR EXECUTE
// IMMEDIATE CONCAT(…)` and `/*M! PREPARE s FROM @q */` passed the check
// of an opaque statement text (prepare_text.go) and ran on the default
// data source, where the text may name a node table.
func (r *Router) mariaText(sql string) string {
	for _, c := range versionedComments(sql) {
		if strings.HasPrefix(c, "/*M!") {
			sql = strings.Replace(sql, c, " "+commentBody(c)+" ", 1)
		}
	}
	if w := r.scanWords(sql, 2, 1); len(w) == 2 && w[0] == "set" && w[1] == "statement" {
		if inner, ok := r.setStatementInner(sql); ok {
			return r.mariaText(inner)
		}
	}
	return sql
}

// holdsASCIIFold reports whether sql holds word, a lower-case ASCII
// word, in any case. It is the cheap test before a check that tokenizes
// or walks the statement (a CALL, a MIN or MAX): the parser reads
// keywords and function names in ASCII only, and no character outside
// ASCII folds to a letter other than k or s (strings.EqualFold's
// folding), so for words without them a byte comparison agrees with
// containsFold.
func holdsASCIIFold(sql, word string) bool {
	for i := 0; i+len(word) <= len(sql); i++ {
		j := 0
		for j < len(word) && sql[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}
