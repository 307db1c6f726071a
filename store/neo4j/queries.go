package neo4j

import "riskgraph/cypher"

// Names of the statements in cypher/ that the store runs. Every statement
// name is a string constant whose identifier starts with q; the package's
// tests check that each one names a file in cypher/, that each file is
// named by a constant and each constant is used, and that every statement
// passes EXPLAIN on a real server.
const (
	qSchemaEnterpriseKey       = "schema_enterprise_key"
	qSchemaEnterpriseUSCC      = "schema_enterprise_uscc"
	qSchemaPersonPID           = "schema_person_pid"
	qSchemaRecordID            = "schema_record_id"
	qSchemaEnterpriseRegion    = "schema_enterprise_region"
	qSchemaEnterpriseIndustry  = "schema_enterprise_industry"
	qSchemaEnterpriseStatus    = "schema_enterprise_status"
	qSchemaEnterpriseRiskScore = "schema_enterprise_risk_score"
	qSchemaPersonRiskScore     = "schema_person_risk_score"
	qSchemaRecordKind          = "schema_record_kind"
	qSchemaNamesFulltext       = "schema_names_fulltext"
	qSchemaNamesAnalyzer       = "schema_names_analyzer"
	qSchemaAwaitIndexes        = "schema_await_indexes"
	qSchemaEnterpriseRiskNext  = "schema_enterprise_risk_next_run"
	qSchemaPersonRiskNext      = "schema_person_risk_next_run"
	qSchemaRunID               = "schema_run_id"
	qSchemaMetaID              = "schema_meta_id"
	qSchemaAPIKeyID            = "schema_apikey_id"
	qSchemaAPIKeyHash          = "schema_apikey_hash"

	qPing = "ping"

	qEnterpriseUpsert         = "enterprise_upsert"
	qEnterprisePlaceholder    = "enterprise_placeholder"
	qPersonUpsert             = "person_upsert"
	qPersonPlaceholder        = "person_placeholder"
	qShareholdingByEnterprise = "shareholding_by_enterprise"
	qShareholdingByPerson     = "shareholding_by_person"
	qRoleLegalRep             = "role_legal_rep"
	qRoleOfficer              = "role_officer"
	qBranch                   = "branch"
	qControlByPerson          = "control_by_person"
	qControlByEnterprise      = "control_by_enterprise"
	qRelation                 = "relation"
	qRecordOfEnterprise       = "record_of_enterprise"
	qRecordOfPerson           = "record_of_person"
	qResultsEnterprise        = "results_enterprise"
	qResultsPerson            = "results_person"
	qPromoteEnterprise        = "promote_enterprise"
	qPromotePerson            = "promote_person"
	qDiscardStagedEnterprise  = "discard_staged_enterprise"
	qDiscardStagedPerson      = "discard_staged_person"
	qRunSave                  = "run_save"
	qRunGet                   = "run_get"
	qRunsList                 = "runs_list"
	qGenerationGet            = "generation_get"

	qEnterpriseGet       = "enterprise_get"
	qPersonGet           = "person_get"
	qRecordsOfEnterprise = "records_of_enterprise"
	qRecordsOfPerson     = "records_of_person"
	qRecordsOfMany       = "records_of_many"
	qExpandEnterprise    = "expand_enterprise"
	qExpandPerson        = "expand_person"
	qExpandRecord        = "expand_record"
	qExpandUpward        = "expand_upward"
	qNetwork             = "network"
	qSearchNames         = "search_names"
	qSearchCode          = "search_code"

	qScanEnterprises   = "scan_enterprises"
	qScanPersons       = "scan_persons"
	qScanRecords       = "scan_records"
	qScanRelationships = "scan_relationships"
	qScanRelations     = "scan_relations"
	qScanRefs          = "scan_refs"

	qScanProjectionEnterprises   = "scan_projection_enterprises"
	qScanProjectionPersons       = "scan_projection_persons"
	qScanProjectionRecords       = "scan_projection_records"
	qScanProjectionRelationships = "scan_projection_relationships"
	qScanProjectionCount         = "scan_projection_count"

	qScanProjectionRelSpans      = "scan_projection_rel_spans"        // scanbyid.go
	qScanProjectionHoldingsByID  = "scan_projection_holdings_by_id"   // scanbyid.go
	qScanProjectionLegalRepsByID = "scan_projection_legal_reps_by_id" // scanbyid.go
	qScanProjectionOfficersByID  = "scan_projection_officers_by_id"   // scanbyid.go
	qScanProjectionBranchesByID  = "scan_projection_branches_by_id"   // scanbyid.go
	qScanProjectionRelationsByID = "scan_projection_relations_by_id"  // scanbyid.go

	qSchemaEnterpriseGen = "schema_enterprise_gen"
	qSchemaPersonGen     = "schema_person_gen"
	qSchemaRecordGen     = "schema_record_gen"
	qSchemaHoldsGen      = "schema_holds_gen"
	qSchemaLegalRepGen   = "schema_legal_rep_gen"
	qSchemaOfficerGen    = "schema_officer_gen"
	qSchemaBranchGen     = "schema_branch_gen"
	qSchemaRelatedGen    = "schema_related_gen"

	qGenerationNext        = "generation_next"    // stamp.go
	qGenerationClaim       = "generation_claim"   // stamp.go
	qGenerationAbandon     = "generation_abandon" // stamp.go
	qGenerationOpen        = "generation_open"    // stamp.go
	qSchemaGenerationStamp = "schema_generation_stamp"
	qSchemaGenerationState = "schema_generation_state"

	qLineageGet           = "lineage_get"
	qChangesEnterprises   = "changes_enterprises"
	qChangesPersons       = "changes_persons"
	qChangesRecords       = "changes_records"
	qChangesRelationships = "changes_relationships"

	qScanSplitEnterprises = "scan_split_enterprises"
	qScanSplitPersons     = "scan_split_persons"
	qScanSplitRecords     = "scan_split_records"
	qScanLastEnterprises  = "scan_last_enterprises"
	qScanLastPersons      = "scan_last_persons"
	qScanLastRecords      = "scan_last_records"
)

