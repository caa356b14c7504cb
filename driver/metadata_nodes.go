package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// Hazard (compat11): a lookup about a sharded table (gorm's HasColumn /
// HasIndex / ColumnTypes, ent's and Atlas' inspection, SHOW CREATE TABLE)
// is answered from the table's first node. When the node tables differ —
// one altered by hand, or a DDL that failed on some nodes — the answer is
// true of the first node only: a migrator that finds the column or index
// there adds nothing, reports success, and the other nodes stay without it
// (inserts fail there later, a unique index is enforced on one node only).
// One database has one definition per table, so no answer is exact: the
// lookup is refused, naming the nodes that differ, before the migrator can
// act on it. The check reads SHOW CREATE TABLE of every node of each table
// the lookup describes (metadata statements are rare: migrations and admin
// tools), and compares the definitions without the node table's name and
// the AUTO_INCREMENT counter, which differ by design.

// autoIncrementOption is the counter SHOW CREATE TABLE prints as a table
// option; each node has its own.
var autoIncrementOption = regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`)

// nodeDefinition is one node table's definition, normalised for
// comparison; missing is set when the node table does not exist.
type nodeDefinition struct {
	node    shard.Node
	text    string
	missing bool
}

// checkMetadataNodes refuses a metadata plan that describes a sharded
// table whose node tables do not all have the same definition. Listings
// (units that keep only renamed rows) are not checked: they show names.
func (c *Conn) checkMetadataNodes(ctx context.Context, p *route.Plan) error {
	var names []string
	for _, u := range p.Metadata.Units {
		if u.Only {
			continue
		}
		for _, logical := range u.Rename {
			if !slices.Contains(names, logical) {
				names = append(names, logical)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		st, ok := c.c.topo.Table(name)
		if !ok || len(st.Nodes) < 2 {
			continue
		}
		if err := c.checkNodeDefinitions(ctx, p, "sharded", "node tables", st.Name, st.Nodes); err != nil {
			return err
		}
	}
	// Hazard (compat14): a broadcast table's lookup is answered by the
	// home data source's copy. A DDL that failed on some data sources (it
	// runs on each in turn) left the copies different, and the next
	// AutoMigrate found the column at home and added it nowhere; the
	// copies are compared as node tables are.
	for _, name := range p.Metadata.Broadcast {
		dss := c.c.topo.DataSources()
		if len(dss) < 2 {
			continue
		}
		copies := make([]shard.Node, 0, len(dss))
		for _, ds := range dss {
			copies = append(copies, shard.Node{DataSource: ds.Name, Table: name})
		}
		if err := c.checkNodeDefinitions(ctx, p, "broadcast", "copies", name, copies); err != nil {
			return err
		}
	}
	return nil
}

// checkNodeDefinitions compares the definitions of the node tables (or
// broadcast copies) of the table named logical.
func (c *Conn) checkNodeDefinitions(ctx context.Context, p *route.Plan, kind, what, logical string, nodes []shard.Node) error {
	diff, err := c.nodeDifference(ctx, p, logical, nodes)
	if err != nil || diff == "" {
		return err
	}
	return fmt.Errorf("%w: metadata of %s table %s, whose %s differ: %s (make every one's definition the same — compare SHOW CREATE TABLE on each data source, or run the DDL again where it failed — then migrate again) in %q",
		ErrUnsupported, kind, logical, what, diff, p.SQL)
}

// nodeDifference describes how the definitions of the node tables of the
// table named logical differ, "" when they are the same.
func (c *Conn) nodeDifference(ctx context.Context, p *route.Plan, logical string, nodes []shard.Node) (string, error) {
	defs := make([]nodeDefinition, 0, len(nodes))
	for _, n := range nodes {
		d, err := c.nodeDefinition(ctx, p, logical, n)
		if err != nil {
			return "", err
		}
		defs = append(defs, d)
	}
	first := defs[0]
	for _, d := range defs[1:] {
		if d.missing != first.missing || d.text != first.text {
			return describeDifference(first, d), nil
		}
	}
	return "", nil
}

// nodeDefinition reads node's SHOW CREATE TABLE on the connection's
// session or transaction, as the lookup itself runs.
func (c *Conn) nodeDefinition(ctx context.Context, p *route.Plan, logical string, n shard.Node) (nodeDefinition, error) {
	sub := &route.Plan{SQL: p.SQL, Kind: route.KindOther, Table: logical,
		Units: []route.Unit{{DataSource: n.DataSource, Node: n, SQL: "SHOW CREATE TABLE `" + strings.ReplaceAll(n.Table, "`", "``") + "`"}}}
	rows, err := c.query(ctx, sub)
	if err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1146 { // ER_NO_SUCH_TABLE
			return nodeDefinition{node: n, missing: true}, nil
		}
		return nodeDefinition{}, fmt.Errorf("shardsql: checking the node tables of %s: %w", logical, err)
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err != nil {
		if err == io.EOF {
			return nodeDefinition{}, fmt.Errorf("shardsql: checking the node tables of %s: SHOW CREATE TABLE on %s returned no row", logical, n)
		}
		return nodeDefinition{}, fmt.Errorf("shardsql: checking the node tables of %s: %w", logical, err)
	}
	if len(dest) < 2 {
		return nodeDefinition{}, fmt.Errorf("shardsql: checking the node tables of %s: SHOW CREATE TABLE on %s returned %d columns", logical, n, len(dest))
	}
	text := string(metaBytes(dest[1]))
	quoted := quoteIdent(n.Table)
	if at := strings.Index(text, quoted); at >= 0 { // CREATE TABLE `t_0` (: the first quoted name is the table's
		text = text[:at] + "`" + logical + "`" + text[at+len(quoted):]
	}
	text = autoIncrementOption.ReplaceAllString(text, "")
	return nodeDefinition{node: n, text: text}, nil
}

// describeDifference says how node definition b differs from a: which one
// is missing, or the first line of the definitions that differs.
func describeDifference(a, b nodeDefinition) string {
	switch {
	case a.missing:
		return fmt.Sprintf("%s does not exist, %s does", a.node, b.node)
	case b.missing:
		return fmt.Sprintf("%s does not exist, %s does", b.node, a.node)
	}
	onlyA, onlyB := linesOnlyIn(a.text, b.text), linesOnlyIn(b.text, a.text)
	switch {
	case onlyA != "" && onlyB != "":
		return fmt.Sprintf("%s has %q where %s has %q", a.node, onlyA, b.node, onlyB)
	case onlyA != "":
		return fmt.Sprintf("%s has %q, %s has not", a.node, onlyA, b.node)
	case onlyB != "":
		return fmt.Sprintf("%s has %q, %s has not", b.node, onlyB, a.node)
	}
	return fmt.Sprintf("%s and %s", a.node, b.node)
}

// linesOnlyIn returns the first line of definition a (trimmed, without a
// trailing comma) that b lacks, or "" when there is none.
func linesOnlyIn(a, b string) string {
	have := make(map[string]bool)
	for _, l := range strings.Split(b, "\n") {
		have[strings.TrimSuffix(strings.TrimSpace(l), ",")] = true
	}
	for _, l := range strings.Split(a, "\n") {
		if l = strings.TrimSuffix(strings.TrimSpace(l), ","); !have[l] {
			return l
		}
	}
	return ""
}
