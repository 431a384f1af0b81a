package rest

import (
	"testing"

	"github.com/reprise-rtc/reprise/core/janus"
)

func TestParsePath(t *testing.T) {
	cases := []struct {
		path     string
		ok       bool
		sid, hid uint64
		segs     int
	}{
		{"/janus", true, 0, 0, 0},
		{"/janus/", true, 0, 0, 0},
		{"/janus/12", true, 12, 0, 1},
		{"/janus/12/", true, 12, 0, 1},
		{"/janus/12/34", true, 12, 34, 2},
		{"/janus/abc", true, 0, 0, 1},
		{"/janus/12/0", true, 12, 0, 2},
		{"/janus/1/2/3", false, 0, 0, 0},
		{"/janusx", false, 0, 0, 0},
		{"/other", false, 0, 0, 0},
	}
	for _, c := range cases {
		p, ok := ParsePath("/janus", c.path)
		if ok != c.ok || p.SessionID != c.sid || p.HandleID != c.hid || (ok && p.Segments != c.segs) {
			t.Errorf("ParsePath(%q) = %+v %v", c.path, p, ok)
		}
	}
}

func TestApplyPathIDs(t *testing.T) {
	req := &janus.Request{SessionID: 0}
	if err := (Path{SessionID: 5, HandleID: 6}).Apply(req); err != nil || req.SessionID != 5 || req.HandleID != 6 || !req.HandleSet {
		t.Fatalf("apply: %+v %v", req, err)
	}
	req = &janus.Request{SessionID: 4}
	if err := (Path{SessionID: 5}).Apply(req); err == nil || err.Code != janus.ErrInvalidRequestPath {
		t.Fatalf("conflict not detected: %v", err)
	}
	req = &janus.Request{HandleID: 7, HandleSet: true}
	if err := (Path{SessionID: 5, HandleID: 6}).Apply(req); err == nil {
		t.Fatal("handle conflict not detected")
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"/janus", "/janus/1/2", "/janus//1", "/janus/18446744073709551616", "/janus/1/2/3", "/jan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		p, ok := ParsePath("/janus", path)
		if !ok {
			return
		}
		if p.Segments > 2 || (p.Segments == 0 && (p.SessionID != 0 || p.HandleID != 0)) || (p.Segments < 2 && p.HandleID != 0) {
			t.Fatalf("ParsePath(%q) = %+v", path, p)
		}
	})
}
