package main

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	defaultName  = "world"
	maxNameRunes = 64
)

var (
	errNameInvalidUTF8 = errors.New("name is not valid UTF-8")
	errNameTooLong     = errors.New("name is longer than 64 characters")
	errNameControl     = errors.New("name contains a control or formatting character")
)

// greetingName turns the raw ?name= value into the name to greet: surrounding
// white space trimmed, "world" when empty, at most 64 runes of valid UTF-8
// with no control characters (Cc) and no invisible formatting characters (Cf,
// such as bidi overrides that would make the greeting read differently).
func greetingName(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", errNameInvalidUTF8
	}
	name := strings.TrimSpace(raw)
	if name == "" {
		return defaultName, nil
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		return "", errNameTooLong
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", errNameControl
		}
	}
	return name, nil
}
