package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fioSuite runs fio's sync engine (the guide's "File system" figures, fio
// and fio-tmpfs) on three places: a host directory bind-mounted into the
// sandbox, the sandbox's own tmpfs, and the sandbox's root filesystem.
type fioSuite struct {
	bin string
}

func (s *fioSuite) Name() string { return "fio" }
func (s *fioSuite) Describe() string {
	return "File system (guide figures \"fio\" and \"fio-tmpfs\"): `fio --ioengine=sync`, read, write, randread, randwrite with 1 MiB and 4 KiB blocks on a bind mount, the sandbox's tmpfs and its root; bandwidth"
}
func (s *fioSuite) Needs() string      { return "fio" }
func (s *fioSuite) Packages() []string { return []string{"fio"} }

// fioSize is the file size in MiB; fioCap bounds one job in seconds.
func fioSize(env *Env) int {
	if env.Quick {
		return 64
	}
	return 256
}

func fioCap(env *Env) int {
	if env.Quick {
		return 2
	}
	return 10
}

func (s *fioSuite) Notes(env *Env) []string {
	return []string{
		fmt.Sprintf("A %d MiB file (the guide: 1 GiB), each job capped at %d s (`--runtime`); bandwidth is what fio reports for the job.", fioSize(env), fioCap(env)),
		"Places: `bind` is a host directory on the root disk, mounted at /data (`moat do --volume=HOST:/data`, a bind mount in an OCI bundle; natively the directory itself); `tmpfs` is the sandbox's own tmpfs at /tmp (natively a directory on the host's /dev/shm); `root` is a directory on the sandbox's root filesystem. moat's and runsc's roots are in-memory overlays over the host's root, so their `root` rows measure memory while native and runc write the host's disk.",
		"Read jobs lay the file out first when it is missing (fio does, outside the timed part) and start with its page cache dropped (fio's default `--invalidate=1`); on a tmpfs or an in-memory overlay there is no disk to fall back on.",
	}
}

func (s *fioSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	s.bin, err = lookTool("fio")
	if err != nil {
		return err
	}
	for _, d := range []string{"fio-bind", "fio-root"} {
		if err := os.MkdirAll(filepath.Join(env.WorkDir, d), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// fioPlace returns the spec additions and the file name for one place.
func fioPlace(env *Env, rt Runtime, place string) (Spec, string) {
	switch place {
	case "bind":
		m := Mount{Host: filepath.Join(env.WorkDir, "fio-bind"), Container: "/data"}
		return Spec{Mounts: []Mount{m}}, filepath.Join(PathIn(rt, m), "fio.dat")
	case "tmpfs":
		return Spec{Tmpfs: true}, filepath.Join(TmpDir(rt, env), "moat-bench-fio.dat")
	default: // root
		return Spec{}, filepath.Join(env.WorkDir, "fio-root", "fio.dat")
	}
}

func (s *fioSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "bandwidth", Unit: "MiB/s", LogAxis: true}
	var ws []Workload
	for _, place := range []string{"bind", "tmpfs", "root"} {
		for _, bs := range []string{"1M", "4K"} {
			for _, rw := range []string{"write", "read", "randwrite", "randread"} {
				name := fmt.Sprintf("%s/%s-%s", place, rw, bs)
				ws = append(ws, single(name, m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
					spec, file := fioPlace(env, rt, place)
					spec.Argv = []string{s.bin, "--name=bench", "--filename=" + file, "--ioengine=sync",
						"--bs=" + bs, "--rw=" + rw, "--size=" + strconv.Itoa(fioSize(env)) + "M",
						"--runtime=" + strconv.Itoa(fioCap(env)), "--output-format=json"}
					out, err := runSpec(ctx, env, rt, spec)
					if err != nil {
						return 0, err
					}
					return parseFioOutput(out, strings.Contains(rw, "read"))
				}))
			}
		}
	}
	return ws
}

// parseFioOutput reads a job's bandwidth in MiB/s from fio's JSON output
// (which warnings may precede).
func parseFioOutput(out []byte, read bool) (float64, error) {
	i := strings.IndexByte(string(out), '{')
	if i < 0 {
		if l := FirstLine(string(out)); l != "" {
			return 0, fmt.Errorf("unparsable output: %q", l)
		}
		return 0, fmt.Errorf("no output")
	}
	var r struct {
		Jobs []struct {
			Error int `json:"error"`
			Read  struct {
				BWBytes float64 `json:"bw_bytes"`
			} `json:"read"`
			Write struct {
				BWBytes float64 `json:"bw_bytes"`
			} `json:"write"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(out[i:], &r); err != nil {
		return 0, fmt.Errorf("fio's JSON: %v", err)
	}
	if len(r.Jobs) == 0 {
		return 0, fmt.Errorf("fio reported no job")
	}
	j := r.Jobs[0]
	if j.Error != 0 {
		return 0, fmt.Errorf("fio job failed with error %d", j.Error)
	}
	bw := j.Write.BWBytes
	if read {
		bw = j.Read.BWBytes
	}
	if bw <= 0 {
		return 0, fmt.Errorf("fio reported no bandwidth")
	}
	return bw / (1 << 20), nil
}
