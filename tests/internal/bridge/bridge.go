// Package bridge stands in for the one hop of Grafana that no test machine can run: the HTTP API
// between Grafana's front end and a backend plugin. It answers POST /api/ds/query and
// /api/datasources/uid/{uid}/resources/* by calling the built plugin over gRPC
// (tests/internal/pluginhost) with what Grafana's server would send — the provisioned data
// source with its decrypted key, the query JSON exactly as the browser posted it, the time
// range, intervalMs and maxDataPoints, the signed-in user and org, and the forwarded headers —
// and writes the answer as Grafana does: {"results": {refId: {status, frames}}}, frames in the
// data frame JSON the browser decodes. Everything else (panels, variables, the data source's
// front end) runs in the browser as it does in Grafana.
package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

const (
	// maxBody bounds a request body read from the browser.
	maxBody = 1 << 20
	// maxReceived bounds the requests kept for inspection; a test reads far fewer.
	maxReceived = 2000
	// callTimeout bounds one gRPC call to the plugin.
	callTimeout = 60 * time.Second
)

// forwardedHeaders are the request headers Grafana's server passes on to a plugin's QueryData
// (its tracing header middleware): the dashboard, panel and query group a query came from.
var forwardedHeaders = []string{
	"X-Dashboard-Uid", "X-Panel-Id", "X-Panel-Plugin-Id", "X-Query-Group-Id", "X-Datasource-Uid",
	"X-Grafana-From-Expr", "X-Grafana-Org-Id",
}

// SignedInUser is the user Grafana would name in the plugin context: the default admin.
var SignedInUser = backend.User{Login: "admin", Name: "admin", Email: "admin@localhost", Role: "Admin"}

// Received is one request the plugin received, as the bridge sent it over gRPC.
type Received struct {
	Kind    string            `json:"kind"` // "query" or "resource"
	Headers map[string]string `json:"headers,omitempty"`
	OrgID   int64             `json:"orgId"`
	User    string            `json:"user"`
	Queries []ReceivedQuery   `json:"queries,omitempty"`
	URL     string            `json:"url,omitempty"` // resource calls
}

// ReceivedQuery is one DataQuery of a QueryData request.
type ReceivedQuery struct {
	RefID         string          `json:"refId"`
	QueryType     string          `json:"queryType"`
	From          int64           `json:"from"`
	To            int64           `json:"to"`
	IntervalMS    int64           `json:"intervalMs"`
	MaxDataPoints int64           `json:"maxDataPoints"`
	JSON          json.RawMessage `json:"json"`
}

// Bridge is the HTTP handler. It holds the requests it sent, for GET /bridge/received.
type Bridge struct {
	plugin *pluginhost.Plugin
	ds     Provisioned

	mu       sync.Mutex
	received []Received
}

// New serves the provisioned data source ds from the running plugin p.
func New(p *pluginhost.Plugin, ds Provisioned) *Bridge {
	return &Bridge{plugin: p, ds: ds}
}

func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resourcePrefix := "/api/datasources/uid/" + b.ds.DataSource.UID + "/resources/"
	switch {
	case r.URL.Path == "/api/ds/query" && r.Method == http.MethodPost:
		b.query(w, r)
	case strings.HasPrefix(r.URL.Path, resourcePrefix):
		b.resource(w, r, strings.TrimPrefix(r.URL.Path, resourcePrefix))
	case strings.HasPrefix(r.URL.Path, "/api/datasources/uid/"):
		writeMessage(w, http.StatusNotFound, "Data source not found")
	case r.URL.Path == "/bridge/received" && r.Method == http.MethodGet:
		b.mu.Lock()
		body, err := json.Marshal(b.received)
		b.mu.Unlock()
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	default:
		writeMessage(w, http.StatusNotFound, "Not found")
	}
}

func (b *Bridge) record(rec Received) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.received) < maxReceived {
		b.received = append(b.received, rec)
	}
}

// pluginContext is what Grafana puts in every call: the data source, the org and the user.
func (b *Bridge) pluginContext(r *http.Request) (*pluginv2.PluginContext, error) {
	pc := b.ds.DataSource.Context()
	pc.OrgId = b.ds.OrgID
	if org := r.Header.Get("X-Grafana-Org-Id"); org != "" {
		id, err := strconv.ParseInt(org, 10, 64)
		if err != nil || id != b.ds.OrgID {
			return nil, fmt.Errorf("data source %s is not in org %q", b.ds.DataSource.UID, org)
		}
	}
	user := SignedInUser
	pc.User = backend.ToProto().User(&user)
	return pc, nil
}

