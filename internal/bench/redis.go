package bench

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// redisOps are the guide's 17 operations, in its order. redis-benchmark 6
// and later call PING_BULK PING_MBULK.
var redisOps = []string{"PING_INLINE", "PING_BULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP",
	"SADD", "HSET", "SPOP", "LRANGE_100", "LRANGE_300", "LRANGE_500", "LRANGE_600", "MSET"}

// redisSuite runs redis-server under the runtime and redis-benchmark from
// the host against it (the guide's "System calls" redis figure).
type redisSuite struct {
	server, bench string
}

func (s *redisSuite) Name() string { return "redis" }
func (s *redisSuite) Describe() string {
	return "redis (guide figure \"redis\"): redis-server in the runtime, `redis-benchmark --csv -c 50` from the host, requests/s for the guide's 17 operations"
}
func (s *redisSuite) Needs() string {
	return "redis-server, redis-benchmark; host networking in the runtime"
}
func (s *redisSuite) Packages() []string { return []string{"redis-server", "redis-tools"} }

func (s *redisSuite) requests(env *Env) int {
	if env.Quick {
		return 10_000
	}
	return 100_000
}

func (s *redisSuite) Notes(env *Env) []string {
	return []string{fmt.Sprintf("`-n %d -c 50` (the guide: -n 100000, its default); client and server share this machine's cores over loopback, where the guide used two machines.", s.requests(env))}
}

func (s *redisSuite) Prepare(ctx context.Context, env *Env) error {
	bins, err := lookTools("redis-server", "redis-benchmark")
	if err != nil {
		return err
	}
	s.server, s.bench = bins[0], bins[1]
	return nil
}

func (s *redisSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "requests_per_second", Unit: "requests/s"}
	w := Workload{Name: "redis-benchmark", Run: s.run}
	for _, op := range redisOps {
		w.Outputs = append(w.Outputs, Output{Workload: op, Metric: m})
	}
	return []Workload{w}
}

func (s *redisSuite) run(ctx context.Context, env *Env, rt Runtime) ([]float64, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p, err := startProc(ctx, env, rt, Spec{Argv: redisServerArgv(s.server, port), HostNetwork: true})
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if err := waitTCP(ctx, p, fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		return nil, err
	}
	out, err := runHost(ctx, env, s.bench, "--csv", "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-n", strconv.Itoa(s.requests(env)), "-c", "50",
		"-t", "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange,mset")
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark: %v", err)
	}
	if p.exited() {
		return nil, p.failure()
	}
	rps, err := parseRedisCSV(string(out))
	if err != nil {
		return nil, err
	}
	vs := make([]float64, len(redisOps))
	for i, op := range redisOps {
		v, ok := rps[op]
		if !ok {
			return nil, fmt.Errorf("redis-benchmark reported no %s", op)
		}
		vs[i] = v
	}
	return vs, nil
}

// parseRedisCSV reads redis-benchmark --csv output ("TEST","RPS",...; a
// header line in redis 6 and later) into requests/s by test name.
func parseRedisCSV(out string) (map[string]float64, error) {
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		// redis-benchmark may print progress lines; keep the CSV ones.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, `"`) {
				keep = append(keep, l)
			}
		}
		rows, err = csv.NewReader(strings.NewReader(strings.Join(keep, "\n"))).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("redis-benchmark CSV: %v", err)
		}
	}
	rps := map[string]float64{}
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			continue // the header
		}
		name := strings.SplitN(r[0], " ", 2)[0] // "LPUSH (needed to benchmark LRANGE)"
		if name == "PING_MBULK" {
			name = "PING_BULK"
		}
		if _, dup := rps[name]; !dup {
			rps[name] = v
		}
	}
	if len(rps) == 0 {
		return nil, fmt.Errorf("redis-benchmark printed no results")
	}
	return rps, nil
}
