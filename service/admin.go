package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

type logLevelBody struct {
	Level string `json:"level"`
}

// handleGetLogLevel answers {"level":"info"}.
func handleGetLogLevel(level *slog.LevelVar) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, logLevelBody{Level: levelName(level.Level())})
	})
}

// handleSetLogLevel accepts {"level":"debug"} or a plain "debug" body and
// answers 200 with the new level, or 400.
func handleSetLogLevel(logger *slog.Logger, level *slog.LevelVar) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
		if err != nil {
			http.Error(w, "bad request: body too large or unreadable", http.StatusBadRequest)
			return
		}
		name := strings.TrimSpace(string(raw))
		if strings.HasPrefix(name, "{") {
			var body logLevelBody
			if err := json.Unmarshal([]byte(name), &body); err != nil {
				http.Error(w, `bad request: want {"level":"debug|info|warn|error"}`, http.StatusBadRequest)
				return
			}
			name = body.Level
		}
		lvl, err := parseLevel(name)
		if err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		old := level.Level()
		level.Set(lvl)
		logger.Info("log level changed", "from", levelName(old), "to", levelName(lvl))
		writeJSON(w, http.StatusOK, logLevelBody{Level: levelName(lvl)})
	})
}