// query answers /api/ds/query as Grafana's query service does: one QueryData call for the
// queries of this data source, defaults for intervalMs (1 s) and maxDataPoints (100), the body's
// from and to (epoch milliseconds) as every query's time range, the query JSON untouched.
func (b *Bridge) query(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Queries []json.RawMessage `json:"queries"`
		From    string            `json:"from"`
		To      string            `json:"to"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&body); err != nil {
		writeMessage(w, http.StatusBadRequest, "bad request data: "+err.Error())
		return
	}
	if len(body.Queries) == 0 {
		writeMessage(w, http.StatusBadRequest, "No queries found")
		return
	}
	from, errFrom := strconv.ParseInt(body.From, 10, 64)
	to, errTo := strconv.ParseInt(body.To, 10, 64)
	if errFrom != nil || errTo != nil {
		writeMessage(w, http.StatusBadRequest, fmt.Sprintf("the bridge takes epoch milliseconds, not from=%q to=%q", body.From, body.To))
		return
	}
	pc, err := b.pluginContext(r)
	if err != nil {
		writeMessage(w, http.StatusNotFound, err.Error())
		return
	}
	req := &backend.QueryDataRequest{}
	for _, h := range forwardedHeaders {
		if v := r.Header.Get(h); v != "" {
			req.SetHTTPHeader(h, v)
		}
	}
	rec := Received{Kind: "query", Headers: req.Headers, OrgID: pc.OrgId, User: pc.User.Login}
	for _, raw := range body.Queries {
		var q struct {
			RefID      *string `json:"refId"`
			QueryType  string  `json:"queryType"`
			IntervalMS *int64  `json:"intervalMs"`
			MaxDP      *int64  `json:"maxDataPoints"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			writeMessage(w, http.StatusBadRequest, "bad query: "+err.Error())
			return
		}
		if q.Datasource.UID != b.ds.DataSource.UID {
			writeMessage(w, http.StatusBadRequest, fmt.Sprintf("query names data source %q, the bridge serves %q", q.Datasource.UID, b.ds.DataSource.UID))
			return
		}
		dq := ReceivedQuery{RefID: "A", QueryType: q.QueryType, From: from, To: to, IntervalMS: 1000, MaxDataPoints: 100, JSON: raw}
		if q.RefID != nil {
			dq.RefID = *q.RefID
		}
		if q.IntervalMS != nil {
			dq.IntervalMS = *q.IntervalMS
		}
		if q.MaxDP != nil {
			dq.MaxDataPoints = *q.MaxDP
		}
		rec.Queries = append(rec.Queries, dq)
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID:         dq.RefID,
			QueryType:     dq.QueryType,
			MaxDataPoints: dq.MaxDataPoints,
			Interval:      time.Duration(dq.IntervalMS) * time.Millisecond,
			TimeRange:     backend.TimeRange{From: time.UnixMilli(from), To: time.UnixMilli(to)},
			JSON:          raw,
		})
	}
	b.record(rec)
	protoReq := backend.ToProto().QueryDataRequest(req)
	protoReq.PluginContext = pc
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	protoResp, err := b.plugin.Data.QueryData(ctx, protoReq)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "plugin QueryData: "+err.Error())
		return
	}
	resp, err := backend.FromProto().QueryDataResponse(protoResp)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "decoding the plugin's frames: "+err.Error())
		return
	}
	out, err := json.Marshal(resp)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "encoding frames: "+err.Error())
		return
	}
	// Grafana answers 400 when any query failed (207 with the multi-status feature), with the
	// same body: the front end reads each refId's error from it.
	status := http.StatusOK
	for _, res := range resp.Responses {
		if res.Error != nil {
			status = http.StatusBadRequest
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// resource passes a resource call through as Grafana does: the path below resources/, the
// method, the whole URL, the headers less credentials and cookies, the body.
func (b *Bridge) resource(w http.ResponseWriter, r *http.Request, path string) {
	pc, err := b.pluginContext(r)
	if err != nil {
		writeMessage(w, http.StatusNotFound, err.Error())
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	headers := map[string]*pluginv2.StringList{}
	for k, v := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Cookie", "Authorization", "Connection", "Keep-Alive", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
			continue
		}
		headers[k] = &pluginv2.StringList{Values: v}
	}
	b.record(Received{Kind: "resource", OrgID: pc.OrgId, User: pc.User.Login, URL: r.URL.RequestURI()})
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	stream, err := b.plugin.Resource.CallResource(ctx, &pluginv2.CallResourceRequest{
		PluginContext: pc,
		Path:          path,
		Method:        r.Method,
		Url:           r.URL.RequestURI(),
		Headers:       headers,
		Body:          body,
	})
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "plugin CallResource: "+err.Error())
		return
	}
	status := 0
	var out []byte
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, "plugin CallResource: "+err.Error())
			return
		}
		if status == 0 {
			status = int(msg.Code)
			for k, v := range msg.Headers {
				for _, s := range v.Values {
					w.Header().Add(k, s)
				}
			}
		}
		out = append(out, msg.Body...)
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// writeMessage is Grafana's error body: {"message": "..."}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
