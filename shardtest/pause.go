package shardtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
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
	if sig == syscall.SIGSTOP {
		// kill(2) returns before every thread has stopped: a thread may
		// still answer a statement that arrives just after. Wait until
		// /proc shows every thread stopped.
		return waitStopped(p.cmd.Process.Pid)
	}
	return nil
}

// waitStopped waits up to 5 s until every thread of process pid is in
// state T (stopped); where /proc cannot be read it returns at once.
func waitStopped(pid int) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil || len(tasks) == 0 {
			return nil
		}
		all := true
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			if err != nil {
				continue // the thread ended
			}
			// pid (comm) state …: the state follows the last ')'.
			i := bytes.LastIndexByte(b, ')')
			if i < 0 || i+2 >= len(b) || (b[i+2] != 'T' && b[i+2] != 't') {
				all = false
				break
			}
		}
		if all {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("shardtest: Pause: process %d not stopped after 5 s", pid)
		}
		time.Sleep(time.Millisecond)
	}
}
