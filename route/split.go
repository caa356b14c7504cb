package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Piece is one statement of a multi-statement string.
type Piece struct {
	// SQL is the statement's text, without its ';'.
	SQL string
	// NumArgs is how many ? placeholders it holds: the arguments it takes,
	// in order, from the string's arguments.
	NumArgs int
}

// Split cuts a string holding several statements separated by ';' (what
// go-sql-driver sends with multiStatements=true, e.g. a golang-migrate
// migration file) into its statements. It returns nil when sql holds one
// statement (or none), to be routed as it is.
//
// Hazard: a ';' inside a string literal, a comment or a quoted name is
// text, and cutting there would run half statements. The cut uses the
// parser's tokenizer, which reads strings (with both quote characters and
// backslash escapes), comments and backticks as the server does. Text that
// cannot be cut exactly is refused rather than cut: DELIMITER (a command
// of the mysql client, not SQL), compound statements (BEGIN … END bodies
// of procedures, triggers and events hold ';' the server reads inside the
// body) and text the tokenizer cannot read.
func (r *Router) Split(sql string) ([]Piece, error) {
	if strings.IndexByte(sql, ';') < 0 {
		return nil, nil
	}
	tok := r.parser.NewStringTokenizer(sql)
	var pieces []Piece
	start, args, tokens := 0, 0, 0
	compound := false
	flush := func(end int) {
		text := strings.TrimSpace(sql[start:end])
		if tokens > 0 && text != "" {
			pieces = append(pieces, Piece{SQL: text, NumArgs: args})
		}
	}
	for {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		switch {
		case typ == sqlparser.LEX_ERROR:
			if len(pieces) == 0 {
				return nil, nil // one statement, as far as can be told: the router says what is wrong
			}
			return nil, unsupported(sql, "multi-statement string whose statements cannot be told apart at position %d (send the statements one at a time)", tok.Pos)
		case typ == sqlparser.COMMENT:
			continue
		case typ == ';':
			flush(tok.Pos - 1)
			start, args, tokens = tok.Pos, 0, 0
			continue
		case typ == sqlparser.VALUE_ARG && tok.Pos > 0 && sql[tok.Pos-1] == '?':
			args++
		case tokens == 0 && strings.EqualFold(val, "delimiter"):
			return nil, unsupported(sql, "DELIMITER (a command of the mysql client, not SQL: send the statements one at a time)")
		case tokens > 0 && typ == sqlparser.BEGIN:
			compound = true
		}
		tokens++
	}
	flush(len(sql))
	if len(pieces) <= 1 {
		return nil, nil
	}
	if compound {
		return nil, unsupported(sql, "compound statement (BEGIN … END) in a multi-statement string (send it alone)")
	}
	return pieces, nil
}
