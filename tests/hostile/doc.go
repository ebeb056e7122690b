// Package hostile runs the built plugin binary over gRPC, as Grafana does, against API servers
// of its own on 127.0.0.1 that answer as an attacker would: oversized and endless bodies, gzip
// bombs, deep nesting, one row per page forever, redirects and next links to another origin,
// echoed keys, absurd ranges and filter fan-outs. For every case it checks that the plugin
// answers (an error or a bounded result) within a generous time bound, that its peak RSS
// (VmHWM) stays under 400 MiB, that it sent no more requests than the case allows, and that the
// same process still answers afterwards.
//
// It is behind the "hostile" build tag so that `go test ./...` never runs it:
// scripts/test-all.sh runs it with `go test -tags hostile ./tests/hostile/`.
package hostile
