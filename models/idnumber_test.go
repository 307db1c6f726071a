package models

import (
	"strings"
	"testing"
)

// refIDNumberCheck is a second implementation written from the standard's
// definition: weight W_i = 2^(17-i) mod 11, check value (12 - sum mod 11) mod 11.
func refIDNumberCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for range 17 - i {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X'
	}
	return byte('0' + v)
}

func TestIDNumberCheckChar(t *testing.T) {
	// The example number of GB 11643-1999.
	for _, n := range []string{"11010519491231002X"} {
		got, err := IDNumberCheckChar(n[:17])
		if err != nil || got != n[17] {
			t.Errorf("IDNumberCheckChar(%s) = %c, %v; want %c", n[:17], got, err, n[17])
		}
	}
	// Every value of the check, against the reference implementation.
	seen := map[byte]bool{}
	for i := range 2000 {
		first17 := "1101051949123" + string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
		got, err := IDNumberCheckChar(first17)
		if err != nil || got != refIDNumberCheck(first17) {
			t.Fatalf("IDNumberCheckChar(%s) = %c, %v; reference %c", first17, got, err, refIDNumberCheck(first17))
		}
		seen[got] = true
	}
	if len(seen) != 11 {
		t.Errorf("%d distinct check characters over 2000 numbers, want all 11", len(seen))
	}
	for _, bad := range []string{"", "1101051949123100", "110105194912310021", "11010519491231002a", "1101051949123100２"} {
		if _, err := IDNumberCheckChar(bad); err == nil {
			t.Errorf("IDNumberCheckChar(%q): no error", bad)
		}
	}
}

func TestCheckIDNumber(t *testing.T) {
	today := NewDate(2026, 11, 1)
	first17 := "11010519900307123"
	c, _ := IDNumberCheckChar(first17)
	good := first17 + string(c)
	if n, p := CheckIDNumber(" "+strings.ToLower(good)+" ", today); p != nil || n != good {
		t.Fatalf("valid number refused: %v", p)
	}
	wrong := byte('0')
	if c == '0' {
		wrong = '1'
	}
	for name, bad := range map[string]string{
		"short": good[:17], "15 digits": good[:15], "letters": "11010519900307A23" + string(c),
		"province": "99" + good[2:], "birth": "110105" + "20990101" + "123" + "X", "check": first17 + string(wrong),
	} {
		n, p := CheckIDNumber(bad, today)
		if p == nil || n != "" {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(p.Error(), bad) {
			t.Errorf("%s: the message repeats the number: %v", name, p)
		}
	}
}
