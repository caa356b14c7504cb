package route

import (
	"go/ast"
	"go/parser"
	"go/token"
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
// The rule (adviceRule): after the construct part, that is after the first
// "(", ":", ";" or "—" past the "%w: " prefix, the literal holds an imperative verb
// from adviceVerbs at the start of a clause: right after "(", ":", ";",
// ",", "—", "or", "and", "then", "instead" or "to" (as in "use X to …" or
// "… only: set …"). A format that is only "%s" (or not a literal) passes
// text built elsewhere through; it must be in dynamicRefusals with where
// that text is checked.

// adviceVerbs are the imperative verbs a refusal's advice starts with.
var adviceVerbs = []string{
	"use", "write", "route", "run", "select", "pass", "compute", "cast", "give",
	"set", "split", "send", "rename", "add", "drop", "move", "read", "call",
	"name", "remove", "put", "keep", "spell", "partition", "seed", "order",
	"group", "shard", "declare", "create", "alter", "insert", "update", "delete",
	"list", "load", "leave", "omit", "make", "commit", "start", "open", "ask",
	"turn", "convert", "compare", "join", "qualify", "quote", "replace", "store",
	"filter", "apply", "choose", "collate", "define", "do", "execute", "fetch",
	"issue", "lock", "query", "register", "repeat", "restart", "retry", "sort",
	"state", "take", "wrap", "bind", "count", "configure", "connect", "change",
	"check", "enable", "disable", "list", "limit", "match", "prefix", "reach",
	"reconnect", "unset", "upgrade", "test", "wait", "give", "aggregate",
	"close", "drain", "register", "register", "reorder", "restrict", "format",
	"truncate", "rewrite", "enumerate", "join", "express", "cover", "avoid",
	"pick", "sum", "divide", "multiply", "subtract", "assign", "refer", "look",
	"tell", "compile", "append", "prepend", "recreate", "re-run", "rerun",
	"alias", "qualify", "repeat", "lock", "choose", "make", "request",
}

// adviceRule matches an imperative verb at the start of a clause.
var adviceRule = func() *regexp.Regexp {
	starts := `(?:\(\s*|[:;,—]\s+|\b(?:or|and|then|instead|to|please)\s+)`
	return regexp.MustCompile(`(?i)` + starts + `(?:` + strings.Join(adviceVerbs, "|") + `)\b`)
}()

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
			rel := filepath.Base(filepath.Dir(mustAbs(t, name))) + "/" + filepath.Base(name)
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
					if _, ok := wrapperFormats[rel+" "+strconv.Quote(text)]; ok {
						seenDynamic[rel+" "+strconv.Quote(text)] = true
						return true
					}
					sites = append(sites, refusalSite{fset.Position(format.Pos()), text})
				case *ast.AssignStmt:
					// bad = "…" in join_cross.go, refused as j.refuse("%s", bad).
					if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name == "bad" && rel == "route/join_cross.go" && len(n.Rhs) == 1 {
						if text, ok := literalText(n.Rhs[0]); ok {
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
	return adviceRule.MatchString(text[i:])
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
