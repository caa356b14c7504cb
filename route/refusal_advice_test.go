package route

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The project's standard (docs/architecture.md, "exact or refused"): a
// refusal names the construct AND says what to do instead. A refusal that
// names the construct only leaves the user guessing which form shardsql
// accepts; TestRefusalsSayWhatToDo reads the non-test Go sources of route,
// driver and merge with go/ast and checks the format literal of every call
// that builds an unsupported error:
//
//   - unsupported(sql, format, …) (route/errors.go);
//   - fmt.Errorf(format, …) with ErrUnsupported (route., merge., or bare)
//     among its arguments (driver's and merge's refusals);
//   - x.refuse(format, …) (join_cross.go's crossRefusal, whose reason
//     join_above.go passes through as "%s");
//   - fail(…, format, …) closures that wrap their format into a refusal
//     (route/above_plan.go, merge/evaluate_*.go).
//
// The rule (hasAdvice): after the construct part, that is after the first
// "(", ":", ";" or "—" past the "%w: " prefix, the literal holds an
// imperative verb of adviceVerbs, in lower case, at the start of a clause —
// right after "(", ":", ";", ",", "—", "or", "then", "instead" or "so"
// ("(select it too, or order by …)", "…: run it with Exec") — or the SQL
// to write, CAST, COLLATE or SET, right after "(", ":" or ";". "and" and
// "to" do not start advice ("… and join", "to move" describe). A format
// that is only "%s" (or not a literal) passes text built elsewhere
// through; it must be in dynamicRefusals with where that text is checked.
// ADVICE_DUMP=1 logs the clauses each refusal matched, to review the rule.

// adviceVerbs are the imperative verbs a refusal's advice starts with.
var adviceVerbs = []string{
	"use", "write", "route", "run", "select", "pass", "compute", "cast", "give",
	"set", "split", "send", "rename", "add", "drop", "move", "read", "call",
	"name", "remove", "put", "keep", "spell", "partition", "seed", "order",
	"group", "shard", "declare", "create", "alter", "insert", "update",
	"delete", "list", "load", "leave", "omit", "make", "commit", "start",
	"open", "ask", "turn", "convert", "compare", "join", "qualify", "quote",
	"replace", "store", "filter", "apply", "choose", "collate", "define", "do",
	"execute", "fetch", "issue", "lock", "query", "register", "repeat",
	"restart", "retry", "sort", "state", "take", "wrap", "bind", "count",
	"configure", "connect", "change", "check", "enable", "disable", "limit",
	"match", "prefix", "reach", "reconnect", "unset", "upgrade", "test", "wait",
	"aggregate", "close", "drain", "reorder", "restrict", "format", "truncate",
	"rewrite", "enumerate", "express", "cover", "avoid", "pick", "sum",
	"divide", "multiply", "subtract", "assign", "refer", "look", "tell",
	"compile", "append", "prepend", "recreate", "re-run", "rerun", "alias",
	"return", "save", "correlate", "include", "concatenate", "bring", "request",
}

// adviceRule matches an imperative verb, in lower case, at the start of a
// clause; sqlAdviceRule a clause that starts with the SQL to write (CAST,
// COLLATE or SET …) right after "(", ":" or ";".
var (
	adviceRule    = regexp.MustCompile(`(?:\(\s*|[:;,—]\s+|\b(?:or|then|instead|so|please)\s+)(?:` + strings.Join(adviceVerbs, "|") + `)\b`)
	sqlAdviceRule = regexp.MustCompile(`(?:\(\s*|[:;]\s+)(?:CAST|COLLATE|SET) `)
)

// dynamicRefusals are the calls whose format is only "%s" (or not a
// literal): file, the text passed, and where that text is checked.
var dynamicRefusals = map[string]string{
	"route/tables.go r.unknown":                "resolved.unknown is set in names.go; checked by the unknown: rule below",
	"route/ddl.go r.unknown":                   "resolved.unknown: names.go, the unknown: rule below",
	"route/ddl_column_references.go r.unknown": "resolved.unknown: names.go, the unknown: rule below",
	"route/metadata_select.go r.unknown":       "resolved.unknown: names.go, the unknown: rule below",
	"route/router.go r.unknown":                "resolved.unknown: names.go, the unknown: rule below",
	"route/router.go ps.callSpelling":          "call_spellings.go's returned text, the callSpelling rule below",
	"route/join_above.go cr.reason":            "crossRefusal.reason, built by crossJoin.refuse, whose formats are checked",
	"route/ddl_index_if.go what":               "the refusal of the statement without IF [NOT] EXISTS, requoted: already checked",
	"route/above_plan.go format":               "the fail closure of above.rewrite, whose callers' formats are checked",
	"route/join_cross.go bad":                  "set to literals just above it in the ON check, checked by the bad = rule below",
}

