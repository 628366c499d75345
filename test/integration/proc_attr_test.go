package integration

import "testing"

// procAttrPrograms check credentials, prctl(2), scheduling attributes and
// resource usage (testdata/creds_*.c, prctl_*.c, sched_*.c, rusage_*.c).
// Each runs natively and in moat, as root; the two runs must print the
// same and end the same way.
var procAttrPrograms = []string{
	"creds_ids",
	"creds_caps",
	"creds_groups",
	"creds_threads",
	"prctl_basic",
	"prctl_caps",
	"prctl_inherit",
	"sched_policy",
	"sched_nice",
	"sched_affinity",
	"rusage_basic",
	"rusage_times",
}

func TestProcAttrPrograms(t *testing.T) { comparePrograms(t, procAttrPrograms) }
