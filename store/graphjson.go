package store

// A network answer (Graph) is hundreds of nodes and edges; encoding/json
// encodes the nodes by reflection and re-reads each edge's MarshalJSON
// output to compact it. AppendJSON writes the same bytes directly. What
// it does not write itself (a node's or an edge's props map, a risk's
// details) goes through encoding/json, so those parts are encoded as
// encoding/json encodes them by construction.

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"riskgraph/models"
)

// AppendJSON appends g as json.Marshal encodes it, byte for byte
// (TestGraphAppendJSON), without reflection over nodes and edges.
func (g Graph) AppendJSON(buf []byte) ([]byte, error) {
	buf, err := appendJSONArray(append(buf, `{"nodes":`...), g.Nodes, (*Node).appendJSON)
	if err != nil {
		return nil, err
	}
	if buf, err = appendJSONArray(append(buf, `,"edges":`...), g.Edges, (*Edge).appendJSON); err != nil {
		return nil, err
	}
	buf = append(buf, `,"truncated":`...)
	buf = strconv.AppendBool(buf, g.Truncated)
	return append(buf, '}'), nil
}

// appendJSONArray appends items as a JSON array (null for a nil slice, as
// encoding/json writes it), each by one.
func appendJSONArray[T any](buf []byte, items []T, one func(*T, []byte) ([]byte, error)) ([]byte, error) {
	if items == nil {
		return append(buf, "null"...), nil
	}
	buf = append(buf, '[')
	for i := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = one(&items[i], buf); err != nil {
			return nil, err
		}
	}
	return append(buf, ']'), nil
}

// appendJSON appends the node as encoding/json encodes Node.
func (n *Node) appendJSON(buf []byte) ([]byte, error) {
	buf = append(buf, `{"id":`...)
	buf = appendJSONString(buf, n.ID)
	buf = append(buf, `,"ref":{"kind":`...)
	buf = appendJSONString(buf, string(n.Ref.Kind))
	buf = append(buf, `,"key":`...)
	buf = appendJSONString(buf, n.Ref.Key)
	buf = append(buf, `},"label":`...)
	buf = appendJSONString(buf, n.Label)
	var err error
	if len(n.Props) > 0 {
		buf = append(buf, `,"props":`...)
		if buf, err = appendJSONValue(buf, n.Props); err != nil {
			return nil, err
		}
	}
	if n.Risk != nil {
		buf = append(buf, `,"risk":`...)
		if buf, err = appendRiskJSON(buf, n.Risk); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendRiskJSON appends r as encoding/json encodes models.Risk.
func appendRiskJSON(buf []byte, r *models.Risk) ([]byte, error) {
	var err error
	buf = append(buf, `{"score":`...)
	if buf, err = appendJSONFloat(buf, r.Score); err != nil {
		return nil, err
	}
	buf = append(buf, `,"grade":`...)
	buf = appendJSONString(buf, r.Grade)
	buf = append(buf, `,"run":`...)
	buf = appendJSONString(buf, r.Run)
	if len(r.Flags) > 0 {
		buf = append(buf, `,"flags":[`...)
		for i, f := range r.Flags {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, f)
		}
		buf = append(buf, ']')
	}
	if len(r.Details) > 0 {
		// encoding/json compacts a RawMessage and escapes it as it
		// escapes strings: let it.
		buf = append(buf, `,"details":`...)
		if buf, err = appendJSONValue(buf, r.Details); err != nil {
			return nil, err
		}
	}
	if r.Previous != nil {
		buf = append(buf, `,"previous":{"score":`...)
		if buf, err = appendJSONFloat(buf, r.Previous.Score); err != nil {
			return nil, err
		}
		buf = append(buf, `,"grade":`...)
		buf = appendJSONString(buf, r.Previous.Grade)
		buf = append(buf, `,"run":`...)
		buf = appendJSONString(buf, r.Previous.Run)
		buf = append(buf, '}')
	}
	return append(buf, '}'), nil
}

// appendJSONValue appends v encoded by encoding/json.
func appendJSONValue(buf []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, b...), nil
}

// appendJSONFloat appends f as encoding/json encodes a float64: the
// shortest form, in exponent notation below 1e-6 and from 1e21 on, with
// the exponent's leading zero dropped (1e-07 is 1e-7).
func appendJSONFloat(buf []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("store: json: unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf, nil
}
