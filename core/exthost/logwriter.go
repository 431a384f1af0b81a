package exthost

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// lineLogger turns an extension's stderr into one gateway log record per
// line, tagged with the extension's name.
type lineLogger struct {
	log *slog.Logger
	mu  sync.Mutex
	buf []byte
}

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		if line := bytes.TrimRight(w.buf[:i], "\r"); len(line) > 0 {
			w.logLine(line)
		}
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// logLine re-logs a structured line (the SDK's slog JSON, or go-plugin's
// hclog JSON) at its own level with its own attributes; anything else is
// logged as it is.
func (w *lineLogger) logLine(line []byte) {
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber() // ids are uint53: keep them digits, not floats
	if line[0] != '{' || dec.Decode(&rec) != nil {
		w.log.Info(string(line))
		return
	}
	level := slog.LevelInfo
	msg := ""
	attrs := make([]any, 0, 2*len(rec))
	for k, v := range rec {
		switch k {
		case "level", "@level":
			s, _ := v.(string)
			_ = level.UnmarshalText([]byte(strings.ToUpper(strings.TrimSpace(s))))
		case "msg", "@message":
			msg, _ = v.(string)
		case "time", "@timestamp", "@module", "@caller":
		default:
			attrs = append(attrs, k, v)
		}
	}
	w.log.Log(context.Background(), level, msg, attrs...)
}

// hclogFor gives go-plugin a logger that reports only its own warnings and
// errors into slog; the extension's output arrives through lineLogger.
func hclogFor(log *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:   "go-plugin",
		Level:  hclog.Warn,
		Output: &slogOut{log: log},
	})
}

type slogOut struct{ log *slog.Logger }

func (o *slogOut) Write(p []byte) (int, error) {
	o.log.Log(context.Background(), slog.LevelWarn, string(bytes.TrimSpace(p)))
	return len(p), nil
}

var _ io.Writer = (*lineLogger)(nil)
