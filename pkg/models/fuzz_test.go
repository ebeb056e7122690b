package models

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// encodeQuery writes a parsed query back in the stored form.
func encodeQuery(t *testing.T, q Query) []byte {
	filters := map[string]any{}
	for k, v := range q.Filters.Values {
		filters[k] = v
		if p, _ := agentsight.LookupFilter(k); p.Kind == agentsight.FilterBool {
			filters[k] = *q.Filters.Bool(k)
		}
	}
	j := map[string]any{
		"queryType": string(q.Type), "filters": filters, "groupBy": q.GroupBy,
		"conversationId": q.ConversationID, "limit": q.Limit, "field": q.Field, "format": q.Format,
	}
	switch {
	case q.Total:
		j["bucket"] = BucketTotal
	case q.Bucket > 0:
		j["bucket"] = q.Bucket.String()
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseQuery: any input either fails or gives a query within the model's bounds that
// reads back the same when written out again. Seeds are in testdata/fuzz/FuzzParseQuery.
func FuzzParseQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte, queryType string) {
		q, err := ParseQuery(raw, queryType)
		if err != nil {
			return
		}
		if !slices.Contains(QueryTypes, q.Type) {
			t.Fatalf("type %q accepted", q.Type)
		}
		if q.GroupBy != "" && !slices.Contains(GroupByFields, q.GroupBy) {
			t.Fatalf("groupBy %q accepted", q.GroupBy)
		}
		if q.Limit < 0 || q.Limit > agentsight.MaxListRows || q.ConversationID < 0 {
			t.Fatalf("limit %d / conversationId %d accepted", q.Limit, q.ConversationID)
		}
		if q.Bucket != 0 && q.Bucket < MinBucket {
			t.Fatalf("bucket %s accepted", q.Bucket)
		}
		for k, vs := range q.Filters.Values {
			p, ok := agentsight.LookupFilter(k)
			if !ok || len(vs) == 0 || (p.Kind == agentsight.FilterBool && (len(vs) != 1 || (vs[0] != "true" && vs[0] != "false"))) {
				t.Fatalf("filter %q = %q accepted", k, vs)
			}
			for _, v := range vs {
				if p.Kind == agentsight.FilterChoice && !slices.Contains(p.Choices, v) {
					t.Fatalf("filter %q = %q is not one of its choices", k, v)
				}
			}
			for _, v := range vs {
				if v == "" {
					t.Fatalf("empty value of %q kept", k)
				}
			}
		}
		again, err := ParseQuery(encodeQuery(t, q), "")
		if err != nil {
			t.Fatalf("accepted query %+v does not re-validate: %v", q, err)
		}
		// The ad-hoc filters are merged into the filters, and their notices said once.
		q.Notices = nil
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("query changed on the round trip:\n%+v\n%+v", q, again)
		}
	})
}

// FuzzLoadSettings: any input either fails or gives settings that validate and load the
// same when written out again. Seeds are in testdata/fuzz/FuzzLoadSettings.
func FuzzLoadSettings(f *testing.F) {
	// Accepted settings must also make requests the HTTP client is willing to send.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"count":0,"next":null,"previous":null,"results":[]}`))
	}))
	defer srv.Close()
	f.Fuzz(func(t *testing.T, url string, jsonData []byte, apiKey string) {
		s, err := LoadSettings(url, jsonData, map[string]string{"apiKey": apiKey})
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted settings do not validate: %v", err)
		}
		if _, err := agentsight.New(s.ClientOptions(nil)); err != nil {
			t.Fatalf("accepted settings make no client: %v", err)
		}
		local := s
		local.URL = srv.URL
		opts := local.ClientOptions(srv.Client())
		opts.MaxAttempts = 1
		c, err := agentsight.New(opts)
		if err != nil {
			t.Fatalf("accepted settings make no client: %v", err)
		}
		if _, _, err := c.Count(context.Background(), agentsight.Filters{}, agentsight.Settled{}); err != nil {
			t.Fatalf("accepted settings %+v make a request that cannot be sent: %v", s, err)
		}
		out, err := json.Marshal(map[string]any{
			"authHeader": s.AuthHeader, "authScheme": s.AuthScheme, "pageSize": s.PageSize,
			"maxConversations": s.MaxConversations, "maxFilterCombinations": s.MaxFilterCombinations, "concurrency": s.Concurrency,
			"cacheTTL": s.CacheTTL.String(), "timeout": s.Timeout.String(),
		})
		if err != nil {
			t.Fatal(err)
		}
		again, err := LoadSettings(s.URL, out, map[string]string{"apiKey": s.APIKey})
		if err != nil {
			t.Fatalf("accepted settings %+v do not load again: %v", s, err)
		}
		if again != s {
			t.Fatalf("settings changed on the round trip:\n%+v\n%+v", s, again)
		}
	})
}
