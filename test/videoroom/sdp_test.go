package videoroom

import "fmt"

func sscanExtmap(v string, id *uint32, uri *string) (int, error) {
	var idStr string
	n, err := fmt.Sscanf(v, "%s %s", &idStr, uri)
	if n < 1 {
		return n, err
	}
	if _, err := fmt.Sscanf(idStr, "%d", id); err != nil {
		return 0, err
	}
	return n, err
}
