package report

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// The PDF's font: WenQuanYi Micro Hei as Debian's package
// fonts-wqy-microhei ships it (report/fonts/README.md), embedded in the
// binary. It is a TrueType collection (.ttc) of two faces; fpdf reads a
// single TrueType font, so the first face (the proportional one) is cut
// out of the collection once, on the first PDF.
//
//go:embed fonts/wqy-microhei.ttc
var cjkCollection []byte

var cjkFont = sync.OnceValues(func() ([]byte, error) { return ttcFace(cjkCollection, 0) })

// ttcFace returns face i of a TrueType collection as a standalone
// TrueType font: its offset table and table directory, then its tables,
// each at a 4-byte boundary, with the directory's offsets rewritten (the
// tables' checksums do not change, nor does the font's checksum
// adjustment, which readers do not check).
func ttcFace(ttc []byte, i int) ([]byte, error) {
	bad := errors.New("font: not a TrueType collection")
	if len(ttc) < 12 || string(ttc[:4]) != "ttcf" {
		return nil, bad
	}
	if n := int(binary.BigEndian.Uint32(ttc[8:])); i >= n || len(ttc) < 12+4*n {
		return nil, fmt.Errorf("font: the collection has %d faces, not %d", n, i+1)
	}
	off := int(binary.BigEndian.Uint32(ttc[12+4*i:]))
	if off+12 > len(ttc) {
		return nil, bad
	}
	numTables := int(binary.BigEndian.Uint16(ttc[off+4:]))
	dirLen := 12 + 16*numTables
	if off+dirLen > len(ttc) {
		return nil, bad
	}
	out := make([]byte, dirLen, len(ttc))
	copy(out, ttc[off:off+dirLen])
	for t := range numTables {
		rec := out[12+16*t:]
		src, n := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if src < 0 || n < 0 || src+n > len(ttc) {
			return nil, bad
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		out = append(out, ttc[src:src+n]...)
	}
	return out, nil
}
