package bench

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
)

//go:embed helpers/app.py
var appPy []byte

//go:embed helpers/app.js
var appJS []byte

// redisKeys is how many values the http apps pick from.
const redisKeys = 100

// httpSuite measures web apps that render a template from values fetched
// from a redis sidecar (the guide's "Network" applications figure: node and
// ruby apps, ab with 25 connections).
type httpSuite struct {
	appPy, appJS string
	redis        string
	client       *loadClient
}

func (s *httpSuite) Name() string { return "http" }
func (s *httpSuite) Describe() string {
	return "Web applications (guide figure \"applications\"): a Node (http module) and a Python app render a template from 4 values fetched from a redis sidecar; requests/s and mean latency under 25 connections"
}
func (s *httpSuite) Needs() string {
	return "node, python3, redis-server, ab (or wrk); host networking in the runtime"
}
func (s *httpSuite) Packages() []string {
	return []string{"nodejs", "python3", "redis-server", "apache2-utils"}
}

func (s *httpSuite) requests(env *Env) int {
	if env.Quick {
		return 1000
	}
	return 5000
}

func (s *httpSuite) Notes(env *Env) []string {
	client := "`ab`"
	if s.client != nil {
		client = s.client.describe(s.requests(env), 25)
	}
	return []string{
		fmt.Sprintf("Client: %s from the host (the guide: `ab -n 5000 -c 25`).", client),
		"The apps use no npm modules or gems (none can be fetched here): Node's http module and Python's http.server (threaded), each with a small RESP client; the guide's were express+hbs and sinatra+puma. Python stands in for ruby.",
		"The redis sidecar runs natively and holds 100 values of 1 KiB; each request GETs 4 of them at random, so only the app is under the runtime.",
	}
}

func (s *httpSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	if s.client, err = findLoadClient(); err != nil {
		return err
	}
	if s.redis, err = lookTool("redis-server"); err != nil {
		return err
	}
	if s.appPy, err = writeHelperFile(env, "app.py", appPy); err != nil {
		return err
	}
	s.appJS, err = writeHelperFile(env, "app.js", appJS)
	return err
}

func (s *httpSuite) Workloads(env *Env) []Workload {
	rps := Metric{Name: "requests_per_second", Unit: "requests/s"}
	lat := Metric{Name: "latency", Unit: "ms", LowerIsBetter: true}
	var ws []Workload
	for _, app := range []struct{ name, interp string }{{"node", "node"}, {"python", "python3"}} {
		ws = append(ws, Workload{
			Name:    app.name,
			Outputs: []Output{{Workload: app.name, Metric: rps}, {Workload: app.name, Metric: lat}},
			Run: func(ctx context.Context, env *Env, rt Runtime) ([]float64, error) {
				script := s.appJS
				if app.interp == "python3" {
					script = s.appPy
				}
				return s.run(ctx, env, rt, app.interp, script)
			},
		})
	}
	return ws
}

func (s *httpSuite) run(ctx context.Context, env *Env, rt Runtime, interp, script string) ([]float64, error) {
	bin, err := lookTool(interp)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	appPort, redisPort := ports[0], ports[1]
	sidecar, err := startProc(ctx, env, nativeRuntime{}, Spec{Argv: redisServerArgv(s.redis, redisPort)})
	if err != nil {
		return nil, err
	}
	defer sidecar.stop()
	raddr := fmt.Sprintf("127.0.0.1:%d", redisPort)
	if err := waitTCP(ctx, sidecar, raddr); err != nil {
		return nil, fmt.Errorf("redis sidecar: %v", err)
	}
	if err := fillRedis(raddr, redisKeys, 1024); err != nil {
		return nil, fmt.Errorf("redis sidecar: %v", err)
	}
	app, err := startProc(ctx, env, rt, Spec{Argv: []string{bin, script, strconv.Itoa(appPort), strconv.Itoa(redisPort)}, HostNetwork: true})
	if err != nil {
		return nil, err
	}
	defer app.stop()
	url := fmt.Sprintf("http://127.0.0.1:%d/", appPort)
	if err := waitHTTP(ctx, app, url); err != nil {
		return nil, err
	}
	res, err := s.client.run(ctx, env, url, s.requests(env), 25)
	if err != nil {
		if app.exited() {
			return nil, app.failure()
		}
		return nil, err
	}
	return []float64{res.RPS, res.LatencyMS}, nil
}

// fillRedis stores n random printable values of size bytes under key:0 ..
// key:n-1, over one pipelined connection.
func fillRedis(addr string, n, size int) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	w := bufio.NewWriter(c)
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	val := make([]byte, size)
	for i := range n {
		for j := range val {
			val[j] = letters[rand.IntN(len(letters))]
		}
		key := "key:" + strconv.Itoa(i)
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(key), key, len(val), val)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	r := bufio.NewReader(c)
	for range n {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+OK") {
			return fmt.Errorf("SET: %s", strings.TrimSpace(line))
		}
	}
	return nil
}
