package driver

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// gtid is one MariaDB global transaction id, domain-server-sequence.
type gtid struct {
	domain, server uint32
	seq            uint64
}

// gtidPos is a MariaDB replication position: at most one GTID per domain,
// sorted by domain (the form of @@gtid_binlog_pos and @@gtid_slave_pos).
// The zero value is the empty position, which every position covers.
type gtidPos []gtid

// parseGTIDPos parses "0-1-42,1-1-7" (empty: the empty position).
func parseGTIDPos(s string) (gtidPos, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out gtidPos
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(strings.TrimSpace(part), "-")
		if len(f) != 3 {
			return nil, fmt.Errorf("GTID %q is not domain-server-sequence", part)
		}
		d, err1 := strconv.ParseUint(f[0], 10, 32)
		sv, err2 := strconv.ParseUint(f[1], 10, 32)
		n, err3 := strconv.ParseUint(f[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("GTID %q: %w", part, err)
		}
		out = out.merge(gtidPos{{uint32(d), uint32(sv), n}})
	}
	return out, nil
}

// String formats p as MariaDB does, for MASTER_GTID_WAIT.
func (p gtidPos) String() string {
	var b strings.Builder
	for i, g := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d-%d-%d", g.domain, g.server, g.seq)
	}
	return b.String()
}

// covers reports whether a server whose applied position is p has applied
// every transaction of need: in each domain of need, p is as far or
// further (sequence numbers grow within a domain, whichever server wrote).
func (p gtidPos) covers(need gtidPos) bool {
	for _, n := range need {
		i := sort.Search(len(p), func(i int) bool { return p[i].domain >= n.domain })
		if i == len(p) || p[i].domain != n.domain || p[i].seq < n.seq {
			return false
		}
	}
	return true
}

// merge returns the position covering both p and q: per domain the GTID
// with the higher sequence number. p and q are not changed.
func (p gtidPos) merge(q gtidPos) gtidPos {
	if len(q) == 0 {
		return p
	}
	if len(p) == 0 {
		return q
	}
	out := make(gtidPos, 0, len(p)+len(q))
	i, j := 0, 0
	for i < len(p) || j < len(q) {
		switch {
		case j == len(q) || (i < len(p) && p[i].domain < q[j].domain):
			out = append(out, p[i])
			i++
		case i == len(p) || q[j].domain < p[i].domain:
			out = append(out, q[j])
			j++
		default:
			g := p[i]
			if q[j].seq > g.seq {
				g = q[j]
			}
			out = append(out, g)
			i++
			j++
		}
	}
	return out
}

// tokenPrefix starts every read-after token; the version lets a later
// format be told apart.
const tokenPrefix = "ssq1."

// encodeToken turns per data source positions into an opaque string.
func encodeToken(pos map[string]gtidPos) string {
	names := make([]string, 0, len(pos))
	for ds, p := range pos {
		if len(p) > 0 {
			names = append(names, ds)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for i, ds := range names {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(ds)
		b.WriteByte('=')
		b.WriteString(pos[ds].String())
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(b.String()))
}

// decodeToken is the inverse of encodeToken.
func decodeToken(token string) (map[string]gtidPos, error) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return nil, fmt.Errorf("shardsql: read-after token %q was not made by driver.WriteToken", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("shardsql: read-after token %q: %w", token, err)
	}
	out := make(map[string]gtidPos)
	if len(raw) == 0 {
		return out, nil
	}
	for _, part := range strings.Split(string(raw), ";") {
		ds, pos, ok := strings.Cut(part, "=")
		if !ok || ds == "" {
			return nil, fmt.Errorf("shardsql: read-after token %q is damaged", token)
		}
		p, err := parseGTIDPos(pos)
		if err != nil {
			return nil, fmt.Errorf("shardsql: read-after token %q: %w", token, err)
		}
		out[ds] = out[ds].merge(p)
	}
	return out, nil
}
