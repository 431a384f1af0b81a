package exthost

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLineLoggerKeepsLevelsAndAttributes(t *testing.T) {
	var out bytes.Buffer
	w := &lineLogger{log: slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})).With("extension", "demo")}
	w.Write([]byte(`{"time":"x","level":"WARN","msg":"room gone","room":4242007123456}` + "\n" + `{"@level":"debug","@message":"noise"}` + "\nplain "))
	w.Write([]byte("text\n"))
	got := out.String()
	for _, want := range []string{`level=WARN msg="room gone" extension=demo room=4242007123456`, `msg="plain text" extension=demo`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "noise") {
		t.Errorf("debug line logged at info level:\n%s", got)
	}
}
