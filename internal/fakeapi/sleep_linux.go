package fakeapi

import (
	"syscall"
	"time"
)

// preciseSleep blocks the calling thread for d with nanosleep, which the kernel wakes within
// its timer slack (50 µs by default); d is at most a few milliseconds.
func preciseSleep(d time.Duration) {
	if d <= 0 {
		return
	}
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
