package shardtest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Action is what a Proxy does to the connection that sends a matching
// message.
type Action int

const (
	// Cut closes the connection, on both sides, before the message
	// reaches the server: the server never sees it.
	Cut Action = iota
	// LoseReply forwards the message, waits for the server's reply and
	// closes the connection without passing the reply on: the server
	// applied the message, the client cannot know.
	LoseReply
	// Hang holds the message (and everything the client sends after it)
	// and never answers, as a partitioned network does, until the client
	// closes the connection; the proxy then closes its side to the
	// server, which never saw the message.
	Hang
	// Delay forwards the message after Fault.Delay.
	Delay
	// CutAfterColumns forwards the message and passes on the server's
	// reply up to the end of a result set's column definitions, then
	// closes the connection: the client has the result's columns and no
	// row, as when a server fails after starting to answer a query. A
	// reply that is not a result set (OK or error) is passed on whole and
	// the connection closed after it.
	CutAfterColumns
)

var actionNames = [...]string{"cut", "lose reply", "hang", "delay", "cut after columns"}

// String returns the action's name.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return fmt.Sprintf("action(%d)", int(a))
	}
	return actionNames[a]
}

// Fault is one armed fault: the first client message whose SQL text
// starts with Match (ignoring case and leading spaces) triggers Action on
// its connection, once.
//
// The SQL text is that of a COM_QUERY or a COM_STMT_PREPARE. A statement
// with arguments is sent by go-sql-driver as a prepared statement unless
// the DSN has interpolateParams=true, so to catch the execution rather
// than the preparation use interpolateParams=true.
type Fault struct {
	Match  string
	Action Action
	Delay  time.Duration // for Delay
	// Then, if set, runs when the fault fires, before the connection is
	// cut: for Cut and Hang when the message is held, for LoseReply once
	// the server's reply has arrived, for Delay before forwarding. A test
	// kills the server here (Server.Kill) to crash it at that point of a
	// protocol.
	Then func()
}

// Proxy is a TCP proxy on 127.0.0.1 in front of a MySQL-protocol server
// that can cut, hang or delay a connection at a chosen message (Inject),
// or every connection at once (CutAll). It reads the client's side of the
// MySQL protocol — packets of a 3-byte little-endian length, a sequence
// number and a payload whose first byte is the command, 0x03 for
// COM_QUERY followed by the SQL text — and passes everything else through
// unchanged. TLS and compression are not supported (go-sql-driver uses
// neither by default).
//
// A Proxy runs one goroutine for its listener and two per connection; all
// end in Close.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	faults []Fault
	fired  []string // the Match of each fault that fired, in order
	conns  map[*proxyConn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// StartProxy starts a proxy to the server at target ("host:port").
func StartProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("shardtest: StartProxy: %w", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[*proxyConn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address, "127.0.0.1:PORT".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// DSN returns s's DSN with the proxy's address in place of the server's.
func (p *Proxy) DSN(s *Server) string {
	return strings.Replace(s.DSN(), "("+s.Addr()+")", "("+p.Addr()+")", 1)
}

// Inject arms a fault. Faults fire in the order they were armed, each
// once.
func (p *Proxy) Inject(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, f)
}

// Disarm removes the faults that have not fired and returns the Match of
// each fault that fired since the last Disarm.
func (p *Proxy) Disarm() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	fired := p.fired
	p.faults, p.fired = nil, nil
	return fired
}

// CutAll closes every open connection, as a network failure between the
// client and the server does; new connections are accepted as before.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	conns := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// Conns returns the number of open client connections.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			_ = client.Close()
			continue
		}
		c := &proxyConn{p: p, client: client, server: server, replied: make(chan struct{}, 1)}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.close()
			return
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go c.upstream()
		go c.downstream()
	}
}

// match returns the first armed fault the command packet payload
// triggers, and disarms it.
func (p *Proxy) match(payload []byte) (Fault, bool) {
	if len(payload) < 2 || (payload[0] != 0x03 && payload[0] != 0x16) {
		return Fault{}, false
	}
	text := bytes.TrimLeft(payload[1:], " \t\r\n")
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.faults {
		if len(text) >= len(f.Match) && strings.EqualFold(string(text[:len(f.Match)]), f.Match) {
			p.faults = append(p.faults[:i:i], p.faults[i+1:]...)
			p.fired = append(p.fired, f.Match)
			return f, true
		}
	}
	return Fault{}, false
}

