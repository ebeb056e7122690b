// Package hostile runs the built plugin binary over gRPC, as Grafana does, against API servers
// of its own on 127.0.0.1 that answer as an attacker would: oversized and endless bodies, gzip
// bombs, deep nesting, one row per page forever, redirects and next links to another origin,
// echoed keys, absurd ranges and filter fan-outs. For every case it checks that the plugin
// answers (an error or a bounded result) within a generous time bound, that its peak RSS
// (VmHWM) stays under 400 MiB, that it sent no more requests than the case allows, and that the
// same process still answers afterwards. Against the fake API (internal/fakeapi) it also
// plays a hard-pressed operator (tenant_test.go): 300 saves of one data source while a
// dashboard refreshes (goroutines, descriptors and connections back within 10 % in 5 s),
// an alert query while 20 dashboards load (its answer time against an idle data source's),
// and 40 data sources under one memory budget set as grafana.ini would.
//
// It is behind the "hostile" build tag so that `go test ./...` never runs it:
// scripts/test-all.sh runs it with `go test -tags hostile ./tests/hostile/`.
package hostile
