package compat_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// TestGooseStatus16FreshStarts runs goose's status, up-to, up, down and
// down-to as an operator runs them, each start a new process, on one
// database and through shardsql (gs_orders sharded by user_id, the
// version table unsharded), and compares the transcripts: the status of
// every migration, the version, pending, and the rows and columns each
// step leaves.
func TestGooseStatus16FreshStarts(t *testing.T) {
	f := newFreshEnv(t, "goosestatus16", nil, nil, table{"gs_orders", "user_id", ""})
	fsys, err := fs.Sub(os.DirFS("testdata"), "goose")
	if err != nil {
		t.Fatal(err)
	}
	var tr [2]transcript
	steps := []func(ctx context.Context, p *goose.Provider, log func(string, ...any)){
		func(ctx context.Context, p *goose.Provider, log func(string, ...any)) {
			res, err := p.UpTo(ctx, 2)
			log("up to 2 %v %d", err, len(res))
		},
		func(ctx context.Context, p *goose.Provider, log func(string, ...any)) {
			res, err := p.Up(ctx)
			log("up %v %d", err, len(res))
			r, err := p.Down(ctx)
			log("down %v %d", err, r.Source.Version)
		},
		func(ctx context.Context, p *goose.Provider, log func(string, ...any)) {
			res, err := p.UpByOne(ctx)
			log("up by one %v %d", err, res.Source.Version)
			_, err = p.DownTo(ctx, 1)
			log("down to 1 %v", err)
			res2, err := p.Up(ctx)
			log("up %v %d", err, len(res2))
		},
	}
	for k, step := range steps {
		sharded, oracle := f.open(t)
		for i, db := range []*sql.DB{oracle, sharded} {
			ctx := context.Background()
			log := func(format string, a ...any) { tr[i].log("%d: "+format, append([]any{k}, a...)...) }
			p, err := goose.NewProvider(database.DialectMySQL, db, fsys)
			if err != nil {
				t.Fatal(err)
			}
			step(ctx, p, log)
			st, err := p.Status(ctx)
			log("status %v", err)
			for _, s := range st {
				log("  %d %s applied %v", s.Source.Version, s.State, !s.AppliedAt.IsZero())
			}
			v, err := p.GetDBVersion(ctx)
			log("version %d %v", v, err)
			pending, err := p.HasPending(ctx)
			log("pending %v %v", pending, err)
			log("rows %s", d16Rows(ctx, db.QueryContext, "SELECT * FROM gs_orders ORDER BY id"))
		}
	}
	compareTranscripts(t, "goose", tr[0].out, tr[1].out)
}
