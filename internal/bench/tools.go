package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// toolPackages maps each host tool the suites use to the Debian package that
// ships it.
var toolPackages = map[string]string{
	"gcc":             "gcc libc6-dev",
	"python3":         "python3",
	"node":            "nodejs",
	"sysbench":        "sysbench",
	"fio":             "fio",
	"redis-server":    "redis-server",
	"redis-benchmark": "redis-tools",
	"nginx":           "nginx",
	"apache2":         "apache2",
	"ab":              "apache2-utils",
	"wrk":             "wrk",
	"iperf3":          "iperf3",
	"ffmpeg":          "ffmpeg",
	"true":            "coreutils",
	"sleep":           "coreutils",
}

// lookTool finds a host tool by name: on PATH, then in the sbin directories
// that a non-root PATH may lack. Python is Debian's /usr/bin/python3 when
// there is one: the ml suite needs Debian's numpy or torch, which a python3
// earlier on PATH (pyenv, a venv) may not see.
func lookTool(name string) (string, error) {
	if name == "python3" {
		if fi, err := os.Stat("/usr/bin/python3"); err == nil && fi.Mode()&0o111 != 0 {
			return "/usr/bin/python3", nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, nil
		}
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if pkg, ok := toolPackages[name]; ok {
		return "", fmt.Errorf("%s not found: install the Debian package %s (see 'moat bench deps')", name, pkg)
	}
	return "", fmt.Errorf("%s not found", name)
}

// lookTools finds several tools; the error names every missing one and the
// packages that ship them.
func lookTools(names ...string) ([]string, error) {
	var paths, missing, pkgs []string
	for _, n := range names {
		p, err := lookTool(n)
		if err != nil {
			missing = append(missing, n)
			if pkg, ok := toolPackages[n]; ok && !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
		paths = append(paths, p)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s not found: apt-get install %s", strings.Join(missing, ", "), strings.Join(pkgs, " "))
	}
	return paths, nil
}

// Packages returns the Debian packages the suites need, sorted, without
// duplicates.
func Packages(suites []Suite) []string {
	var pkgs []string
	for _, s := range suites {
		for _, p := range s.Packages() {
			for _, f := range strings.Fields(p) {
				if !slices.Contains(pkgs, f) {
					pkgs = append(pkgs, f)
				}
			}
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// MissingPackages returns those of pkgs that dpkg does not list as installed,
// or all of them when dpkg-query cannot be run.
func MissingPackages(pkgs []string) []string {
	var missing []string
	for _, p := range pkgs {
		out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", p).Output()
		if err != nil || !strings.Contains(string(out), "install ok installed") {
			missing = append(missing, p)
		}
	}
	return missing
}
