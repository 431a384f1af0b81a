package gateway

import "github.com/reprise-rtc/reprise/core/console"

// Extensions reports every extension for the console.
func (g *Gateway) Extensions() []console.ExtensionStatus {
	var out []console.ExtensionStatus
	for _, p := range g.host.Processes() {
		up, pid, restarts, lastErr := p.Status()
		st := console.ExtensionStatus{Name: p.Name(), Up: up, PID: pid, Restarts: restarts}
		if lastErr != nil {
			st.LastErr = lastErr.Error()
		}
		if info := p.Info(); info != nil {
			st.Version = info.Version
			for _, pp := range info.Packages {
				st.Packages = append(st.Packages, pp.Package)
			}
		}
		out = append(out, st)
	}
	return out
}

// HandleCount is the number of handles attached.
func (g *Gateway) HandleCount() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.handles)
}
