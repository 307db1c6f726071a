CREATE INDEX credit_check_created IF NOT EXISTS FOR (c:CreditCheck) ON (c.created)
