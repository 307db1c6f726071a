package models

import "testing"

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
