package syscalls

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/COMPATIBILITY.md")

const compatDoc = "../../../docs/COMPATIBILITY.md"

func TestCompatibilityDoc(t *testing.T) {
	want := CompatibilityMarkdown()
	if *update {
		if err := os.WriteFile(compatDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(compatDoc)
	if err != nil || string(got) != want {
		t.Fatalf("docs/COMPATIBILITY.md is out of date with the system call table: run\n\tgo test ./internal/sentry/syscalls -run TestCompatibilityDoc -update")
	}
}

func TestEveryEntryHasAHandlerAndName(t *testing.T) {
	for nr, s := range Implemented() {
		if s.Handler == nil {
			t.Errorf("%d has no handler", nr)
		}
		if s.Name == "" || s.Name != Name(nr) {
			t.Errorf("%d is named %q, the ABI calls it %q", nr, s.Name, Name(nr))
		}
		if s.Status == Partial && s.Note == "" {
			t.Errorf("%s is partial without a note saying what is missing", s.Name)
		}
	}
}
