package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"riskgraph/models"
)

// csvTable is a CSV file read for tests: rows as column → value maps.
type csvTable struct {
	header []string
	rows   []map[string]string
}

func readTable(t testing.TB, path string) csvTable {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tab := csvTable{header: recs[0]}
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[tab.header[i]] = v
		}
		tab.rows = append(tab.rows, m)
	}
	return tab
}

// sample is a generated data set read back for checks.
type sample struct {
	dir                          string
	gt                           *GroundTruth
	ents, persons, shares, legal csvTable
	officers, branches, records  csvTable
	ent                          map[string]map[string]string // key → row
}

func loadSample(t testing.TB, dir string, gt *GroundTruth) *sample {
	t.Helper()
	s := &sample{dir: dir, gt: gt, ent: map[string]map[string]string{}}
	read := func(k fileKind) csvTable { return readTable(t, filepath.Join(dir, k.fileName())) }
	s.ents, s.persons, s.shares, s.legal = read(fileEnterprises), read(filePersons), read(fileShareholdings), read(fileLegalReps)
	s.officers, s.branches, s.records = read(fileOfficers), read(fileBranches), read(fileRecords)
	for _, e := range s.ents.rows {
		k := e["uscc"]
		if k == "" {
			k = e["id"]
		}
		s.ent[k] = e
	}
	return s
}

var (
	sampleOnce sync.Map // n → *sample
)

