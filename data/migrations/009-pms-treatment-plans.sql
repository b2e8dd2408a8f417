-- 009-pms-treatment-plans.sql: whether a location's Open Dental posting
-- also creates a treatment plan (POST /treatplans, then one
-- /treatplanattaches per procedure).  A setting like the others of
-- pms_settings, not a secret: it was kept in the key file until the
-- migrations before this one existed.

ALTER TABLE pms_settings ADD COLUMN treatment_plan INTEGER NOT NULL DEFAULT 0
  CHECK (treatment_plan IN (0, 1));
