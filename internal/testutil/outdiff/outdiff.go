// Package outdiff describes where two program outputs first differ, for
// the tests that compare a program's run in moat with its native run.
package outdiff

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Diff context: lines shown before the first difference, and differing
// lines shown from each side.
const (
	diffBefore = 3
	diffAfter  = 8
)

// Diff describes where native and moat output first differ, or returns ""
// when they are equal.
func Diff(what string, native, moat []byte) string {
	if bytes.Equal(native, moat) {
		return ""
	}
	a, b := splitLines(native), splitLines(moat)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s differs from line %d (native: %d lines, moat: %d lines):\n", what, i+1, len(a), len(b))
	for j := max(0, i-diffBefore); j < i; j++ {
		fmt.Fprintf(&sb, "          %s\n", showLine(a[j]))
	}
	side := func(label string, lines []string) {
		if i >= len(lines) {
			fmt.Fprintf(&sb, "  %s (end of output)\n", label)
			return
		}
		for j := i; j < len(lines) && j < i+diffAfter; j++ {
			fmt.Fprintf(&sb, "  %s %s\n", label, showLine(lines[j]))
			label = strings.Repeat(" ", len(label))
		}
		if n := len(lines) - (i + diffAfter); n > 0 {
			fmt.Fprintf(&sb, "  %s ... %d more lines\n", label, n)
		}
	}
	side("native:", a)
	side("moat:  ", b)
	return strings.TrimSuffix(sb.String(), "\n")
}

// splitLines splits output after each newline; a last line without one
// keeps no newline, so that difference shows.
func splitLines(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		lines = append(lines, string(b[:n]))
		b = b[n:]
	}
	return lines
}

// showLine prints a line plainly when it is printable text, quoted
// otherwise, and marks a missing final newline.
func showLine(l string) string {
	body, nl := strings.CutSuffix(l, "\n")
	plain := utf8.ValidString(body) && !strings.ContainsFunc(body, func(r rune) bool {
		return r < ' ' && r != '\t' || r == 0x7f
	})
	if !plain {
		body = strconv.Quote(body)
	}
	if !nl {
		body += "  [no newline at end]"
	}
	return body
}
