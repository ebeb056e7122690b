package agentsight

import "sync/atomic"

// IdleCloser is a transport whose idle connections can be closed (*http.Transport).
type IdleCloser interface{ CloseIdleConnections() }

// connections closes a client's connections when the client is closed: the idle ones at
// once, and those of the requests in flight when the last of them ends. A transport's
// CloseIdleConnections also closes the connections that become idle afterwards, until a new
// request asks for one; so closing again whenever the in-flight count drops to zero leaves
// nothing open once the requests are done.
type connections struct {
	transport IdleCloser // nil: nothing to close
	inFlight  atomic.Int64
	closed    atomic.Bool
}

// start counts a request in flight; done ends it, once its response's body is closed.
func (c *connections) start() { c.inFlight.Add(1) }

func (c *connections) done() {
	if c.inFlight.Add(-1) == 0 && c.closed.Load() {
		c.closeIdle()
	}
}

func (c *connections) isClosed() bool { return c.closed.Load() }

// close closes the idle connections now and the others as their requests end.
func (c *connections) close() {
	c.closed.Store(true)
	c.closeIdle()
}

func (c *connections) closeIdle() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}
