// Command bare is the benchmark's baseline: a bare net/http server that answers
// every request with 200 "ok". No middleware, no logging, no metrics. With
// BARE_TIMEOUTS=1 it sets the reference service's default server limits
// (service/config.go: ReadHeaderTimeout 5s, ReadTimeout 10s, WriteTimeout 10s,
// IdleTimeout 60s, MaxHeaderBytes 16 KiB), so the report can tell the cost of
// those limits from the cost of the service's own code.
package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	srv := &http.Server{Addr: "0.0.0.0:" + port}
	if os.Getenv("BARE_TIMEOUTS") == "1" {
		srv.ReadHeaderTimeout = 5 * time.Second
		srv.ReadTimeout = 10 * time.Second
		srv.WriteTimeout = 10 * time.Second
		srv.IdleTimeout = 60 * time.Second
		srv.MaxHeaderBytes = 16 << 10
	}
	log.Fatal(srv.ListenAndServe())
}
