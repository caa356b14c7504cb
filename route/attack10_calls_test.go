package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/internal/schema"
)

// TestAttack10CallSpellings: a keyword-function's name in backquotes is a
// stored function call in MariaDB and an alias MariaDB lacks is a stored
// function's name; the parser forgets both (it prints year(d) and
// st_numinteriorrings(g)), so the statement is refused wherever it runs.
// Other backquoted names, qualified calls and the built-ins unquoted still
// route. Before attack10 every refused statement here was routed, its node
// SQL calling the built-in.
func TestAttack10CallSpellings(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"SELECT `year`(created) FROM t_plain",
		"SELECT `YEAR` (created) FROM t_order WHERE user_id = 1",
		"SELECT id FROM t_order WHERE user_id = 1 AND `utc_date`() > created",
		"SELECT `weight_string`(note) FROM t_order",
		"SELECT `count`(id) FROM t_order WHERE user_id = 3",
		"SELECT `not`(status) FROM t_plain",
		"UPDATE t_order SET status = `month`(created) WHERE user_id = 2",
		"INSERT INTO t_order (user_id, status) VALUES (1, `hour`(NOW()))",
		"SELECT `trim`/* c */(note) FROM t_plain",
		"SELECT ST_NUMINTERIORRING(g) FROM t_plain",
		"SELECT st_geomcollfromtxt('POINT(1 1)') FROM t_order WHERE user_id = 1",
		"SELECT id FROM t_plain WHERE `substring`(note, 1) = 'a'",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		_, err = r.Route(q, nil) // the cached parse
		require.ErrorIs(t, err, ErrUnsupported, q)
	}
	for _, q := range []string{
		"SELECT year(created) FROM t_plain",
		"SELECT YEAR(created), `abs`(status) FROM t_order WHERE user_id = 1",
		"SELECT app.`year`(created) FROM t_plain",
		"SELECT `my_year`(created) FROM t_plain",
		"SELECT `year` FROM t_plain",
		"SELECT `year` , (1) FROM t_plain",
		"INSERT INTO `t_plain`(`year`) VALUES (1)",
		"CREATE TABLE t_plain2 (`date` DATE, KEY `idx` (`date`))",
		"SELECT '`year`(x)' FROM t_plain",
		"SELECT ST_NUMINTERIORRINGS(g) FROM t_plain",
		"SELECT 'ST_NUMINTERIORRING(g)' FROM t_plain",
	} {
		_, err := r.Route(q, nil)
		require.NoError(t, err, q)
	}
	// A table named like a keyword-function, followed by its column list:
	// not a call.
	_, err := r.Route("INSERT INTO `user`(`id`) VALUES (1)", nil)
	require.NoError(t, err)
}

// TestAttack10JSONArrowUnknownFlavour: -> and ->> are refused unless the
// catalog says every server is MySQL; with a catalog that lacks a version
// the refusal asks the driver to load it (ErrSchemaUnknown). Before
// attack10 a DB without a catalog, or whose catalog failed to load,
// answered them on MariaDB.
func TestAttack10JSONArrowUnknownFlavour(t *testing.T) {
	r := testRouter(t)
	q := "SELECT note->'$.a' FROM t_order WHERE user_id = 1"
	_, err := r.Route(q, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.NotErrorIs(t, err, ErrSchemaUnknown)
	assert.True(t, strings.Contains(err.Error(), "flavour is unknown"), err.Error())
	empty := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Database: "app"}}}
	_, err = r.RouteWith(q, nil, Options{Catalog: empty})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorIs(t, err, ErrSchemaUnknown)
	mixed := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Version: "8.0.36"}, "ds1": {}}}
	_, err = r.RouteWith(q, nil, Options{Catalog: mixed})
	require.ErrorIs(t, err, ErrUnsupported)
	mysql8 := &schema.Catalog{Sources: map[string]schema.Source{"ds0": {Version: "8.0.36"}, "ds1": {Version: "8.0.36"}}}
	_, err = r.RouteWith(q, nil, Options{Catalog: mysql8})
	require.NoError(t, err)
}

// TestAttack10RefusalTexts: refusals name the construct that decides them.
// Before attack10 `SELECT @m := MAX(n) FROM t_order` was refused with the
// evaluator's "expr cannot be translated".
func TestAttack10RefusalTexts(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"SELECT @m := MAX(status) FROM t_order",
		"SELECT @m := MAX(status) + 1 FROM t_order GROUP BY user_id",
		"SELECT id, @r := @r + 1 FROM t_order ORDER BY id",
	} {
		_, err := r.Route(q, nil)
		require.ErrorIs(t, err, ErrUnsupported, q)
		assert.Contains(t, err.Error(), "assigning a user variable", q)
	}
}
