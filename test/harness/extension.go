package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ExtensionPID finds the running extension process named name among the
// gateway's children (tests kill it to check crash containment).
func (g *Gateway) ExtensionPID(name string) (int, error) {
	if g.Process == nil {
		return 0, fmt.Errorf("external target: no gateway process")
	}
	return childPID(g.Process.Pid, name)
}

// childPID finds the child process of ppid whose command name is name.
func childPID(ppid int, name string) (int, error) {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < 0 || s[open+1:end] != name {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(ppid) {
			return strconv.Atoi(strings.Fields(s)[0])
		}
	}
	return 0, fmt.Errorf("no child %q of %d", name, ppid)
}