// schema lists the schema statements in the order Open applies them.
var schema = []string{
	qSchemaEnterpriseKey, qSchemaEnterpriseUSCC, qSchemaPersonPID, qSchemaRecordID,
	qSchemaEnterpriseRegion, qSchemaEnterpriseIndustry, qSchemaEnterpriseStatus,
	qSchemaEnterpriseRiskScore, qSchemaPersonRiskScore, qSchemaRecordKind,
	qSchemaNamesFulltext, qSchemaEnterpriseRiskNext, qSchemaPersonRiskNext, qSchemaRunID, qSchemaMetaID,
	qSchemaAPIKeyID, qSchemaAPIKeyHash,
	qSchemaReportID, qSchemaWatchlistID, qSchemaBlobKey, // reports.go
	qSchemaReviewID, qSchemaReviewStatus, // reviews.go
	qSchemaXrefPairID, qSchemaXrefPairStatus, qSchemaXrefRunID, // xref.go
	qSchemaCreditCheckID, qSchemaCreditCheckCreated, // checks.go
	qSchemaCommitmentID, qSchemaCommitmentSubject, qSchemaObjectionID, qSchemaObjectionRecord, // creditfile.go
	qSchemaRepairID, qSchemaRepairRecord,
	qSchemaLicenceID, qSchemaLicenceEnterprise, qSchemaCreditReportNumber, // licences.go
	qSchemaCaseID,                                                             // cases.go
	qSchemaEnterpriseGen, qSchemaPersonGen, qSchemaRecordGen, qSchemaHoldsGen, // changes.go
	qSchemaLegalRepGen, qSchemaOfficerGen, qSchemaBranchGen, qSchemaRelatedGen,
	qSchemaGenerationStamp, qSchemaGenerationState, // stamp.go
}

// namesIndex and namesAnalyzer are the full-text index over names and its
// analyzer, as created by schema_names_fulltext.cypher.
const (
	namesIndex    = "entity_names"
	namesAnalyzer = "cjk"
)

// stmt returns a statement's text. The names are the constants above, which
// a test checks against cypher.Names, so the lookup cannot fail.
func stmt(name string) string { return cypher.MustGet(name) }
