package plugin

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: no request, page worker or in-flight share
// outlives its query or its data source.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
