package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
)

// The code below is what sqlc generates for MySQL (emit_prepared_queries
// off): a DBTX interface that *sql.DB and *sql.Tx satisfy, one constant
// per query, one method per query, WithTx.

// DBTX is sqlc's interface over *sql.DB and *sql.Tx.
type DBTX interface {
	ExecContext(context.Context, string, ...interface{}) (sql.Result, error)
	PrepareContext(context.Context, string) (*sql.Stmt, error)
	QueryContext(context.Context, string, ...interface{}) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...interface{}) *sql.Row
}

// Queries is sqlc's query set.
type Queries struct{ db DBTX }

// New returns the queries on db.
func New(db DBTX) *Queries { return &Queries{db: db} }

// WithTx returns the queries in tx.
func (q *Queries) WithTx(tx *sql.Tx) *Queries { return &Queries{db: tx} }

// Author is the row of authors.
type Author struct {
	ID   int64
	Name string
	Bio  sql.NullString
}

const createAuthor = `-- name: CreateAuthor :execresult
INSERT INTO authors (name, bio) VALUES (?, ?)
`

// CreateAuthor inserts an author.
func (q *Queries) CreateAuthor(ctx context.Context, name string, bio sql.NullString) (sql.Result, error) {
	return q.db.ExecContext(ctx, createAuthor, name, bio)
}

const getAuthor = `-- name: GetAuthor :one
SELECT id, name, bio FROM authors
WHERE id = ? LIMIT 1
`

// GetAuthor reads one author.
func (q *Queries) GetAuthor(ctx context.Context, id int64) (Author, error) {
	row := q.db.QueryRowContext(ctx, getAuthor, id)
	var i Author
	err := row.Scan(&i.ID, &i.Name, &i.Bio)
	return i, err
}

const listAuthors = `-- name: ListAuthors :many
SELECT id, name, bio FROM authors
ORDER BY name
`

// ListAuthors reads every author.
func (q *Queries) ListAuthors(ctx context.Context) ([]Author, error) {
	rows, err := q.db.QueryContext(ctx, listAuthors)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Author
	for rows.Next() {
		var i Author
		if err := rows.Scan(&i.ID, &i.Name, &i.Bio); err != nil {
			return nil, err
		}
		items = append(items, i)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

const updateAuthorBio = `-- name: UpdateAuthorBio :execrows
UPDATE authors SET bio = ? WHERE id = ?
`

// UpdateAuthorBio sets an author's bio.
func (q *Queries) UpdateAuthorBio(ctx context.Context, bio sql.NullString, id int64) (int64, error) {
	result, err := q.db.ExecContext(ctx, updateAuthorBio, bio, id)
	if err != nil {
		return 0, err
	}
	return result.RowsAffected()
}

const deleteAuthor = `-- name: DeleteAuthor :exec
DELETE FROM authors WHERE id = ?
`

// DeleteAuthor deletes an author.
func (q *Queries) DeleteAuthor(ctx context.Context, id int64) error {
	_, err := q.db.ExecContext(ctx, deleteAuthor, id)
	return err
}

const countByBio = `-- name: CountByBio :many
SELECT bio IS NULL AS no_bio, COUNT(*) AS n FROM authors GROUP BY bio IS NULL ORDER BY no_bio
`

// CountByBioRow is a row of CountByBio.
type CountByBioRow struct {
	NoBio bool
	N     int64
}

// CountByBio counts authors with and without a bio.
func (q *Queries) CountByBio(ctx context.Context) ([]CountByBioRow, error) {
	rows, err := q.db.QueryContext(ctx, countByBio)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []CountByBioRow
	for rows.Next() {
		var i CountByBioRow
		if err := rows.Scan(&i.NoBio, &i.N); err != nil {
			return nil, err
		}
		items = append(items, i)
	}
	return items, rows.Err()
}

// TestSqlcStyle runs sqlc-generated-style code on one database and
// through shardsql (authors sharded by id, ids generated): the id
// LastInsertId returns is the row's, in and out of transactions, and
// prepared statements work.
func TestSqlcStyle(t *testing.T) {
	e := newEnv(t, "sqlcdb", table{"authors", "id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.ExecContext(ctx, "CREATE TABLE authors (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL, bio TEXT)")
		must(err)
		q := New(db)
		var ids []int64
		for i := range 12 {
			bio := sql.NullString{String: fmt.Sprintf("bio %d", i), Valid: i%3 != 0}
			res, err := q.CreateAuthor(ctx, fmt.Sprintf("author %02d", i), bio)
			must(err)
			id, err := res.LastInsertId()
			must(err)
			ids = append(ids, id)
			a, err := q.GetAuthor(ctx, id)
			must(err)
			if a.Name != fmt.Sprintf("author %02d", i) {
				t.Fatalf("LastInsertId %d reads %q", id, a.Name)
			}
		}
		tx, err := db.BeginTx(ctx, nil)
		must(err)
		qtx := q.WithTx(tx)
		n, err := qtx.UpdateAuthorBio(ctx, sql.NullString{String: "updated", Valid: true}, ids[0])
		must(err)
		log("updated %d", n)
		must(qtx.DeleteAuthor(ctx, ids[1]))
		res, err := qtx.CreateAuthor(ctx, "in tx", sql.NullString{})
		must(err)
		txID, err := res.LastInsertId()
		must(err)
		must(tx.Commit())
		a, err := q.GetAuthor(ctx, txID)
		must(err)
		log("created in tx: %s", a.Name)

		// Prepared statement, run several times.
		stmt, err := db.PrepareContext(ctx, getAuthor)
		must(err)
		for _, id := range ids[2:5] {
			var a Author
			must(stmt.QueryRowContext(ctx, id).Scan(&a.ID, &a.Name, &a.Bio))
			log("prepared: %s %v", a.Name, a.Bio)
		}
		must(stmt.Close())

		all, err := q.ListAuthors(ctx)
		must(err)
		for _, a := range all {
			log("list: %s %v", a.Name, a.Bio)
		}
		counts, err := q.CountByBio(ctx)
		must(err)
		log("counts %+v", counts)
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("sqlc-style code observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
