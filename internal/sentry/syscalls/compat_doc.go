package syscalls

import (
	"fmt"
	"sort"
	"strings"
)

// CompatibilityMarkdown renders docs/COMPATIBILITY.md from the table: every
// x86-64 system call number with its status.
func CompatibilityMarkdown() string {
	impl := Implemented()
	var nrs []uintptr
	for nr := range names {
		nrs = append(nrs, nr)
	}
	for nr := range impl {
		if _, ok := names[nr]; !ok {
			nrs = append(nrs, nr)
		}
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	full, partial := 0, 0
	for _, s := range impl {
		if s.Status == Partial {
			partial++
		} else {
			full++
		}
	}
	var b strings.Builder
	b.WriteString("# System call compatibility\n\n")
	b.WriteString("Generated from the Sentry's system call table " +
		"(`go test ./internal/sentry/syscalls -run TestCompatibilityDoc -update`); a test fails when it is out of date.\n\n")
	fmt.Fprintf(&b, "x86-64 system calls: %d known, %d implemented (%d partially), %d return ENOSYS.\n\n",
		len(nrs), full+partial, partial, len(nrs)-full-partial)
	b.WriteString("32-bit entry points (`int 0x80`, `sysenter`) return ENOSYS.\n\n")
	b.WriteString("| nr | name | status | notes |\n|---:|---|---|---|\n")
	for _, nr := range nrs {
		name := Name(nr)
		status, note := "ENOSYS", ""
		if s, ok := impl[nr]; ok {
			status = "implemented"
			if s.Status == Partial {
				status = "partial"
				note = s.Note
			}
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", nr, name, status, note)
	}
	return b.String()
}
