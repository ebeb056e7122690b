//go:build !linux

package fakeapi

import "time"

// preciseSleep is time.Sleep where nanosleep is not at hand: the latency may then run up to
// a millisecond long.
func preciseSleep(d time.Duration) { time.Sleep(d) }