// wrapperFormats are the literal formats that only wrap a refusal built
// by a checked call: file, literal, and why.
var wrapperFormats = map[string]string{
	`route/errors.go "%w: %s in %q"`:                              "unsupported itself: its callers' formats are checked",
	`route/join_cross.go "%s; not evaluated above the nodes: %s"`: "the node refusal (checked) and a crossJoin.refuse reason (checked)",
	`merge/evaluate_kinds.go "%w: %s %s above merged rows: %s"`:   "the fail closure: its callers' formats are checked",
	`merge/evaluate_mariadb.go "%w: %s %s above merged rows: %s"`: "the fail closure: its callers' formats are checked",
}

// refusalSite is one refusal literal found in the sources.
type refusalSite struct {
	pos  token.Position
	text string
}

func TestRefusalsSayWhatToDo(t *testing.T) {
	fset := token.NewFileSet()
	var sites []refusalSite
	var bad []string
	seenDynamic := map[string]bool{}
	type source struct {
		rel string
		f   *ast.File
	}
	var sources []source
	for _, dir := range []string{".", "../driver", "../merge"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			sources = append(sources, source{filepath.Base(filepath.Dir(mustAbs(t, name))) + "/" + filepath.Base(name), f})
		}
	}
	// Package-level string constants (foreignKeyAdvice, …) read as their
	// text, and the *Advice functions, whose returned texts are the advice
	// of the refusals that pass them as "(%s)": each returned text must
	// start with or hold advice itself.
	for _, src := range sources {
		for _, d := range src.f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if text, ok := literalText(vs.Values[i]); ok {
								constTexts[n.Name] = text
							}
						}
					}
				}
			case *ast.FuncDecl:
				if !strings.HasSuffix(d.Name.Name, "Advice") || d.Body == nil {
					continue
				}
				adviceFuncs[d.Name.Name] = true
				ast.Inspect(d.Body, func(m ast.Node) bool {
					if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
						if text, ok := literalText(r.Results[0]); ok && text != "" && !hasAdvice("("+text) {
							bad = append(bad, fset.Position(r.Pos()).String()+": "+d.Name.Name+" returns "+strconv.Quote(text)+" without advice")
						}
					}
					return true
				})
			}
		}
	}
	for _, src := range sources {
		rel, f := src.rel, src.f
		{
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					format, ok := refusalFormat(n)
					if !ok {
						return true
					}
					text, literal := literalText(format)
					if !literal || strings.TrimSpace(strings.ReplaceAll(text, "%w:", "")) == "%s" {
						key := rel + " " + exprText(fset, format, n)
						if _, ok := dynamicRefusals[key]; !ok {
							bad = append(bad, fset.Position(n.Pos()).String()+": refusal built from "+exprText(fset, format, n)+" only: give it advice, or list it in dynamicRefusals with where its text is checked")
						}
						seenDynamic[key] = true
						return true
					}
					text = withAdviceArgs(text, format, n)
					if _, ok := wrapperFormats[rel+" "+strconv.Quote(text)]; ok {
						seenDynamic[rel+" "+strconv.Quote(text)] = true
						return true
					}
					sites = append(sites, refusalSite{fset.Position(format.Pos()), text})
				case *ast.AssignStmt:
					// bad = "…" in join_cross.go, refused as j.refuse("%s", bad).
					if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name == "bad" && rel == "route/join_cross.go" && len(n.Rhs) == 1 {
						if text, ok := literalText(n.Rhs[0]); ok && text != "" {
							sites = append(sites, refusalSite{fset.Position(n.Rhs[0].Pos()), text})
						}
					}
				case *ast.KeyValueExpr:
					// resolved{unknown: "…" + … + "…"} (names.go): the text
					// tables.go, ddl.go, … refuse with as "%s".
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "unknown" {
						if text, ok := literalText(n.Value); ok {
							sites = append(sites, refusalSite{fset.Position(n.Value.Pos()), text})
						}
					}
				case *ast.FuncDecl:
					// The texts callSpelling returns (call_spellings.go),
					// which router.go refuses with as "%s".
					if n.Name.Name == "callSpelling" && n.Body != nil {
						ast.Inspect(n.Body, func(m ast.Node) bool {
							if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
								if text, ok := literalText(r.Results[0]); ok && strings.TrimSpace(text) != "" {
									sites = append(sites, refusalSite{fset.Position(r.Pos()), text})
								}
							}
							return true
						})
					}
				}
				return true
			})
		}
	}
	for key := range wrapperFormats {
		if !seenDynamic[key] {
			bad = append(bad, "wrapperFormats lists "+key+", which the sources no longer hold: remove it")
		}
	}
	for key := range dynamicRefusals {
		if !seenDynamic[key] {
			bad = append(bad, "dynamicRefusals lists "+key+", which the sources no longer hold: remove it")
		}
	}
	for _, s := range sites {
		if os.Getenv("ADVICE_DUMP") != "" {
			t2 := strings.TrimPrefix(strings.TrimSpace(s.text), "%w:")
			if i := strings.IndexAny(t2, "(:;—"); i >= 0 {
				t.Logf("MATCH %s | %q", filepath.Base(s.pos.Filename), adviceRule.FindAllString(t2[i:], -1))
			}
		}
		if !hasAdvice(s.text) {
			bad = append(bad, s.pos.String()+": "+strconv.Quote(s.text))
		}
	}
	if len(sites) < 100 {
		t.Fatalf("found %d refusal literals; the scan is broken", len(sites))
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d of %d refusals do not say what to do instead (add a clause after \"(\" or \":\" starting with one of adviceVerbs):\n%s", len(bad), len(sites), strings.Join(bad, "\n"))
	}
}

