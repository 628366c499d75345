package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// httpdSuite serves static files from a web server in the runtime to ab on
// the host (the guide's httpd100k figure: apache, ab, 1 to 25 connections).
type httpdSuite struct {
	nginx, apache string // apache is empty when not installed
	docroot       string
	client        *loadClient
}

// httpdFile is one file served: its name and size. The 404 case asks for a
// file that does not exist.
type httpdFile struct {
	label, name string
	size        int64
}

var httpdFiles = []httpdFile{
	{"404", "notfound", 0},
	{"1k", "latin1k.txt", 1 << 10},
	{"100k", "latin100k.txt", 100 << 10},
	{"10m", "latin10240k.txt", 10 << 20},
}

var httpdConns = []int{1, 5, 10, 25}

func (s *httpdSuite) Name() string { return "httpd" }
func (s *httpdSuite) Describe() string {
	return "Static files (guide figure \"httpd100k\"): nginx (and apache2 when installed) in the runtime serve 1 KiB, 100 KiB and 10 MiB files and a 404 to ab at 1, 5, 10 and 25 connections; transfer rate and mean latency"
}
func (s *httpdSuite) Needs() string {
	return "nginx, ab (or wrk), dd; apache2 optional; host networking in the runtime"
}
func (s *httpdSuite) Packages() []string { return []string{"nginx", "apache2", "apache2-utils"} }

// requests is the ab request count for a file: fewer for big files, so a
// run moves at most about 1 GB.
func (s *httpdSuite) requests(env *Env, f httpdFile) int {
	n := 2000
	if f.size >= 10<<20 {
		n = 100
	}
	if env.Quick {
		n /= 4
	}
	return n
}

func (s *httpdSuite) Notes(env *Env) []string {
	notes := []string{
		fmt.Sprintf("ab requests per load: %d for the 404, 1k and 100k cases, %d for 10m (the guide: 5000, and its published figure most likely measured the 404 path: see guide-figures.md).",
			s.requests(env, httpdFiles[1]), s.requests(env, httpdFiles[3])),
		"Files are made with dd from /dev/zero in a host directory that the sandbox sees through its root. nginx runs as one process (`daemon off; master_process off`), apache2 with `-X`, as the guide ran it.",
	}
	if s.client != nil && s.client.kind == "wrk" {
		notes = append(notes, "Client: wrk (ab is not installed); wrk runs for a time, not a request count.")
	}
	if s.nginx != "" && s.apache == "" {
		notes = append(notes, "apache2 is not installed: nginx only.")
	}
	return notes
}

func (s *httpdSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	if s.client, err = findLoadClient(); err != nil {
		return err
	}
	if s.nginx, err = lookTool("nginx"); err != nil {
		return err
	}
	if p, err := lookTool("apache2"); err == nil {
		s.apache = p
	}
	dd, err := lookTool("dd")
	if err != nil {
		return err
	}
	s.docroot = filepath.Join(env.WorkDir, "httpd", "html")
	if err := os.MkdirAll(s.docroot, 0o755); err != nil {
		return err
	}
	for _, f := range httpdFiles {
		if f.size == 0 {
			continue
		}
		if _, err := runHost(ctx, env, dd, "if=/dev/zero", "of="+filepath.Join(s.docroot, f.name),
			"bs=1024", "count="+strconv.FormatInt(f.size/1024, 10), "status=none"); err != nil {
			return fmt.Errorf("dd: %v", err)
		}
	}
	return nil
}

func (s *httpdSuite) servers() []string {
	srv := []string{"nginx"}
	if s.apache != "" {
		srv = append(srv, "apache2")
	}
	return srv
}

func (s *httpdSuite) Workloads(env *Env) []Workload {
	rate := Metric{Name: "transfer_rate", Unit: "KiB/s"}
	lat := Metric{Name: "latency", Unit: "ms", LowerIsBetter: true}
	servers := s.servers()
	if s.nginx == "" { // not prepared: list apache2's rows too
		servers = []string{"nginx", "apache2"}
	}
	var ws []Workload
	for _, srv := range servers {
		w := Workload{Name: srv, Run: func(ctx context.Context, env *Env, rt Runtime) ([]float64, error) {
			return s.run(ctx, env, rt, srv)
		}}
		for _, f := range httpdFiles {
			for _, c := range httpdConns {
				name := fmt.Sprintf("%s-%s/c=%d", srv, f.label, c)
				w.Outputs = append(w.Outputs, Output{Workload: name, Metric: rate}, Output{Workload: name, Metric: lat})
			}
		}
		ws = append(ws, w)
	}
	return ws
}

// run starts one server and puts every file and concurrency on it.
func (s *httpdSuite) run(ctx context.Context, env *Env, rt Runtime, server string) ([]float64, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Join(env.WorkDir, "httpd"), server+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	var argv []string
	switch server {
	case "nginx":
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(nginxConf(port, s.docroot, dir)), 0o644); err != nil {
			return nil, err
		}
		argv = []string{s.nginx, "-p", dir, "-c", conf, "-e", "stderr"}
	case "apache2":
		conf := filepath.Join(dir, "apache2.conf")
		if err := os.WriteFile(conf, []byte(apacheConf(port, s.docroot, dir)), 0o644); err != nil {
			return nil, err
		}
		argv = []string{s.apache, "-X", "-f", conf}
	}
	p, err := startProc(ctx, env, rt, Spec{Argv: argv, HostNetwork: true})
	if err != nil {
		return nil, err
	}
	defer p.stop()
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := waitHTTP(ctx, p, base); err != nil {
		return nil, err
	}
	var vs []float64
	for _, f := range httpdFiles {
		for _, c := range httpdConns {
			res, err := s.client.run(ctx, env, base+f.name, s.requests(env, f), c)
			if err != nil {
				if p.exited() {
					return nil, p.failure()
				}
				return nil, fmt.Errorf("%s c=%d: %v", f.label, c, err)
			}
			vs = append(vs, res.TransferKiBs, res.LatencyMS)
		}
	}
	return vs, nil
}

// nginxConf is a one-process nginx serving root on 127.0.0.1:port, with
// every path it writes under dir.
func nginxConf(port int, root, dir string) string {
	return fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[3]s/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 65;
	default_type application/octet-stream;
	client_body_temp_path %[3]s/body;
	proxy_temp_path %[3]s/proxy;
	fastcgi_temp_path %[3]s/fastcgi;
	uwsgi_temp_path %[3]s/uwsgi;
	scgi_temp_path %[3]s/scgi;
	server {
		listen 127.0.0.1:%[1]d;
		root %[2]s;
		location / { }
	}
}
`, port, root, dir)
}

// apacheConf is a minimal apache2 (Debian's modules) serving root on
// 127.0.0.1:port, with every path it writes under dir.
func apacheConf(port int, root, dir string) string {
	return fmt.Sprintf(`ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:%[1]d
PidFile %[3]s/apache2.pid
DefaultRuntimeDir %[3]s
Mutex file:%[3]s default
ErrorLog /dev/stderr
LogLevel error
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
User nobody
Group nogroup
DocumentRoot %[2]s
<Directory />
	Require all granted
</Directory>
EnableSendfile On
KeepAlive On
`, port, root, dir)
}
