package driver

import "syscall"

// pollReadable reports whether fd has data or its end to read, peeking
// (MSG_PEEK) so nothing is consumed.
func pollReadable(fd uintptr) bool {
	var b [1]byte
	_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return err != syscall.EAGAIN
}
