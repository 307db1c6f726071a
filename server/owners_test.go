package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestOwnersAndBODS: /owners gives the owners of the 2024 rules with their
// criterion and chains and the actual controller, without a scoring run;
// /bods gives the BODS statements, persons' names masked for the
// dashboard; /owners stays with inspectors.
func TestOwnersAndBODS(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	// C: B 70 % (B: F 60 %, P1 40 %), P2 30 %.
	code, body, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.C+"/owners", "")
	if code != 200 {
		t.Fatalf("owners: %d %v", code, body)
	}
	bos, _ := body["beneficial_owners"].([]any)
	if len(bos) != 2 {
		t.Fatalf("owners %v", bos)
	}
	p2, p1 := bos[0].(map[string]any), bos[1].(map[string]any)
	if p2["person"] != storetest.P2 || p2["criterion"] != "equity" || p2["share"] != 0.3 || p2["name"] != "李娜" {
		t.Errorf("first owner %v", p2)
	}
	chains, _ := p1["chains"].([]any)
	if p1["person"] != storetest.P1 || math.Abs(p1["share"].(float64)-0.28) > 1e-12 || len(chains) != 1 {
		t.Errorf("second owner %v", p1)
	}
	ctrl, _ := body["actual_controller"].(map[string]any)
	if ctrl == nil || ctrl["ref"].(map[string]any)["key"] != storetest.F || ctrl["basis"] != "majority" || len(ctrl["majority_chain"].([]any)) != 3 {
		t.Errorf("controller %v", body["actual_controller"])
	}
	if f, _ := body["filing"].(map[string]any); f == nil || f["status"] == "" || f["article"] == "" {
		t.Errorf("filing %v", body["filing"])
	}
	if code, _, _ := sc.do(t, auth.Dashboard, "GET", "/api/v1/enterprises/"+storetest.C+"/owners", ""); code != 403 {
		t.Errorf("owners for the dashboard: %d, want 403", code)
	}

	bodsAs := func(role auth.Role, key string) (int, []map[string]any) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/enterprises/"+key+"/bods", nil)
		req.Header.Set("Authorization", "Bearer "+sc.keys[role])
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		var sts []map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &sts)
		return rec.Code, sts
	}
	names := func(sts []map[string]any) []string {
		var out []string
		for _, st := range sts {
			if st["recordType"] == "person" {
				for _, n := range st["recordDetails"].(map[string]any)["names"].([]any) {
					out = append(out, n.(map[string]any)["fullName"].(string))
				}
			}
		}
		return out
	}
	code, sts := bodsAs(auth.Inspector, storetest.C)
	if code != 200 || !strings.Contains(strings.Join(names(sts), ","), "张伟") {
		t.Fatalf("bods for an inspector: %d, names %v", code, names(sts))
	}
	var indirect bool
	for _, st := range sts {
		if d, _ := st["recordDetails"].(map[string]any); d != nil && d["componentRecords"] != nil {
			indirect = true
		}
	}
	if !indirect {
		t.Error("no indirect relationship for P1's chain through B")
	}
	code, sts = bodsAs(auth.Dashboard, storetest.C)
	if code != 200 || len(names(sts)) != 2 {
		t.Fatalf("bods for the dashboard: %d, names %v", code, names(sts))
	}
	for _, n := range names(sts) {
		if !strings.HasSuffix(n, "*") {
			t.Errorf("the dashboard sees the name %q", n)
		}
	}
	if code, _ := bodsAs(auth.Inspector, "src:none:1"); code != 404 {
		t.Errorf("bods of an unknown key: %d, want 404", code)
	}
}

// TestOwnersForeignBranch: for a branch of a foreign company (Art. 8),
// /owners names the head office, lists the head office's owner with the
// chain on to the branch and the branch's person in charge as
// branch_executive, and files under Art. 8.
func TestOwnersForeignBranch(t *testing.T) {
	ms := memStore(t)
	sc := newSecured(t, ms, Options{})
	const br, head, p1, p2 = "src:t:BR", "src:t:HQ", "b8000000000000000000000000000001", "b8000000000000000000000000000002"
	err := ms.WriteBatch(context.Background(), &store.Batch{
		Enterprises:   []models.Enterprise{{Key: br, Name: "测试分公司", Kind: models.EnterpriseBranch}, {Key: head, Name: "HQ Ltd", Kind: models.EnterpriseForeign}},
		Persons:       []models.Person{{PID: p1, Name: "张三"}, {PID: p2, Name: "李四"}},
		Branches:      []models.Branch{{Branch: br, Parent: head}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(p1), Enterprise: head, Ratio: 0.7}},
		Roles:         []models.Role{{Person: p2, Enterprise: br, Kind: models.RoleOfficer, Title: "branch_head"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+br+"/owners", "")
	if code != 200 {
		t.Fatalf("owners: %d %v", code, body)
	}
	if h, _ := body["head_office"].(map[string]any); h == nil || h["key"] != head {
		t.Errorf("head_office %v, want %s", body["head_office"], head)
	}
	bos, _ := body["beneficial_owners"].([]any)
	if len(bos) != 2 {
		t.Fatalf("owners %v", bos)
	}
	a, b := bos[0].(map[string]any), bos[1].(map[string]any)
	chain, _ := a["chains"].([]any)
	if a["person"] != p1 || a["criterion"] != "equity" || a["share"] != 0.7 || len(chain) != 1 ||
		len(chain[0].(map[string]any)["path"].([]any)) != 3 {
		t.Errorf("head office's owner %v", a)
	}
	if b["person"] != p2 || b["criterion"] != "branch_executive" || b["title"] != "branch_head" {
		t.Errorf("branch executive %v", b)
	}
	if f, _ := body["filing"].(map[string]any); f == nil || f["status"] != "required" || !strings.Contains(f["article"].(string), "Art. 8") {
		t.Errorf("filing %v", body["filing"])
	}
}
