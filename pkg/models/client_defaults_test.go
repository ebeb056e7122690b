package models

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// The settings state the data source's defaults; a client built without them (tests, the
// benchmark) falls back to its own, which must be the same.
func TestClientFallbacksAreTheSettingsDefaults(t *testing.T) {
	var header string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get(DefaultAuthHeader)
		_, _ = w.Write([]byte(`{"count":0,"next":null,"previous":null,"results":[]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := agentsight.New(agentsight.Options{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if _, _, err := c.Count(context.Background(), agentsight.Filters{}, agentsight.Settled{}); err != nil {
		t.Fatal(err)
	}
	if header != DefaultAuthScheme+" k" || c.PageSize() != DefaultPageSize || c.Concurrency() != DefaultConcurrency {
		t.Fatalf("client fallbacks: %s %q, page size %d, concurrency %d; settings defaults: %s %q, %d, %d",
			DefaultAuthHeader, header, c.PageSize(), c.Concurrency(), DefaultAuthHeader, DefaultAuthScheme+" k", DefaultPageSize, DefaultConcurrency)
	}
}
