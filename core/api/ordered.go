package api

import (
	"bytes"
	"encoding/json"
)

// orderedObject is a JSON object that keeps its keys in insertion order,
// for responses whose key order should match Janus's.
type orderedObject []orderedField

type orderedField struct {
	Key   string
	Value any
}

func (o *orderedObject) add(key string, value any) { *o = append(*o, orderedField{key, value}) }

func (o orderedObject) has(key string) bool {
	for _, f := range o {
		if f.Key == key {
			return true
		}
	}
	return false
}

// MarshalJSON writes the fields in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
