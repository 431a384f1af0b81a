package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "reprise.json")
	if err := os.WriteFile(file, []byte(`{"http":"127.0.0.1:1","ws":"127.0.0.1:2","session-timeout":5,"token-auth":true,"ice-enforce-list":["127.0.0.1","lo"],"extension-config":{"videoroom":{"rooms":[{"room":1}]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REPRISE_WS": "127.0.0.1:3"}
	c, err := loadConfig([]string{"-config", file, "-admin", "127.0.0.1:4"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP != "127.0.0.1:1" || c.WS != "127.0.0.1:3" || c.Admin != "127.0.0.1:4" {
		t.Errorf("addresses: %+v", c)
	}
	if c.SessionTimeout != 5*time.Second || !c.TokenAuth || c.ICEEnforceList != "127.0.0.1,lo" {
		t.Errorf("settings: %+v", c)
	}
	if c.ExtensionConf != `{"videoroom":{"rooms":[{"room":1}]}}` {
		t.Errorf("extension-config: %s", c.ExtensionConf)
	}
	if c.LongPollHold != 30*time.Second || c.AdminSecret != "janusoverlord" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigRejectsUnknownKeysAndBadValues(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(file, []byte(`{"htp":":1"}`), 0o600)
	if _, err := loadConfig([]string{"-config", file}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("unknown key accepted")
	}
	if _, err := loadConfig([]string{"-session-timeout", "soon"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("bad duration accepted")
	}
	if _, _, err := portRange("20000-10000"); err == nil {
		t.Error("inverted port range accepted")
	}
	if lo, hi, err := portRange("20000-20100"); err != nil || lo != 20000 || hi != 20100 {
		t.Errorf("port range: %d %d %v", lo, hi, err)
	}
}
