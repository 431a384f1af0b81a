package console

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ExtensionStatus is one extension as the console shows it.
type ExtensionStatus struct {
	Name     string
	Version  string
	Packages []string
	Up       bool
	PID      int
	Restarts int
	LastErr  string
}

// Source is what the console reads from the gateway.
type Source interface {
	Extensions() []ExtensionStatus
	SessionCount() int
	HandleCount() int
}

// Handler serves /metrics and /console.
func Handler(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "reprise_sessions", Help: "Janus sessions open."},
			func() float64 { return float64(src.SessionCount()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "reprise_handles", Help: "Janus handles attached."},
			func() float64 { return float64(src.HandleCount()) }),
		&extensionCollector{src: src},
	)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/console", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, map[string]any{
			"Extensions": src.Extensions(), "Sessions": src.SessionCount(), "Handles": src.HandleCount(),
		})
	})
	return mux
}

var (
	upDesc       = prometheus.NewDesc("reprise_extension_up", "1 while the extension process is serving.", []string{"extension"}, nil)
	restartsDesc = prometheus.NewDesc("reprise_extension_restarts_total", "Times the gateway restarted the extension.", []string{"extension"}, nil)
)

type extensionCollector struct{ src Source }

func (c *extensionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- upDesc; ch <- restartsDesc }

func (c *extensionCollector) Collect(ch chan<- prometheus.Metric) {
	for _, e := range c.src.Extensions() {
		up := 0.0
		if e.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, e.Name)
		ch <- prometheus.MustNewConstMetric(restartsDesc, prometheus.CounterValue, float64(e.Restarts), e.Name)
	}
}

var page = template.Must(template.New("console").Funcs(template.FuncMap{"itoa": strconv.Itoa}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Reprise console</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.down{color:#b00}</style>
</head><body>
<h1>Reprise</h1>
<p>{{.Sessions}} sessions, {{.Handles}} handles.</p>
<h2>Extensions</h2>
<table><tr><th>name</th><th>version</th><th>packages</th><th>state</th><th>pid</th><th>restarts</th></tr>
{{range .Extensions}}<tr><td>{{.Name}}</td><td>{{.Version}}</td><td>{{range .Packages}}{{.}} {{end}}</td>
<td>{{if .Up}}up{{else}}<span class="down">down{{if .LastErr}}: {{.LastErr}}{{end}}</span>{{end}}</td><td>{{.PID}}</td><td>{{.Restarts}}</td></tr>
{{end}}</table>
<p><a href="/metrics">metrics</a></p>
</body></html>`))
