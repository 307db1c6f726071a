CREATE INDEX match_review_status IF NOT EXISTS FOR (r:MatchReview) ON (r.status, r.created)
