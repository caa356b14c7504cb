package merge

import (
	"database/sql/driver"
	"io"
)

// limited skips offset rows and then returns at most limit rows (limit < 0:
// all). Once it has what it needs it reports io.EOF without reading more,
// so the caller can stop the node queries.
type limited struct {
	in            Cursor
	offset, limit int64
	n             int64
}

func (l *limited) Next(dest []driver.Value) error {
	for l.offset > 0 {
		l.offset--
		if err := l.in.Next(dest); err != nil {
			return err
		}
	}
	if l.limit >= 0 && l.n >= l.limit {
		return io.EOF
	}
	if err := l.in.Next(dest); err != nil {
		return err
	}
	l.n++
	return nil
}

func (l *limited) Close() error { return l.in.Close() }

// project hands the caller the first len(dest) columns of wider rows.
type project struct {
	in  Cursor
	buf []driver.Value
}

func (p *project) Next(dest []driver.Value) error {
	if err := p.in.Next(p.buf); err != nil {
		return err
	}
	copy(dest, p.buf)
	return nil
}

func (p *project) Close() error { return p.in.Close() }

// empty is a cursor with no rows.
type empty struct{ in Cursor }

func (e empty) Next([]driver.Value) error { return io.EOF }
func (e empty) Close() error              { return e.in.Close() }
