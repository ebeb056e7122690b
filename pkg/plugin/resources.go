package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// defaultValuesRange is the range the editor's drop-downs look at when it sends none.
const defaultValuesRange = 7 * 24 * time.Hour

type valueOption struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// CallResource serves the query editor: GET values?field=language[&from=ms&to=ms] lists the
// distinct values of a field as [{"text","value"}].
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if req.Method != http.MethodGet {
		return sendJSON(sender, http.StatusMethodNotAllowed, map[string]string{"error": "only GET is supported"})
	}
	switch req.Path {
	case "values":
		return d.serveValues(ctx, req, sender)
	default:
		return sendJSON(sender, http.StatusNotFound, map[string]string{"error": "unknown resource " + strconv.Quote(req.Path)})
	}
}

func (d *Datasource) serveValues(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if d.settingsErr != nil {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": d.redact(d.settingsErr.Error())})
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": "bad request URL"})
	}
	params := u.Query()
	field := params.Get("field")
	query, err := models.ParseQuery(mustJSON(map[string]string{"queryType": "values", "field": field}), "")
	if err != nil {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
	to := time.Now().UTC()
	from := to.Add(-defaultValuesRange)
	if ms, err := strconv.ParseInt(params.Get("to"), 10, 64); err == nil {
		to = time.UnixMilli(ms).UTC()
	}
	if ms, err := strconv.ParseInt(params.Get("from"), 10, 64); err == nil {
		from = time.UnixMilli(ms).UTC()
	}
	if to.Before(from) {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": "from must be before to"})
	}
	values, err := d.distinctValues(ctx, &run{query: query, from: from, to: to})
	if err != nil {
		status, _, msg := d.describe(err, 0)
		return sendJSON(sender, int(status), map[string]string{"error": msg})
	}
	options := make([]valueOption, 0, len(values))
	for _, v := range slices.Sorted(slices.Values(values)) {
		options = append(options, valueOption{Text: v, Value: v})
	}
	return sendJSON(sender, http.StatusOK, options)
}

func sendJSON(sender backend.CallResourceResponseSender, status int, body any) error {
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    mustJSON(body),
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps and slices of strings reach here; this cannot happen, and must not panic.
		return []byte(`{"error":"internal error"}`)
	}
	return b
}
