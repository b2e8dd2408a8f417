-- 002-users-approvals.sql: sign-in, signing keys, approvals and change requests.
--
-- Written by io/op-store-user.c and io/op-store-approval.c.  Times are ISO
-- 8601 UTC text, as in 001.

-- The sealed Ed25519 secret key (io/op-sign.c documents its layout) and
-- the Argon2id salt of the key that seals it; the public key is in
-- users.public_key since 001.  Failed sign-ins count up until the next
-- success so that the wait before another try can grow
-- (planner's op_sign_in_delay_seconds).
ALTER TABLE users ADD COLUMN secret_key BLOB;
ALTER TABLE users ADD COLUMN key_salt BLOB;
ALTER TABLE users ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0);
ALTER TABLE users ADD COLUMN last_failure_at TEXT;

-- One row per signature.  The signer's printed name, NPI and public key are
-- copied in rather than joined from users, so that the record shows what
-- was signed at the time even after the person's name changes or their key
-- is replaced.  The signature covers the statement built by
-- op-store-approval.c from these fields and the plan's canonical bytes.
CREATE TABLE approvals (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases (id),
  plan_version  INTEGER NOT NULL CHECK (plan_version >= 1),
  user_id       INTEGER NOT NULL REFERENCES users (id),
  signer_login  TEXT NOT NULL,
  signer_name   TEXT NOT NULL,
  signer_npi    TEXT,
  meaning       TEXT NOT NULL CHECK (length(meaning) > 0),
  signed_at     TEXT NOT NULL,
  plan_sha256   TEXT NOT NULL CHECK (length(plan_sha256) = 64),
  public_key    BLOB NOT NULL CHECK (length(public_key) = 32),
  signature     BLOB NOT NULL CHECK (length(signature) = 64),
  UNIQUE (case_id, plan_version)
);

CREATE INDEX approvals_case ON approvals (case_id);

-- A signed record is never edited: a new plan version takes a new
-- approval.  The triggers stop accidental edits; the signature catches
-- deliberate ones.
CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals
BEGIN
  SELECT RAISE (ABORT, 'approvals are signed records and cannot be changed');
END;

CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN
  SELECT RAISE (ABORT, 'approvals are signed records and cannot be deleted');
END;

-- A provider's request for changes, with the note the planner works from.
CREATE TABLE change_requests (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases (id),
  plan_version  INTEGER CHECK (plan_version IS NULL OR plan_version >= 1),
  user_id       INTEGER NOT NULL REFERENCES users (id),
  note          TEXT NOT NULL CHECK (length(trim(note)) > 0),
  created_at    TEXT NOT NULL
);

CREATE INDEX change_requests_case ON change_requests (case_id);
