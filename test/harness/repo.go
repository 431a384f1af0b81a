package harness

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// modulePath identifies this repository's go.mod among any others on the way
// up the directory tree.
const modulePath = "github.com/reprise-rtc/reprise"

var repoRoot = sync.OnceValue(findRepoRoot)

// RepoRoot returns the absolute path of the repository's top directory (the
// one holding the reprise go.mod). It panics if it cannot be found, which
// only happens when the tests run outside a checkout.
func RepoRoot() string {
	return repoRoot()
}

func findRepoRoot() string {
	var starts []string
	// go test runs each package in its own directory, so walking up from the
	// working directory finds the checkout that is being tested.
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	// A test binary started elsewhere still knows where this file was built.
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, start := range starts {
		for dir := start; ; dir = filepath.Dir(dir) {
			if isRepoRoot(dir) {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	panic("harness: cannot find the repository root (a go.mod for " + modulePath + ") above " + strings.Join(starts, " or "))
}

func isRepoRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 2 && fields[0] == "module" {
			return fields[1] == modulePath
		}
	}
	return false
}
