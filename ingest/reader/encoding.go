package reader

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings the reader decodes.
const (
	EncodingAuto    = "auto"
	EncodingUTF8    = "utf-8"
	EncodingGB18030 = "gb18030" // a superset of GBK and GB2312
	EncodingGBK     = "gbk"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

// Encodings lists the names ParseEncoding accepts.
var Encodings = []string{EncodingAuto, EncodingUTF8, EncodingGB18030, EncodingGBK, EncodingUTF16LE, EncodingUTF16BE}

// ParseEncoding normalises an encoding name ("UTF8", "gb2312", "cp936" …).
func ParseEncoding(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-")) {
	case "", "auto":
		return EncodingAuto, nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "gb18030":
		return EncodingGB18030, nil
	case "gbk", "gb2312", "cp936", "windows-936":
		return EncodingGBK, nil
	case "utf-16le", "utf16le":
		return EncodingUTF16LE, nil
	case "utf-16be", "utf16be":
		return EncodingUTF16BE, nil
	}
	return "", fmt.Errorf("encoding %q: use one of %s", s, strings.Join(Encodings, ", "))
}

// Decoded is a UTF-8 view of an input.
type Decoded struct {
	io.Reader
	enc *string
}

// Encoding is the encoding in use: the one forced, or the one detected so
// far ("utf-8" until the first non-ASCII bytes decide).
func (d *Decoded) Encoding() string { return *d.enc }

// sniffBytes is how much non-ASCII input auto-detection looks at.
const sniffBytes = 16 << 10

// Decode returns r decoded to UTF-8, without a byte-order mark.
//
// With EncodingAuto a byte-order mark decides (UTF-8, UTF-16, GB18030);
// otherwise the input passes through unchanged while it is ASCII, and the
// first non-ASCII bytes decide: valid UTF-8 stays UTF-8, anything else is
// decoded as GB18030 (which includes GBK and GB2312). So a file that is
// ASCII for its first gigabyte and Chinese after is still detected, and
// nothing is read twice.
func Decode(r io.Reader, enc string) (*Decoded, error) {
	enc, err := ParseEncoding(enc)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	name := enc
	d := &Decoded{enc: &name}
	var e encoding.Encoding
	switch enc {
	case EncodingAuto:
		switch {
		case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
			name = EncodingUTF8
			_, _ = br.Discard(3)
			d.Reader = br
			return d, nil
		case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
			name, e = EncodingUTF16LE, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
			name, e = EncodingUTF16BE, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		case bytes.HasPrefix(head, []byte{0x84, 0x31, 0x95, 0x33}):
			name, e = EncodingGB18030, simplifiedchinese.GB18030
			_, _ = br.Discard(4)
		default:
			name = EncodingUTF8
			d.Reader = &autoReader{br: br, name: &name}
			return d, nil
		}
	case EncodingUTF8:
		if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
			_, _ = br.Discard(3)
		}
		d.Reader = br
		return d, nil
	case EncodingGB18030:
		e = simplifiedchinese.GB18030
	case EncodingGBK:
		e = simplifiedchinese.GBK
	case EncodingUTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case EncodingUTF16BE:
		e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	}
	d.Reader = transform.NewReader(br, e.NewDecoder())
	return d, nil
}

// autoReader passes ASCII through until the first non-ASCII bytes, then
// decides between UTF-8 and GB18030 and keeps to that choice.
type autoReader struct {
	br   *bufio.Reader
	out  io.Reader // set once decided
	name *string
}

func (a *autoReader) Read(p []byte) (int, error) {
	if a.out != nil {
		return a.out.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	buf, err := a.br.Peek(min(len(p), a.br.Size()))
	if len(buf) == 0 {
		if err == bufio.ErrBufferFull {
			err = nil
		}
		return 0, err
	}
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		n := copy(p, buf[:i])
		_, _ = a.br.Discard(n)
		return n, nil
	}
	// Non-ASCII at the front: look at up to sniffBytes and decide.
	sample, _ := a.br.Peek(sniffBytes)
	if looksUTF8(sample, len(sample) < sniffBytes) {
		a.out = a.br
	} else {
		*a.name = EncodingGB18030
		a.out = transform.NewReader(a.br, simplifiedchinese.GB18030.NewDecoder())
	}
	return a.out.Read(p)
}

// looksUTF8 reports whether b is valid UTF-8, allowing a rune cut at the end
// of the sample unless the sample is the whole rest of the input.
func looksUTF8(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}
