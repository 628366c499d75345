package bench

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// loadClient is the HTTP load generator run natively against a server in
// the runtime: ApacheBench (ab) as the guide used, else wrk.
type loadClient struct {
	kind string // "ab" or "wrk"
	bin  string
}

// loadResult is what one load run measured.
type loadResult struct {
	RPS          float64 // requests per second
	LatencyMS    float64 // mean time per request, per connection
	TransferKiBs float64 // body and headers received, KiB/s
}

// findLoadClient prefers ab and falls back to wrk.
func findLoadClient() (*loadClient, error) {
	if p, err := lookTool("ab"); err == nil {
		return &loadClient{kind: "ab", bin: p}, nil
	}
	if p, err := lookTool("wrk"); err == nil {
		return &loadClient{kind: "wrk", bin: p}, nil
	}
	return nil, fmt.Errorf("neither ab nor wrk found: apt-get install apache2-utils (or wrk)")
}

// describe says how the client is run, for the notes.
func (c *loadClient) describe(n, conc int) string {
	if c.kind == "ab" {
		return fmt.Sprintf("`ab -n %d -c %d`", n, conc)
	}
	return fmt.Sprintf("`wrk -c %d -d %ds` (ab not installed)", conc, wrkSeconds(n))
}

// wrkSeconds turns a request count into a wrk duration: wrk runs for a time,
// not a count.
func wrkSeconds(n int) int {
	return max(1, min(10, n/1000))
}

// run puts n requests (ab) or a comparable time (wrk) on url with conc
// connections.
func (c *loadClient) run(ctx context.Context, env *Env, url string, n, conc int) (loadResult, error) {
	if c.kind == "ab" {
		out, err := runHost(ctx, env, c.bin, "-q", "-n", strconv.Itoa(n), "-c", strconv.Itoa(conc), url)
		if err != nil {
			return loadResult{}, fmt.Errorf("ab: %v", err)
		}
		return parseAB(string(out))
	}
	threads := min(conc, 2)
	out, err := runHost(ctx, env, c.bin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conc),
		"-d", strconv.Itoa(wrkSeconds(n))+"s", url)
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk: %v", err)
	}
	return parseWrk(string(out))
}

var (
	abRPSRE      = regexp.MustCompile(`Requests per second:\s*([0-9.]+)`)
	abLatencyRE  = regexp.MustCompile(`Time per request:\s*([0-9.]+) \[ms\] \(mean\)`)
	abTransferRE = regexp.MustCompile(`Transfer rate:\s*([0-9.]+) \[Kbytes/sec\]`)
	abCompleteRE = regexp.MustCompile(`Complete requests:\s*([0-9]+)`)
	abFailedRE   = regexp.MustCompile(`Failed requests:\s*([0-9]+)`)
)

// parseAB reads ab's report. Failed requests (connection errors, wrong
// lengths) fail the run; non-2xx answers do not (the 404 workload wants
// them).
func parseAB(out string) (loadResult, error) {
	var r loadResult
	var err error
	if r.RPS, err = parseFloatRE(abRPSRE, out); err != nil {
		return r, err
	}
	if r.LatencyMS, err = parseFloatRE(abLatencyRE, out); err != nil {
		return r, err
	}
	if r.TransferKiBs, err = parseFloatRE(abTransferRE, out); err != nil {
		return r, err
	}
	if m := abFailedRE.FindStringSubmatch(out); m != nil && m[1] != "0" {
		complete := "?"
		if c := abCompleteRE.FindStringSubmatch(out); c != nil {
			complete = c[1]
		}
		return r, fmt.Errorf("ab: %s of %s requests failed", m[1], complete)
	}
	return r, nil
}

var (
	wrkRPSRE      = regexp.MustCompile(`Requests/sec:\s*([0-9.]+)`)
	wrkTransferRE = regexp.MustCompile(`Transfer/sec:\s*([0-9.]+)([KMGT]?B)`)
	wrkLatencyRE  = regexp.MustCompile(`Latency\s+([0-9.]+)(us|ms|s|m)\b`)
	wrkErrorsRE   = regexp.MustCompile(`Socket errors: (.*)`)
)

// parseWrk reads wrk's report.
func parseWrk(out string) (loadResult, error) {
	var r loadResult
	var err error
	if r.RPS, err = parseFloatRE(wrkRPSRE, out); err != nil {
		return r, err
	}
	m := wrkLatencyRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("unparsable wrk output: no latency")
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	r.LatencyMS = v * map[string]float64{"us": 1e-3, "ms": 1, "s": 1e3, "m": 60e3}[m[2]]
	t := wrkTransferRE.FindStringSubmatch(out)
	if t == nil {
		return r, fmt.Errorf("unparsable wrk output: no transfer rate")
	}
	v, _ = strconv.ParseFloat(t[1], 64)
	r.TransferKiBs = v * map[string]float64{"B": 1.0 / 1024, "KB": 1, "MB": 1024, "GB": 1 << 20, "TB": 1 << 30}[t[2]]
	if e := wrkErrorsRE.FindStringSubmatch(out); e != nil && !strings.Contains(e[1], "connect 0, read 0, write 0, timeout 0") {
		return r, fmt.Errorf("wrk: socket errors: %s", strings.TrimSpace(e[1]))
	}
	return r, nil
}
