package shardtest

import (
	"errors"
	"fmt"
	"syscall"
)

// Pause stops a MariaDB server's process with SIGSTOP, as a frozen host or
// a process stuck in the kernel would: its sockets stay open, nothing is
// answered, no connection is refused or reset. Resume continues it.
// Pausing a stopped or paused server does nothing. Pause returns an error
// for embedded servers and after Close; Close and Stop of a paused server
// resume it first (SIGTERM is not handled while it is stopped).
func (s *Server) Pause() error {
	if s.proc == nil {
		return errors.New("shardtest: Pause: only MariaDB servers can be paused")
	}
	return s.proc.signal(syscall.SIGSTOP)
}

// Resume continues a server paused by Pause (SIGCONT). Resuming a running
// or stopped server does nothing.
func (s *Server) Resume() error {
	if s.proc == nil {
		return errors.New("shardtest: Resume: only MariaDB servers can be paused")
	}
	return s.proc.signal(syscall.SIGCONT)
}

func (p *mariadbProc) signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("shardtest: signal %v: server on %s is closed", sig, p.addr)
	}
	if p.cmd == nil {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("shardtest: signal %v to mariadbd on %s: %w", sig, p.addr, err)
	}
	return nil
}
