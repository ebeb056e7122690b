package pluginhost

import (
	"bytes"
	"sync"
)

// logCap is how much of a plugin's log a Log keeps: enough to search, while a flood of
// log lines (a hostile case's) cannot fill the test's memory.
const logCap = 4 << 20

// Log collects a plugin's log (Start's stderr): go-plugin's goroutines write it while the
// tests read it. The zero value is ready to use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > logCap {
		return len(p), nil
	}
	return l.buf.Write(p)
}

// Bytes is a copy of the log so far.
func (l *Log) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
