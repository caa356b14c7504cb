//go:build linux

package driver

import (
	"time"

	"golang.org/x/sys/unix"
)

// endedBeforeSent reports, for a TCP socket fd whose reply's first read
// found the end of the connection at once, whether the kernel proves the
// server's socket was gone when the command arrived (cut_first_read.go).
//
// Hazard: "at once" alone leaves a window — a KILL landing between the
// write of the command and the first read (consecutive syscalls, longer
// if the goroutine is preempted between them) ends the connection the
// same way after the server read the statement. The kernel tells them
// apart: a command that reaches a closed server socket is answered with
// a reset (the socket's state is then TCP_CLOSE), one an open socket
// accepted is acknowledged (no bytes unacknowledged, the state
// CLOSE_WAIT: the server closed after taking it). Until either shows —
// the reset of a distant server is one round trip away — it looks again,
// for a few round trips; still unknown then, it is no proof.
func endedBeforeSent(fd uintptr) bool {
	info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return false
	}
	wait := 4*time.Duration(info.Rtt)*time.Microsecond + 2*time.Millisecond
	until := time.Now().Add(wait)
	for {
		switch {
		case info.State == unix.BPF_TCP_CLOSE:
			return true
		case info.Unacked == 0:
			return false
		case time.Now().After(until):
			return false
		}
		time.Sleep(wait / 16)
		if info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err != nil {
			return false
		}
	}
}
