-- 006-pms-outbox.sql: posting approved plans to the practice management
-- system (PMS), exactly once.
--
-- Written by io/op-outbox.c (configuration, outbox rows, patient links) and
-- io/op-outbox-worker.c (state changes while posting).  The PMS keys
-- (Open Dental's developer and customer keys) are NOT in the database: the
-- database file is readable by whoever may read the case data, and the keys
-- would let anyone who copies it write into the practice's ledger.  They
-- live in a separate file created with mode 0600 (see io/op-outbox.c).

-- One PMS connection per location.
CREATE TABLE pms_settings (
  location_id     INTEGER PRIMARY KEY REFERENCES locations (id),
  connector       TEXT NOT NULL CHECK (connector IN ('opendental', 'fhir', 'file')),
  url             TEXT,
  folder          TEXT,
  -- Open Dental's ClinicNum, for a practice with several clinics.
  clinic_num      INTEGER CHECK (clinic_num IS NULL OR clinic_num > 0),
  -- Post D8680 retention with the case code (CLINICAL.md: optional).
  retention       INTEGER NOT NULL DEFAULT 0 CHECK (retention IN (0, 1)),
  timeout_s       INTEGER NOT NULL DEFAULT 30 CHECK (timeout_s BETWEEN 1 AND 600),
  updated_at      TEXT NOT NULL
);

-- The location's fee for each CDT code, in cents so that sums are exact.
CREATE TABLE pms_fees (
  location_id  INTEGER NOT NULL REFERENCES locations (id),
  code         TEXT NOT NULL CHECK (code GLOB 'D[0-9][0-9][0-9][0-9]'),
  fee_cents    INTEGER NOT NULL CHECK (fee_cents >= 0),
  PRIMARY KEY (location_id, code)
);

-- A provider's id in the PMS when it cannot be found by NPI there.
CREATE TABLE pms_providers (
  location_id  INTEGER NOT NULL REFERENCES locations (id),
  npi          TEXT NOT NULL,
  remote_id    TEXT NOT NULL CHECK (length(remote_id) > 0),
  PRIMARY KEY (location_id, npi)
);

-- The PMS patient a person confirmed (or that matched on the strict rule
-- of planner/op-match) for an Orthoplan patient at a location.
CREATE TABLE pms_patient_links (
  patient_id    INTEGER NOT NULL REFERENCES patients (id),
  location_id   INTEGER NOT NULL REFERENCES locations (id),
  remote_id     TEXT NOT NULL CHECK (length(remote_id) > 0),
  confirmed_by  TEXT NOT NULL,   -- a login, or 'match' for the automatic rule
  confirmed_at  TEXT NOT NULL,
  PRIMARY KEY (patient_id, location_id)
);

-- One row per approval, written in the approval's own transaction.
--
-- payload: what to post, fixed at approval time (JSON: codes, tooth sites,
--   patient, signer, date).
-- idempotency_key: derived from the approval's signature; every remote
--   record carries it (a marker in the Open Dental note, a FHIR identifier,
--   the file names), so a repeat is found instead of posted twice.
-- in_flight: 1 from just before a request is sent until its outcome is
--   committed.  A row found with 1 (after a timeout, a 5xx or a crash) is
--   read back from the PMS before anything is sent again.
-- remote_ids: JSON array, one entry per procedure in the payload, null
--   until that procedure is known to be in the PMS.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  approval_id      INTEGER NOT NULL UNIQUE REFERENCES approvals (id),
  case_id          INTEGER NOT NULL REFERENCES cases (id),
  location_id      INTEGER NOT NULL REFERENCES locations (id),
  connector        TEXT,
  payload          TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'posted', 'needs-attention')),
  reason           TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  in_flight        INTEGER NOT NULL DEFAULT 0 CHECK (in_flight IN (0, 1)),
  remote_ids       TEXT NOT NULL DEFAULT '[]',
  remote_patient   TEXT,
  next_attempt_at  TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  posted_at        TEXT
);

CREATE INDEX outbox_state ON outbox (state);
CREATE INDEX outbox_case ON outbox (case_id);

-- A posted row is history: it never goes back to pending, so nothing can
-- post it a second time.
CREATE TRIGGER outbox_posted_final BEFORE UPDATE OF state ON outbox
WHEN OLD.state = 'posted' AND NEW.state <> 'posted'
BEGIN
  SELECT RAISE (ABORT, 'a posted outbox entry cannot be sent again');
END;

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN
  SELECT RAISE (ABORT, 'outbox entries are kept as the record of what was posted');
END;
