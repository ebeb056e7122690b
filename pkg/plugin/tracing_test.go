package plugin

import (
	"slices"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// The query span says what the query cost and how it ended: requests, cache hits and plan as
// attributes, the error recorded with an Error status.
func TestQuerySpanRecordsCostAndError(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	previous := tracing.DefaultTracer()
	tracing.InitDefaultTracer(provider.Tracer("test"))
	t.Cleanup(func() { tracing.InitDefaultTracer(previous); _ = provider.Shutdown(t.Context()) })

	e := newEnv(t, true, nil)
	mustOK(t, e.query(totalQuery(), rangeFrom, rangeTo))
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 403})
	if dr := e.query(totalQuery(), rangeFrom, rangeTo.Add(-1)); dr.Error == nil {
		t.Fatal("no error")
	}

	var got []sdktrace.ReadOnlySpan
	for _, s := range spans.GetSpans().Snapshots() {
		if s.Name() == "agentsight.query" {
			got = append(got, s)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d query spans, want 2", len(got))
	}
	attrs := func(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
		m := map[attribute.Key]attribute.Value{}
		for _, kv := range s.Attributes() {
			m[kv.Key] = kv.Value
		}
		return m
	}
	ok, failed := got[0], got[1]
	if a := attrs(ok); ok.Status().Code != codes.Ok || a["agentsight.requests"].AsInt64() != 1 ||
		a["agentsight.cache_hits"].AsInt64() != 0 || !slices.Equal(a["agentsight.plan"].AsStringSlice(), []string{"totals"}) {
		t.Errorf("successful query: status %v, attributes %v", ok.Status(), a)
	}
	recorded := false
	for _, ev := range failed.Events() {
		recorded = recorded || ev.Name == "exception"
	}
	if failed.Status().Code != codes.Error || !recorded || attrs(failed)["agentsight.requests"].AsInt64() != 1 {
		t.Errorf("failed query: status %v, events %v, attributes %v; want the error recorded", failed.Status(), failed.Events(), attrs(failed))
	}
}