// constTexts are the package-level string constants of route, driver and
// merge; adviceFuncs the functions named *Advice (TestRefusalsSayWhatToDo
// fills both).
var (
	constTexts  = map[string]string{}
	adviceFuncs = map[string]bool{}
)

// withAdviceArgs replaces each %s of text whose argument is a string
// constant by the constant's text, and each whose argument is a call of an
// *Advice function by "use …" (the function's returns are checked on their
// own).
func withAdviceArgs(text string, format ast.Expr, call *ast.CallExpr) string {
	at := -1
	for i, a := range call.Args {
		if a == format {
			at = i
		}
	}
	if at < 0 {
		return text
	}
	args := call.Args[at+1:]
	var b strings.Builder
	n := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '%' || i+1 >= len(text) {
			b.WriteByte(text[i])
			continue
		}
		verb := text[i+1]
		if verb == '%' {
			b.WriteString("%%")
			i++
			continue
		}
		var arg ast.Expr
		if n < len(args) {
			arg = args[n]
		}
		n++
		i++
		if verb == 's' {
			if id, ok := arg.(*ast.Ident); ok {
				if c, ok := constTexts[id.Name]; ok {
					b.WriteString(c)
					continue
				}
			}
			if c, ok := arg.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && adviceFuncs[id.Name] {
					b.WriteString("use the advice of " + id.Name)
					continue
				}
			}
		}
		b.WriteByte('%')
		b.WriteByte(verb)
	}
	return b.String()
}

func mustAbs(t *testing.T, name string) string {
	abs, err := filepath.Abs(name)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// hasAdvice applies adviceRule to the text after the construct part.
func hasAdvice(text string) bool {
	text = strings.TrimPrefix(strings.TrimSpace(text), "%w:")
	i := strings.IndexAny(text, "(:;—")
	if i < 0 {
		return false
	}
	return adviceRule.MatchString(text[i:]) || sqlAdviceRule.MatchString(text[i:])
}

// refusalFormat returns the format argument of a call that builds an
// unsupported error, if n is one.
func refusalFormat(n *ast.CallExpr) (ast.Expr, bool) {
	switch fn := n.Fun.(type) {
	case *ast.Ident:
		switch fn.Name {
		case "unsupported":
			if len(n.Args) >= 2 {
				return n.Args[1], true
			}
		case "fail":
			for _, a := range n.Args {
				if _, ok := literalText(a); ok {
					return a, true
				}
			}
		}
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && x.Name == "fmt" && fn.Sel.Name == "Errorf" && len(n.Args) >= 2 {
			for _, a := range n.Args[1:] {
				if isErrUnsupported(a) {
					return n.Args[0], true
				}
			}
		}
		if fn.Sel.Name == "refuse" && len(n.Args) >= 1 {
			if _, ok := literalText(n.Args[0]); ok {
				return n.Args[0], true
			}
		}
	}
	return nil, false
}

func isErrUnsupported(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "ErrUnsupported"
	case *ast.SelectorExpr:
		return e.Sel.Name == "ErrUnsupported"
	}
	return false
}

// literalText is the text of a string literal, or of a + of string
// literals and other operands (each read as "%s"); ok is false when e holds
// no string literal.
func literalText(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return literalText(e.X)
	case *ast.Ident:
		c, ok := constTexts[e.Name]
		return c, ok
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := literalText(e.X)
		r, rok := literalText(e.Y)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "%s"
		}
		if !rok {
			r = "%s"
		}
		return l + r, true
	}
	return "", false
}

// exprText is the source text of e (the dynamicRefusals key), or, for
// "%s", of the argument after it.
func exprText(fset *token.FileSet, format ast.Expr, call *ast.CallExpr) string {
	e := format
	if _, ok := literalText(format); ok {
		for i, a := range call.Args {
			if a == format && i+1 < len(call.Args) {
				e = call.Args[i+1]
			}
		}
	}
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e ast.Expr) {
	switch e := e.(type) {
	case *ast.Ident:
		b.WriteString(e.Name)
	case *ast.SelectorExpr:
		writeExpr(b, e.X)
		b.WriteString("." + e.Sel.Name)
	default:
		b.WriteString("…")
	}
}