// generated returns a shared generated sample of n enterprises (seed 1).
func generated(t testing.TB, n int) *sample {
	t.Helper()
	if s, ok := sampleOnce.Load(n); ok {
		return s.(*sample)
	}
	dir, err := os.MkdirTemp("", "riskgraph-gen-")
	if err != nil {
		t.Fatal(err)
	}
	// Removed at process exit by TestMain.
	tempDirs.Store(dir, true)
	gt, err := Generate(GenerateOptions{Enterprises: n, Seed: 1, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := loadSample(t, dir, gt)
	sampleOnce.Store(n, s)
	return s
}

var tempDirs sync.Map

func TestMain(m *testing.M) {
	code := m.Run()
	tempDirs.Range(func(k, _ any) bool {
		os.RemoveAll(k.(string))
		return true
	})
	os.Exit(code)
}

func allFiles() []string {
	var names []string
	for _, k := range fileKinds {
		names = append(names, k.fileName())
	}
	return append(names, GroundTruthFile)
}

func TestGenerateDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Generate(GenerateOptions{Enterprises: 1500, Seed: 42, Out: dir}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Generate(GenerateOptions{Enterprises: 1500, Seed: 43, Out: c}); err != nil {
		t.Fatal(err)
	}
	for _, name := range allFiles() {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, name))
		z, _ := os.ReadFile(filepath.Join(c, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s: same seed, different bytes", name)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s: different seeds, same bytes", name)
		}
		if len(x) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestGenerateOptions(t *testing.T) {
	for _, n := range []int{1, 2, 50, 199} {
		gt, err := Generate(GenerateOptions{Enterprises: n, Seed: 3, Out: t.TempDir()})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if gt.Rows["enterprises.csv"] != n || len(gt.Anomalies) != 0 {
			t.Errorf("n=%d: %d enterprise rows, %d anomalies", n, gt.Rows["enterprises.csv"], len(gt.Anomalies))
		}
	}
	gt, err := Generate(GenerateOptions{Enterprises: 200, Seed: 3, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range AnomalyKinds {
		if len(gt.ByKind(k)) != 1 {
			t.Errorf("n=200: %d planted %s, want 1", len(gt.ByKind(k)), k)
		}
	}
	if _, err := Generate(GenerateOptions{Enterprises: 100, Anomalies: 5, Out: t.TempDir()}); err == nil ||
		!strings.Contains(err.Error(), "too few") {
		t.Errorf("100 enterprises with 5 planted sets: err = %v, want 'too few'", err)
	}
	if _, err := Generate(GenerateOptions{Enterprises: 0, Out: t.TempDir()}); err == nil {
		t.Error("0 enterprises: no error")
	}
	gt, err = Generate(GenerateOptions{Enterprises: 500, Anomalies: -1, Out: t.TempDir()})
	if err != nil || len(gt.Anomalies) != 0 {
		t.Errorf("Anomalies -1: %d planted, err %v", len(gt.Anomalies), err)
	}
	// The reference date bounds every date.
	dir := t.TempDir()
	today := models.NewDate(2020, time.March, 15)
	if _, err := Generate(GenerateOptions{Enterprises: 1000, Seed: 5, Out: dir, Today: today}); err != nil {
		t.Fatal(err)
	}
	s := loadSample(t, dir, nil)
	checkDatesBefore(t, s, today.String())
}

// checkIDNumber checks what the generator promises of an identity number:
// 18 digits with a valid check character, a known division and a birth date
// on or before today. (ingest's validator checks the same and more; its
// tests load generated data and expect no rejects.)
func checkIDNumber(n string, today models.Date) error {
	if len(n) != 18 {
		return fmt.Errorf("%d characters", len(n))
	}
	if c, err := models.IDNumberCheckChar(n[:17]); err != nil || c != n[17] {
		return fmt.Errorf("check character %c, want %c (%v)", n[17], c, err)
	}
	if models.LookupRegion(n[:6]).Level == models.RegionUnknown {
		return fmt.Errorf("division %s unknown", n[:6])
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(today.Time) {
		return fmt.Errorf("birth date %s", n[6:14])
	}
	return nil
}

func checkDatesBefore(t *testing.T, s *sample, today string) {
	t.Helper()
	for _, tab := range []struct {
		t    csvTable
		cols []string
	}{
		{s.ents, []string{"established"}}, {s.shares, []string{"since"}}, {s.legal, []string{"since", "until"}},
		{s.officers, []string{"since", "until"}}, {s.records, []string{"decided", "removed"}},
	} {
		for _, r := range tab.t.rows {
			for _, c := range tab.cols {
				if r[c] > today {
					t.Fatalf("%s %s is after the reference date %s", c, r[c], today)
				}
			}
		}
	}
}

func TestGeneratedRowsValid(t *testing.T) {
	s := generated(t, 3000)
	seen := map[string]bool{}
	for _, e := range s.ents.rows {
		if e["kind"] == "foreign" {
			if e["uscc"] != "" || !strings.HasPrefix(e["id"], "src:foreign:F") {
				t.Errorf("foreign row keyed %q/%q", e["uscc"], e["id"])
			}
			continue
		}
		c, err := models.ParseUSCC(e["uscc"])
		if err != nil || string(c) != e["uscc"] || !c.OrgCodeValid() {
			t.Fatalf("uscc %q: %v (org code valid: %v)", e["uscc"], err, c.OrgCodeValid())
		}
		if c.Region().Level < models.RegionCity {
			t.Errorf("uscc %s: division %s not resolved", c, c.Division())
		}
		if seen[e["uscc"]] {
			t.Fatalf("uscc %s twice", e["uscc"])
		}
		seen[e["uscc"]] = true
	}
	ids := map[string]bool{}
	today := DefaultReferenceDate()
	withID := 0
	for _, p := range s.persons.rows {
		if p["name"] == "" || p["person_id"] == "" {
			t.Fatalf("person row %v", p)
		}
		n := p["id_number"]
		if n == "" {
			continue
		}
		withID++
		if err := checkIDNumber(n, today); err != nil {
			t.Fatalf("identity number of %s: %v", p["person_id"], err)
		}
		if ids[n] {
			t.Fatalf("identity number of %s repeated", p["person_id"])
		}
		ids[n] = true
	}
	if withID < len(s.persons.rows)*9/10 {
		t.Errorf("only %d of %d persons have identity numbers", withID, len(s.persons.rows))
	}
	// Every reference resolves to a row; ratios sum to at most 1.
	persons := map[string]bool{}
	for _, p := range s.persons.rows {
		persons[p["person_id"]] = true
	}
	sum := map[string]float64{}
	pairs := map[string]bool{}
	for _, r := range s.shares.rows {
		v, err := strconv.ParseFloat(r["ratio"], 64)
		if err != nil || v <= 0 || v > 1 {
			t.Fatalf("ratio %q", r["ratio"])
		}
		sum[r["enterprise"]] += v
		if s.ent[r["enterprise"]] == nil {
			t.Fatalf("shareholding in unknown enterprise %s", r["enterprise"])
		}
		if r["holder_kind"] == "person" && !persons[r["holder"]] || r["holder_kind"] == "enterprise" && s.ent[r["holder"]] == nil {
			t.Fatalf("unknown holder %s %s", r["holder_kind"], r["holder"])
		}
		pair := r["holder"] + ">" + r["enterprise"]
		if pairs[pair] {
			t.Fatalf("holder %s holds %s twice", r["holder"], r["enterprise"])
		}
		pairs[pair] = true
	}
	for k, v := range sum {
		if v > 1+1e-9 {
			t.Errorf("ratios of %s sum to %v", k, v)
		}
	}
	for _, tab := range []csvTable{s.legal, s.officers} {
		for _, r := range tab.rows {
			if !persons[r["person_id"]] || s.ent[r["enterprise"]] == nil {
				t.Fatalf("role %v refers to an unknown row", r)
			}
		}
	}
	for _, r := range s.branches.rows {
		if s.ent[r["branch"]]["kind"] != "branch" || s.ent[r["parent"]] == nil {
			t.Fatalf("branch row %v", r)
		}
	}
	for _, r := range s.records.rows {
		if r["subject_kind"] == "person" && !persons[r["subject"]] || r["subject_kind"] == "enterprise" && s.ent[r["subject"]] == nil {
			t.Fatalf("record %s of unknown subject", r["record_id"])
		}
		if r["removed"] != "" && r["removed"] < r["decided"] {
			t.Fatalf("record %s lifted before its decision", r["record_id"])
		}
	}
	checkDatesBefore(t, s, DefaultReferenceDate().String())
	// Row counts in the ground truth match the files.
	for _, k := range fileKinds {
		got := len(readTable(t, filepath.Join(s.dir, k.fileName())).rows)
		if s.gt.Rows[k.fileName()] != got {
			t.Errorf("ground truth says %d rows in %s, file has %d", s.gt.Rows[k.fileName()], k.fileName(), got)
		}
	}
}

func TestGeneratedShapes(t *testing.T) {
	s := generated(t, 10000)
	holds := map[string]int{}
	perEnt := map[string]int{}
	for _, r := range s.shares.rows {
		if r["holder_kind"] == "person" {
			holds[r["holder"]]++
		}
		perEnt[r["enterprise"]]++
	}
	maxHolds, single := 0, 0
	for _, n := range holds {
		maxHolds = max(maxHolds, n)
		if n == 1 {
			single++
		}
	}
	maxShareholders := 0
	for _, n := range perEnt {
		maxShareholders = max(maxShareholders, n)
	}
	if maxHolds < 20 || single < len(holds)/2 {
		t.Errorf("person holdings not heavy-tailed: max %d, %d of %d hold one", maxHolds, single, len(holds))
	}
	if maxShareholders < 20 {
		t.Errorf("at most %d shareholders per enterprise", maxShareholders)
	}
	kinds := map[string]int{}
	status := map[string]int{}
	for _, e := range s.ents.rows {
		kinds[e["kind"]]++
		status[e["status"]]++
	}
	n := len(s.ents.rows)
	if kinds["branch"] < n/40 || kinds["branch"] > n/10 || kinds["foreign"] == 0 || status["active"] < n*7/10 || status["revoked"] == 0 || status["cancelled"] == 0 {
		t.Errorf("kinds %v, statuses %v", kinds, status)
	}
	recs := map[string]int{}
	for _, r := range s.records.rows {
		recs[r["kind"]]++
	}
	for _, k := range models.RecordKinds {
		if recs[string(k)] == 0 {
			t.Errorf("no %s records", k)
		}
	}
	if recs["administrative_penalty"] < recs["serious_violation"] || recs["abnormal_operations"] < recs["blacklist"] {
		t.Errorf("record kinds %v", recs)
	}
}

// TestGroundTruthPresent checks each planted anomaly against the files.
func TestGroundTruthPresent(t *testing.T) {
	s := generated(t, 3000)
	gt, err := ReadGroundTruth(filepath.Join(s.dir, GroundTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range AnomalyKinds {
		if got := len(gt.ByKind(k)); got != 3 {
			t.Errorf("%d planted %s, want 3", got, k)
		}
	}
	shares := map[string]float64{} // holder>enterprise → ratio
	for _, r := range s.shares.rows {
		v, _ := strconv.ParseFloat(r["ratio"], 64)
		shares[r["holder"]+">"+r["enterprise"]] = v
	}
	legal := map[string][]string{} // person → enterprises
	for _, r := range s.legal.rows {
		legal[r["person_id"]] = append(legal[r["person_id"]], r["enterprise"])
	}
	records := map[string]map[string]string{}
	for _, r := range s.records.rows {
		records[r["record_id"]] = r
	}
	today := DefaultReferenceDate()
	threeYearsAgo := today.AddDate(-3, 0, 0).Format(time.DateOnly)
	for _, a := range gt.Anomalies {
		for _, k := range a.Enterprises {
			if s.ent[k] == nil {
				t.Fatalf("%s: unknown enterprise %s", a.ID, k)
			}
		}
		for _, h := range a.Holdings {
			if v, ok := shares[h.Holder+">"+h.Enterprise]; !ok || v != h.Ratio {
				t.Errorf("%s: holding %s>%s (%v) not in shareholdings.csv (%v)", a.ID, h.Holder, h.Enterprise, h.Ratio, v)
			}
		}
		switch a.Kind {
		case AnomalyCircularHolding, AnomalyMutualHolding:
			n := len(a.Enterprises)
			if a.Kind == AnomalyMutualHolding && n != 2 || a.Kind == AnomalyCircularHolding && n < 3 || len(a.Holdings) != n {
				t.Fatalf("%s: %d enterprises, %d holdings", a.ID, n, len(a.Holdings))
			}
			for i, k := range a.Enterprises {
				next := a.Enterprises[(i+1)%n]
				if _, ok := shares[k+">"+next]; !ok {
					t.Errorf("%s: %s does not hold %s", a.ID, k, next)
				}
			}
		case AnomalyShellCluster:
			if len(a.Enterprises) < 8 {
				t.Fatalf("%s: %d enterprises", a.ID, len(a.Enterprises))
			}
			for _, k := range a.Enterprises {
				e := s.ent[k]
				capital, _ := strconv.ParseFloat(e["capital"], 64)
				if e["address"] != a.Address || e["phone"] != a.Phone || e["established"] != a.From.String() || capital > 50000 {
					t.Errorf("%s: member %s has %s / %s / %s / %s", a.ID, k, e["address"], e["phone"], e["established"], e["capital"])
				}
			}
		case AnomalySerialLegalRep:
			if len(a.Persons) != 1 || len(legal[a.Persons[0]]) < 15 {
				t.Errorf("%s: person %v leads %d enterprises", a.ID, a.Persons, len(legal[a.Persons[0]]))
			}
		case AnomalyRegistrationBurst:
			p := a.Persons[0]
			var dates []string
			for _, k := range legal[p] {
				dates = append(dates, s.ent[k]["established"])
			}
			slices.Sort(dates)
			first, _ := time.Parse(time.DateOnly, dates[0])
			last, _ := time.Parse(time.DateOnly, dates[len(dates)-1])
			if len(dates) < 5 || last.Sub(first) > 29*24*time.Hour {
				t.Errorf("%s: person %s leads enterprises established %v", a.ID, p, dates)
			}
		case AnomalyRestrictedAppointment:
			p := a.Persons[0]
			first, second := a.Enterprises[0], a.Enterprises[1]
			if !slices.Contains(legal[p], first) || !slices.Contains(legal[p], second) {
				t.Fatalf("%s: %s is not legal rep of both", a.ID, p)
			}
			if a.From.String() < threeYearsAgo || s.ent[second]["established"] <= a.From.String() {
				t.Errorf("%s: event %s, second enterprise established %s", a.ID, a.From, s.ent[second]["established"])
			}
			rec := records[a.Records[0]]
			switch {
			case rec["kind"] == "serious_violation":
				if rec["subject"] != first || rec["decided"] != a.From.String() {
					t.Errorf("%s: record %v", a.ID, rec)
				}
			case s.ent[first]["status"] != "revoked":
				t.Errorf("%s: first enterprise neither serious violation nor revoked", a.ID)
			}
		case AnomalyDeepLayering:
			n := len(a.Enterprises)
			if n < 7 || len(a.Holdings) != n || a.Holdings[0].Holder != a.Persons[0] {
				t.Fatalf("%s: chain of %d, holdings %v", a.ID, n, a.Holdings)
			}
			for i := 1; i < n; i++ {
				if _, ok := shares[a.Enterprises[i-1]+">"+a.Enterprises[i]]; !ok {
					t.Errorf("%s: %s does not hold %s", a.ID, a.Enterprises[i-1], a.Enterprises[i])
				}
			}
		}
	}
}

// TestNoAccidentalAnomalies checks that the background does not repeat the
// planted patterns, so the ground truth is the complete list.
func TestNoAccidentalAnomalies(t *testing.T) {
	checkNoAccidental(t, generated(t, 10000))
	for _, seed := range []int64{2, 3} {
		dir := t.TempDir()
		gt, err := Generate(GenerateOptions{Enterprises: 5000, Seed: seed, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		checkNoAccidental(t, loadSample(t, dir, gt))
	}
	if n, _ := strconv.Atoi(os.Getenv("RISKGRAPH_GENERATE_CHECK_N")); n > 0 {
		dir := t.TempDir()
		gt, err := Generate(GenerateOptions{Enterprises: n, Seed: 9, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		checkNoAccidental(t, loadSample(t, dir, gt))
	}
}

func checkNoAccidental(t *testing.T, s *sample) {
	t.Helper()
	planted := map[AnomalyKind]map[string]bool{}
	for _, k := range AnomalyKinds {
		planted[k] = map[string]bool{}
	}
	for _, a := range s.gt.Anomalies {
		for _, k := range append(slices.Clone(a.Enterprises), a.Persons...) {
			planted[a.Kind][k] = true
		}
	}
	// Serial legal reps and bursts.
	legal := map[string][]string{}
	for _, r := range s.legal.rows {
		legal[r["person_id"]] = append(legal[r["person_id"]], s.ent[r["enterprise"]]["established"])
	}
	for p, dates := range legal {
		if len(dates) >= 15 && !planted[AnomalySerialLegalRep][p] {
			t.Errorf("person %s leads %d enterprises but is not planted", p, len(dates))
		}
		slices.Sort(dates)
		for i := 0; i+4 < len(dates); i++ {
			a, _ := time.Parse(time.DateOnly, dates[i])
			b, _ := time.Parse(time.DateOnly, dates[i+4])
			if b.Sub(a) < 30*24*time.Hour && !planted[AnomalyRegistrationBurst][p] {
				t.Errorf("person %s leads 5 enterprises established %s to %s but is not planted", p, dates[i], dates[i+4])
			}
		}
	}
	// Shell clusters: 8 or more at one address.
	byAddr := map[string]int{}
	for _, e := range s.ents.rows {
		byAddr[e["address"]]++
	}
	for _, e := range s.ents.rows {
		if byAddr[e["address"]] >= 8 && !planted[AnomalyShellCluster][e["uscc"]] {
			t.Errorf("%d enterprises at %s, not planted", byAddr[e["address"]], e["address"])
		}
	}
	// Cycles and depth of the enterprise holding graph.
	holders := map[string][]string{} // enterprise → enterprise holders
	for _, r := range s.shares.rows {
		if r["holder_kind"] == "enterprise" {
			holders[r["enterprise"]] = append(holders[r["enterprise"]], r["holder"])
		}
	}
	cyclic := func(k string) bool {
		return planted[AnomalyCircularHolding][k] || planted[AnomalyMutualHolding][k]
	}
	depth := map[string]int{}
	var visit func(k string, onPath map[string]bool) int
	visit = func(k string, onPath map[string]bool) int {
		if d, ok := depth[k]; ok {
			return d
		}
		if onPath[k] {
			t.Fatalf("unplanted holding cycle through %s", k)
		}
		onPath[k] = true
		d := 1
		for _, h := range holders[k] {
			if !cyclic(h) {
				d = max(d, visit(h, onPath)+1)
			}
		}
		delete(onPath, k)
		depth[k] = d
		return d
	}
	for _, e := range s.ents.rows {
		k := e["uscc"]
		if k == "" || cyclic(k) {
			continue
		}
		if d := visit(k, map[string]bool{}); d >= 6 && !planted[AnomalyDeepLayering][k] {
			t.Errorf("%s sits under a chain of %d enterprises, not planted", k, d)
		}
	}
	// Restricted appointments: legal reps of revoked or serious-violation
	// enterprises hold no other appointment.
	tainted := map[string]bool{}
	for _, e := range s.ents.rows {
		if e["status"] == "revoked" {
			tainted[e["uscc"]] = true
		}
	}
	for _, r := range s.records.rows {
		if r["kind"] == "serious_violation" {
			tainted[r["subject"]] = true
		}
	}
	roles := map[string]map[string]bool{} // person → enterprises
	for _, tab := range []csvTable{s.legal, s.officers} {
		for _, r := range tab.rows {
			if roles[r["person_id"]] == nil {
				roles[r["person_id"]] = map[string]bool{}
			}
			roles[r["person_id"]][r["enterprise"]] = true
		}
	}
	for _, r := range s.legal.rows {
		p := r["person_id"]
		if !tainted[r["enterprise"]] || planted[AnomalyRestrictedAppointment][p] {
			continue
		}
		if len(roles[p]) > 1 {
			t.Errorf("person %s leads tainted %s and holds %d appointments, not planted", p, r["enterprise"], len(roles[p]))
		}
	}
}
