// Package deploy holds no code: it is a Go module of its own so that the tests that check
// deploy/'s files (Kubernetes manifests decoded strictly into the API types, Prometheus rules
// parsed as Prometheus parses them, the Grafana dashboard's queries, the Compose file and the
// .env example) keep their dependencies out of modbot's go.mod. Run them with
//
//	cd deploy && go test ./...
package deploy