// proxyConn is one client connection and its connection to the server.
type proxyConn struct {
	p              *Proxy
	client, server net.Conn
	once           sync.Once

	mu      sync.Mutex
	swallow bool          // drop the next reply and cut (LoseReply)
	columns bool          // pass the next reply's columns only and cut (CutAfterColumns)
	replied chan struct{} // the swallowed reply arrived
}

func (c *proxyConn) close() {
	c.once.Do(func() {
		_ = c.client.Close()
		_ = c.server.Close()
		c.p.mu.Lock()
		delete(c.p.conns, c)
		c.p.mu.Unlock()
	})
}

// upstream forwards the client's packets, checking each for a fault.
func (c *proxyConn) upstream() {
	defer c.p.wg.Done()
	defer c.close()
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(c.client, hdr[:]); err != nil {
			return
		}
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.client, payload); err != nil {
			return
		}
		if f, ok := c.p.match(payload); ok {
			if !c.inject(f, hdr, payload) {
				return
			}
			continue
		}
		if _, err := c.server.Write(append(hdr[:], payload...)); err != nil {
			return
		}
	}
}

// inject carries out a fault on the packet that triggered it and reports
// whether the connection goes on.
func (c *proxyConn) inject(f Fault, hdr [4]byte, payload []byte) bool {
	switch f.Action {
	case Cut:
		if f.Then != nil {
			f.Then()
		}
		return false
	case Hang:
		if f.Then != nil {
			f.Then()
		}
		_, _ = io.Copy(io.Discard, c.client) // until the client gives up
		return false
	case Delay:
		time.Sleep(f.Delay)
		if f.Then != nil {
			f.Then()
		}
		_, err := c.server.Write(append(hdr[:], payload...))
		return err == nil
	case CutAfterColumns:
		c.mu.Lock()
		c.columns = true
		c.mu.Unlock()
		if f.Then != nil {
			f.Then()
		}
		_, err := c.server.Write(append(hdr[:], payload...))
		return err == nil // downstream cuts the connection
	case LoseReply:
		c.mu.Lock()
		c.swallow = true
		c.mu.Unlock()
		if _, err := c.server.Write(append(hdr[:], payload...)); err != nil {
			return false
		}
		select {
		case <-c.replied:
		case <-time.After(time.Minute):
		}
		if f.Then != nil {
			f.Then()
		}
		return false
	}
	return false
}

// downstream forwards the server's replies, or swallows one (LoseReply):
// then it leaves the connection open for upstream, which runs the fault's
// Then before cutting it, so the client cannot see the cut before Then
// has run.
func (c *proxyConn) downstream() {
	defer c.p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.server.Read(buf)
		if n > 0 {
			c.mu.Lock()
			swallow := c.swallow
			c.mu.Unlock()
			if swallow {
				c.replied <- struct{}{}
				return
			}
			if c.columnsOnly() {
				c.passColumns(io.MultiReader(bytes.NewReader(buf[:n]), c.server))
				break
			}
			if _, werr := c.client.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.close()
	select { // a LoseReply waiting for a reply that will not come
	case c.replied <- struct{}{}:
	default:
	}
}

func (c *proxyConn) columnsOnly() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.columns
}

// passColumns passes on the packets of a reply from r up to the end of a
// result set's column definitions (CutAfterColumns); the caller then
// closes the connection.
func (c *proxyConn) passColumns(r io.Reader) {
	packet := func() ([]byte, bool) {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, false
		}
		p := make([]byte, 4+(int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16))
		copy(p, hdr[:])
		if _, err := io.ReadFull(r, p[4:]); err != nil {
			return nil, false
		}
		_, err := c.client.Write(p)
		return p[4:], err == nil
	}
	first, ok := packet()
	if !ok || len(first) == 0 || first[0] == 0x00 || first[0] == 0xff || first[0] >= 0xfb {
		return // not a result set (or a column count this proxy does not parse)
	}
	for i := 0; i < int(first[0]); i++ {
		if _, ok := packet(); !ok {
			return
		}
	}
	// Without CLIENT_DEPRECATE_EOF an EOF packet ends the definitions; pass
	// it too. A row is never a packet this short starting with 0xfe.
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	rest := make([]byte, n)
	if _, err := io.ReadFull(r, rest); err != nil {
		return
	}
	if n > 0 && n < 9 && rest[0] == 0xfe {
		_, _ = c.client.Write(append(hdr[:], rest...))
	}
}
