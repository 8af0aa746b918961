// Command bare is the benchmark's baseline: a bare net/http server that answers
// every request with 200 "ok". No middleware, no logging, no metrics, no
// timeouts: what the reference service is measured against.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, nil))
}
