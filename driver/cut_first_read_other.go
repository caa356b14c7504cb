//go:build !linux

package driver

// endedBeforeSent is cut_first_read_linux.go's proof where the kernel's
// TCP state is not read: the end found at once stands for it, with the
// window that file describes left open.
func endedBeforeSent(fd uintptr) bool { return true }
