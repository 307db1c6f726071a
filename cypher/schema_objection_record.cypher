CREATE INDEX objection_record IF NOT EXISTS FOR (o:Objection) ON (o.record_id)
