package match

import (
	"fmt"
	"testing"

	"riskgraph/models"
)

func uscc(t testing.TB, division, org string) string {
	t.Helper()
	c, err := models.NewUSCC('9', '1', division, org)
	if err != nil {
		t.Fatal(err)
	}
	return string(c)
}

func pairsOf(ps []Pair) map[[2]string]Pair {
	m := map[[2]string]Pair{}
	for _, p := range ps {
		m[[2]string{p.A, p.B}] = p
	}
	return m
}

func key2(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

func TestDuplicates(t *testing.T) {
	huijun := uscc(t, "360802", "MA35ABCD")
	huaxinSZ := uscc(t, "440300", "MA5FXY12")
	huaxinGZ := uscc(t, "440100", "MA9KLM34")
	twinA := uscc(t, "330106", "MA2AAA11")
	twinB := uscc(t, "330106", "MA2BBB22")
	old := uscc(t, "110105", "10234567")
	branch := uscc(t, "420102", "MAH9BCQM")
	org := models.USCC(old).OrgCode()
	b := NewBuilder()
	for _, e := range []models.Enterprise{
		// A source key and a USCC, same company: region prefix without 市,
		// 有限责任公司 for 有限公司, the same phone written another way.
		{Key: huijun, USCC: huijun, Name: "吉安市汇骏实业有限公司", Region: "360802", Phone: "0796-8225123"},
		{Key: "src:tax:0001", Name: "吉安汇骏实业有限责任公司", Phone: "+86 796 8225 123"},
		// Two source keys from two data sets: bracketed region.
		{Key: "src:court:A1", Name: "恒赢（北京）供应链管理有限公司", Region: "110106"},
		{Key: "src:credit:B7", Name: "北京恒赢供应链管理有限公司"},
		// Traditional characters from a Hong Kong register.
		{Key: huaxinSZ, USCC: huaxinSZ, Name: "深圳市华信科技有限公司", Region: "440300", Address: "广东省深圳市南山区科技园路8号"},
		{Key: "src:hk:9", Name: "深圳市華信科技有限公司", Address: "深圳市南山区科技园路8号"},
		// A namesake in another city is no duplicate of either.
		{Key: huaxinGZ, USCC: huaxinGZ, Name: "广州市华信科技有限公司", Region: "440100"},
		// Same name, both with valid different codes: never a pair.
		{Key: twinA, USCC: twinA, Name: "杭州星河物流有限公司", Region: "330106"},
		{Key: twinB, USCC: twinB, Name: "杭州星河物流有限公司", Region: "330106"},
		// An old organisation code as a source id.
		{Key: old, USCC: old, Name: "北京远景贸易有限公司", Region: "110105"},
		{Key: "src:old:" + org[:8] + "-" + org[8:], Name: "远景商贸公司"},
		// A branch registered in Wuhan whose name carries its parent's
		// 石家庄: the other record's name names 石家庄 only.
		{Key: branch, USCC: branch, Name: "石家庄市冠昊投资集团有限公司武汉分公司", Region: "420102"},
		{Key: "src:x:9", Name: "石家庄冠昊投资集团有限公司武汉分公司"},
		// Two data sets with one registration number.
		{Key: "src:a:440301000123456", Name: "深圳宏达五金厂"},
		{Key: "src:b:440301000123456", Name: "宏达五金制品厂"},
	} {
		b.Add(e)
	}
	ix := b.Build()
	ps, st := ix.Duplicates(DupeOptions{})
	got := pairsOf(ps)
	for _, want := range []struct {
		a, b, why, feature string
	}{
		{huijun, "src:tax:0001", "source key vs USCC", "phone"},
		{"src:court:A1", "src:credit:B7", "two data sets, bracketed region", "name"},
		{huaxinSZ, "src:hk:9", "traditional characters", "address"},
		{old, "src:old:" + org[:8] + "-" + org[8:], "organisation code", "org_code"},
		{"src:a:440301000123456", "src:b:440301000123456", "registration number", "reg_no"},
		{branch, "src:x:9", "branch named by its parent's city", "region"},
	} {
		p, ok := got[key2(want.a, want.b)]
		if !ok {
			t.Errorf("%s: pair %s / %s not found; pairs %+v", want.why, want.a, want.b, ps)
			continue
		}
		if p.Score < DupeThreshold || p.A > p.B {
			t.Errorf("%s: %+v", want.why, p)
		}
		if v, ok := p.Features.Map()[want.feature]; !ok || v != 1 {
			t.Errorf("%s: feature %s = %v (%v), want 1: %+v", want.why, want.feature, v, ok, p.Features.Map())
		}
	}
	if _, ok := got[key2(twinA, twinB)]; ok {
		t.Errorf("two valid, different USCCs were paired")
	}
	if st.DifferentUSCC < 1 {
		t.Errorf("DifferentUSCC = %d, want ≥ 1", st.DifferentUSCC)
	}
	for k := range got {
		if k[0] == huaxinGZ || k[1] == huaxinGZ {
			t.Errorf("namesake in another city paired: %v", k)
		}
	}
	if len(ps) != 6 {
		t.Errorf("%d pairs, want 6: %+v", len(ps), ps)
	}
	if st.Enterprises != 15 || st.Pairs != len(ps) || st.Compared < len(ps) {
		t.Errorf("stats %+v", st)
	}
	// The same pair from two blocks is scored once and names both.
	if p := got[key2(huijun, "src:tax:0001")]; len(p.Blocks) != 2 || p.Blocks[0] != "core" || p.Blocks[1] != "phone" {
		t.Errorf("blocks of the phone pair: %v", p.Blocks)
	}
}

// TestDuplicatesBlockCap: a block over MaxBlock is skipped and counted; a
// common core is split by province, so a pair inside one province is
// still found.
func TestDuplicatesBlockCap(t *testing.T) {
	b := NewBuilder()
	// 10 enterprises with different names share an agent's phone.
	for i := range 10 {
		b.Add(models.Enterprise{Key: fmt.Sprintf("src:agent:%02d", i), Name: fmt.Sprintf("代理%c%c咨询有限公司", '甲'+rune(i), '乙'+rune(2*i)), Phone: "010-66668888"})
	}
	// Two of them are the same company written two ways (found only by the
	// phone block, the names differ).
	b.Add(models.Enterprise{Key: "src:x:1", Name: "北京润禾咨询有限公司", Phone: "010-12345678", Email: "a@runhe.cn"})
	b.Add(models.Enterprise{Key: "src:y:1", Name: "北京润禾管理咨询有限公司", Phone: "010-12345678", Email: "a@runhe.cn"})
	// A common core in 8 provinces (one per province), plus one duplicate
	// in Zhejiang.
	provinces := []string{"110000", "310000", "330100", "440300", "510100", "420100", "320100", "370200"}
	for i, p := range provinces {
		b.Add(models.Enterprise{Key: fmt.Sprintf("src:c:%d", i), Name: "星河科技有限公司", Region: p})
	}
	b.Add(models.Enterprise{Key: "src:d:1", Name: "杭州星河科技有限公司"})
	ix := b.Build()
	ps, st := ix.Duplicates(DupeOptions{MaxBlock: 5})
	got := pairsOf(ps)
	if st.Skipped["phone"] != 1 || st.Largest["phone"] != 10 {
		t.Errorf("phone block of 10 over a cap of 5: skipped %v largest %v", st.Skipped, st.Largest)
	}
	if _, ok := got[key2("src:x:1", "src:y:1")]; !ok {
		t.Errorf("pair found by a small phone and e-mail block missing: %+v", ps)
	}
	if _, ok := got[key2("src:c:2", "src:d:1")]; !ok {
		t.Errorf("pair inside one province of an oversized core block missing: %+v (stats %+v)", ps, st)
	}
	for k := range got {
		if k[0] != "src:x:1" && k[0] != "src:c:2" {
			t.Errorf("unexpected pair %v", k)
		}
	}
	if st.Skipped["core"] != 0 || st.Blocks["core"] < 1 {
		t.Errorf("core blocks %v skipped %v", st.Blocks, st.Skipped)
	}
	// With a cap of 20 the agent's phone block is compared, and its
	// different names stay below the threshold.
	ps2, st2 := ix.Duplicates(DupeOptions{MaxBlock: 20})
	if st2.Skipped["phone"] != 0 || len(ps2) != len(ps) {
		t.Errorf("cap 20: skipped %v, %d pairs (want %d)", st2.Skipped, len(ps2), len(ps))
	}
}

// BenchmarkDuplicates: the blocking search over 20 000 synthetic
// enterprises (the index build is not timed). benchmarks/xref_bench_test.go
// measures the whole xref at larger sizes.
func BenchmarkDuplicates(b *testing.B) {
	bd := NewBuilder()
	for _, e := range synthEnterprises(b, 20_000) {
		bd.Add(e)
	}
	ix := bd.Build()
	b.ResetTimer()
	for b.Loop() {
		_, st := ix.Duplicates(DupeOptions{})
		b.ReportMetric(float64(st.Pairs), "pairs")
		b.ReportMetric(float64(st.Compared), "compared")
	}
}
