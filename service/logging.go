package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// newLogger returns a JSON logger writing to w, and the LevelVar that the
// admin endpoint PUT /admin/log-level changes at runtime.
func newLogger(w io.Writer, level slog.Level) (*slog.Logger, *slog.LevelVar) {
	lv := new(slog.LevelVar)
	lv.Set(level)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv})), lv
}

// parseLevel accepts debug, info, warn and error, in any case.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q: want debug, info, warn or error", s)
}

// levelName is the inverse of parseLevel.
func levelName(l slog.Level) string {
	return strings.ToLower(l.String())
}
