package route

import (
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/shard"
)

// Kind says what a statement does, so the driver knows how to run it.
type Kind int

const (
	// KindSelect reads rows.
	KindSelect Kind = iota
	// KindInsert writes new rows (INSERT, REPLACE).
	KindInsert
	// KindUpdate changes rows.
	KindUpdate
	// KindDelete removes rows.
	KindDelete
	// KindDDL changes the schema of every node of a table.
	KindDDL
	// KindOther is any other statement sent unchanged to one data source.
	KindOther
)

var kindNames = [...]string{"select", "insert", "update", "delete", "ddl", "other"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// MergeKind says how the results of a plan's units become one result.
type MergeKind int

const (
	// MergeConcat returns each unit's rows in unit order; affected-row counts are summed.
	MergeConcat MergeKind = iota
	// MergeCombine merges the units' rows as Spec says: ordered, grouped,
	// aggregated, filtered, limited.
	MergeCombine
)

// Merge describes how the driver combines the units' results.
type Merge struct {
	Kind MergeKind
	// Spec is the merge for MergeCombine.
	Spec merge.Spec
}

// Unit is one statement for one data source.
type Unit struct {
	// DataSource is the name of the data source the statement runs on.
	DataSource string
	// Node is the physical table the unit addresses; empty for statements
	// on tables the topology does not know.
	Node shard.Node
	// SQL is the statement text to send, with ? placeholders.
	SQL string
	// Args are the values for SQL's placeholders, in order.
	Args []any
}

// Plan is the routed form of one statement: what to run where and how to
// merge it. It is plain data; the driver executes it.
type Plan struct {
	// SQL is the statement as the caller wrote it.
	SQL string
	// Kind is what the statement does.
	Kind Kind
	// Table is the logical sharded table the statement addresses, or "".
	Table string
	// Units are the statements to run, in node order.
	Units []Unit
	// Merge describes how to combine the units' results.
	Merge Merge
	// GeneratedIDs are the keys shardsql generated for an INSERT's rows,
	// in row order.
	GeneratedIDs []int64
	// SchemaUnknown reports a plan that routes more widely than it would
	// with the catalog's facts about a table it lacks (see
	// ErrSchemaUnknown).
	SchemaUnknown bool
	// Broadcast marks a write to a broadcast table: the same statement on
	// every data source, to be committed everywhere or nowhere, whose
	// affected rows are those of one copy.
	Broadcast bool
	// Session says how the statement depends on the session of the
	// connection it runs on (0: not at all); the driver runs such
	// statements on the connections it keeps for the caller.
	Session SessionUses
	// Metadata, when set, marks a metadata statement about logical tables
	// (SHOW TABLES, SHOW CREATE TABLE, information_schema lookups): the
	// driver rewrites each unit's rows as it says (route/metadata.go).
	Metadata *Metadata
	// InsertRows, for an INSERT split over nodes by its rows, holds for
	// each unit the indexes of the statement's rows it writes, in order.
	InsertRows [][]int
	// Returning, when set, is the RETURNING clause (MariaDB) appended to
	// every unit: the driver runs the units as one write and returns their
	// rows in statement order (returning.go).
	Returning *Returning
}

// DataSources returns the distinct data sources of the plan's units in unit order.
func (p *Plan) DataSources() []string {
	var out []string
	for _, u := range p.Units {
		found := false
		for _, d := range out {
			if d == u.DataSource {
				found = true
				break
			}
		}
		if !found {
			out = append(out, u.DataSource)
		}
	}
	return out
}

// String renders the plan one unit per line, for logs and Explain output.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", p.Kind)
	if p.Table != "" {
		fmt.Fprintf(&b, " %s", p.Table)
	}
	fmt.Fprintf(&b, " on %d unit(s)", len(p.Units))
	for _, u := range p.Units {
		b.WriteString("\n  ")
		if u.Node.Table != "" {
			b.WriteString(u.Node.String())
		} else {
			b.WriteString(u.DataSource)
		}
		b.WriteString(": ")
		b.WriteString(u.SQL)
		if len(u.Args) > 0 {
			fmt.Fprintf(&b, " %v", u.Args)
		}
	}
	return b.String()
}
