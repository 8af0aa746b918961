package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestGreetingName(t *testing.T) {
	tests := []struct {
		raw     string
		want    string
		wantErr error
	}{
		{"", "world", nil},
		{"   ", "world", nil},
		{"Ada", "Ada", nil},
		{"  Ada Lovelace\t", "Ada Lovelace", nil},
		{"Zoë", "Zoë", nil},
		{"世界", "世界", nil},
		{strings.Repeat("é", 64), strings.Repeat("é", 64), nil},
		{" " + strings.Repeat("a", 64) + " ", strings.Repeat("a", 64), nil},
		{strings.Repeat("a", 65), "", errNameTooLong},
		{"a\x00b", "", errNameControl},
		{"a\nb", "", errNameControl},
		{"a\x7fb", "", errNameControl},
		{"a\u0085b", "", errNameControl},          // NEL, a C1 control
		{"evil\u202egnp.exe", "", errNameControl}, // right-to-left override
		{"zero\u200bwidth", "", errNameControl},   // zero-width space
		{"\xff", "", errNameInvalidUTF8},
		{"a\xc3", "", errNameInvalidUTF8},
	}
	for _, tt := range tests {
		got, err := greetingName(tt.raw)
		if got != tt.want || err != tt.wantErr {
			t.Errorf("greetingName(%q) = %q, %v; want %q, %v", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzGreetingName(f *testing.F) {
	for _, seed := range []string{
		"", " ", "Ada", " Ada Lovelace ", "Zoë", "世界", "a\x00b", "\xff", "a\u202eb",
		strings.Repeat("é", 64), strings.Repeat("a", 65), "\u00a0x\u00a0", "\u3000", "%41", "<script>",
	} {
		f.Add(seed)
	}
	handler := handleGreeting()
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := greetingName(raw)

		// The request is built directly rather than parsed by
		// httptest.NewRequest: parsing draws on sync.Pools, whose hits depend
		// on GC, and that nondeterministic coverage stalls the fuzzer's
		// minimizer (execs stuck at 0/sec).
		req := &http.Request{
			Method: http.MethodGet,
			URL:    &url.URL{Path: "/", RawQuery: url.Values{"name": {raw}}.Encode()},
			Header: http.Header{},
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)

		if err != nil {
			if name != "" {
				t.Errorf("greetingName(%q) = %q with error %v, want no name", raw, name, err)
			}
			if rec.Code != http.StatusBadRequest {
				t.Errorf("handler status %d for rejected %q, want 400", rec.Code, raw)
			}
			return
		}
		if !utf8.ValidString(name) {
			t.Errorf("accepted name %q is not valid UTF-8", name)
		}
		if n := utf8.RuneCountInString(name); n > maxNameRunes || n == 0 {
			t.Errorf("accepted name %q has %d runes, want 1..%d", name, n, maxNameRunes)
		}
		if name != strings.TrimSpace(name) {
			t.Errorf("accepted name %q is not trimmed", name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("accepted name %q contains control or format rune %U", name, r)
			}
		}
		if rec.Code != http.StatusOK || rec.Body.String() != "Hello, "+name+"!" {
			t.Errorf("handler for %q = %d %q, want 200 %q", raw, rec.Code, rec.Body.String(), "Hello, "+name+"!")
		}
	})
}

// FuzzNameParam holds nameParam to what it stands for, url.ParseQuery's Get.
func FuzzNameParam(f *testing.F) {
	for _, seed := range []string{
		"", "name=", "name=bench", "name=Ada+Lovelace", "name=%41da", "name=%zz", "name=a=b",
		"name=a;b", "x=1&name=2", "name=1&name=2", "nam%65=Ada", "name", "name=\xff", "=x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		if got, want := nameParam(rawQuery), q.Get("name"); got != want {
			t.Errorf("nameParam(%q) = %q, want %q (url.ParseQuery)", rawQuery, got, want)
		}
	})
}
