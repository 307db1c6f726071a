CREATE CONSTRAINT credit_report_number IF NOT EXISTS FOR (r:CreditReport) REQUIRE r.number IS UNIQUE
