package route

// Transaction control the parser cannot read.
//
// The hazard (found by review18a): BEGIN, START TRANSACTION, COMMIT and
// ROLLBACK are refused when the parser reads them (router.go), but their
// other spellings — BEGIN WORK, COMMIT WORK, COMMIT AND CHAIN, ROLLBACK
// WORK, COMMIT/ROLLBACK … RELEASE — fail the parse, and a statement the
// parser cannot read that names no table went to the default data source
// alone. So, on one *sql.Conn, `BEGIN WORK; UPDATE t …; ROLLBACK WORK`
// opened a transaction on the default data source's session only: the
// other data sources' rows stayed updated after the ROLLBACK. Inside a
// db.BeginTx transaction `ROLLBACK WORK` rolled back the default data
// source's part alone and Commit committed the rest (half the
// transaction's writes kept); `COMMIT WORK` committed the one part before
// a later Rollback undid the others. LOCK TABLE (the singular spelling of
// LOCK TABLES, refused when parsed) likewise held its lock, and committed
// the transaction implicitly, on one data source. The design: the first
// words of such a statement are read with the parser's tokenizer, and
// transaction control, savepoint statements and table locks in any
// spelling the parser cannot read are refused like the ones it reads.

// txControlText reports what transaction control sql, which the parser
// cannot read, is ("" when none): BEGIN…, START TRANSACTION…, COMMIT…,
// ROLLBACK…, SAVEPOINT…, RELEASE…, LOCK… and UNLOCK….
func (r *Router) txControlText(sql string) string {
	return txControlWords(r.firstWords(sql, 2))
}

// txControlWords is txControlText of a statement's first words.
func txControlWords(words []string) string {
	if len(words) == 0 {
		return ""
	}
	switch words[0] {
	case "begin", "commit", "rollback", "savepoint", "release":
		return words[0]
	case "start":
		if len(words) == 2 && words[1] == "transaction" {
			return "start transaction"
		}
	case "lock", "unlock":
		return words[0]
	}
	return ""
}
