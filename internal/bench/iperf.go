package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// iperfSuite measures TCP throughput over loopback between iperf3 in the
// runtime and iperf3 on the host (the guide's "Network" iperf figure).
type iperfSuite struct {
	bin string
}

func (s *iperfSuite) Name() string { return "iperf" }
func (s *iperfSuite) Describe() string {
	return "Network throughput (guide figure \"iperf\"): iperf3 over loopback with a native peer; upload (the runtime is the client and sends) and download (the runtime is the server and receives)"
}
func (s *iperfSuite) Needs() string      { return "iperf3; host networking in the runtime" }
func (s *iperfSuite) Packages() []string { return []string{"iperf3"} }

func (s *iperfSuite) seconds(env *Env) int {
	if env.Quick {
		return 2
	}
	return 10
}

func (s *iperfSuite) Notes(env *Env) []string {
	return []string{fmt.Sprintf("iperf3 for %d s per run (the guide: iperf 2, 10 s, between two machines); both ends share this machine's cores over loopback, so the figure shows what the sandbox's network path costs in CPU more than any wire's speed.", s.seconds(env))}
}

func (s *iperfSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	s.bin, err = lookTool("iperf3")
	return err
}

func (s *iperfSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "throughput", Unit: "Gbit/s"}
	return []Workload{
		single("upload", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.run(ctx, env, rt, true)
		}),
		single("download", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.run(ctx, env, rt, false)
		}),
	}
}

// run starts the server (under rt for download, natively for upload), then
// the client (the other way round), and reads the client's report.
func (s *iperfSuite) run(ctx context.Context, env *Env, rt Runtime, upload bool) (float64, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	serverRT, clientRT := Runtime(nativeRuntime{}), rt
	if !upload {
		serverRT, clientRT = rt, nativeRuntime{}
	}
	srv, err := startProc(ctx, env, serverRT, Spec{Argv: []string{s.bin, "-s", "-1", "-B", "127.0.0.1", "-p", strconv.Itoa(port)}, HostNetwork: true})
	if err != nil {
		return 0, err
	}
	defer srv.stop()
	if err := waitListen(ctx, srv, port); err != nil {
		return 0, err
	}
	out, err := runSpec(ctx, env, clientRT, Spec{Argv: []string{s.bin, "-c", "127.0.0.1", "-p", strconv.Itoa(port),
		"-t", strconv.Itoa(s.seconds(env)), "-J"}, HostNetwork: true})
	if err != nil {
		if srv.exited() {
			return 0, srv.failure()
		}
		return 0, err
	}
	return parseIperfJSON(out)
}

// parseIperfJSON reads the receiver's throughput from iperf3 -J output, in
// Gbit/s.
func parseIperfJSON(out []byte) (float64, error) {
	i := strings.IndexByte(string(out), '{')
	if i < 0 {
		return 0, fmt.Errorf("unparsable iperf3 output: %q", FirstLine(string(out)))
	}
	var r struct {
		Error string `json:"error"`
		End   struct {
			SumReceived struct {
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		} `json:"end"`
	}
	if err := json.Unmarshal(out[i:], &r); err != nil {
		return 0, fmt.Errorf("iperf3's JSON: %v", err)
	}
	if r.Error != "" {
		return 0, fmt.Errorf("iperf3: %s", r.Error)
	}
	if r.End.SumReceived.BitsPerSecond <= 0 {
		return 0, fmt.Errorf("iperf3 reported no throughput")
	}
	return r.End.SumReceived.BitsPerSecond / 1e9, nil
}
