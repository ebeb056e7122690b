package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

// defaultValuesRange is the range the editor's drop-downs look at when it sends none.
const defaultValuesRange = 7 * 24 * time.Hour

// Years outside 1..9999 are not instants anyone means, and RFC 3339 cannot write them: a
// from/to beyond them is refused rather than sent upstream.
var (
	minResourceTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxResourceTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

type valueOption struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// route is one resource the plugin serves.
type route struct {
	method, path string
	serve        func(d *Datasource, w http.ResponseWriter, r *http.Request)
}

// routes is the resource table: GET values?field=language[&from=ms&to=ms] lists the distinct
// values of a field as [{"text","value"}], for the query and variable editors.
func routes() []route {
	return []route{
		{http.MethodGet, "/values", (*Datasource).serveValues},
	}
}

// CallResource serves the resource table through the SDK's HTTP adapter.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return httpadapter.New(http.HandlerFunc(d.serveResource)).CallResource(ctx, req, sender)
}

// serveResource dispatches by the route table; every answer, errors included, is JSON.
func (d *Datasource) serveResource(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			log.DefaultLogger.FromContext(r.Context()).Error("resource panicked", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			writeJSON(w, http.StatusInternalServerError, errorBody("internal error in the AgentSight plugin; see the Grafana server log"))
		}
	}()
	path := "/" + strings.Trim(r.URL.Path, "/")
	var allowed []string
	for _, rt := range routes() {
		if rt.path != path {
			continue
		}
		if rt.method == r.Method {
			rt.serve(d, w, r)
			return
		}
		allowed = append(allowed, rt.method)
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody("only "+strings.Join(allowed, ", ")+" is supported"))
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody("unknown resource "+strconv.Quote(strings.TrimPrefix(path, "/"))))
}

func (d *Datasource) serveValues(w http.ResponseWriter, r *http.Request) {
	if d.settingsErr != nil {
		writeJSON(w, http.StatusBadRequest, errorBody(d.redact(d.settingsErr.Error())))
		return
	}
	params := r.URL.Query()
	field := params.Get("field")
	query, err := models.ParseQuery(mustJSON(map[string]string{"queryType": "values", "field": field}), "")
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
		return
	}
	to, err := resourceTime(params, "to", time.Now().UTC())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
		return
	}
	from, err := resourceTime(params, "from", to.Add(-defaultValuesRange))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
		return
	}
	if to.Before(from) {
		writeJSON(w, http.StatusBadRequest, errorBody("from must be before to"))
		return
	}
	values, err := d.distinctValues(r.Context(), &run{query: query, from: from, to: to})
	if err != nil {
		status, _, msg := d.describe(err, 0)
		writeJSON(w, resourceStatus(status), errorBody(msg))
		return
	}
	options := make([]valueOption, 0, len(values))
	for _, v := range slices.Sorted(slices.Values(values)) {
		options = append(options, valueOption{Text: v, Value: v})
	}
	writeJSON(w, http.StatusOK, options)
}

// resourceStatus is the HTTP status a resource answers for an error described as status.
// Grafana's front end reads a 401 from its own API as the signed-in user's session expiring (it
// checks the login and sends the request again) and a 403 as the user lacking a permission;
// AgentSight refusing the data source's key is neither, so it is a 400 carrying the health
// check's message.
func resourceStatus(status backend.Status) int {
	switch status {
	case backend.StatusUnauthorized, backend.StatusForbidden:
		return http.StatusBadRequest
	default:
		return int(status)
	}
}

// resourceTime reads a from/to parameter in epoch milliseconds; absent, it is def. Anything
// else (text, an absurd number) is an error naming the parameter, never a time sent upstream.
func resourceTime(params map[string][]string, name string, def time.Time) (time.Time, error) {
	raw := ""
	if v := params[name]; len(v) > 0 {
		raw = strings.TrimSpace(v[0])
	}
	if raw == "" {
		return def, nil
	}
	ms, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || ms < minResourceTime.UnixMilli() || ms > maxResourceTime.UnixMilli() {
		shown := raw
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return time.Time{}, fmt.Errorf("%s %q is not valid: use milliseconds since 1970-01-01 UTC, between years 1 and 9999", name, shown)
	}
	return time.UnixMilli(ms).UTC(), nil
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(mustJSON(body))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps and slices of strings reach here; this cannot happen, and must not panic.
		return []byte(`{"error":"internal error"}`)
	}
	return b
}
