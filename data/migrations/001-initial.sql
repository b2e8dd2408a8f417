-- 001-initial.sql: locations, users, patients, cases, scans and the audit log.
--
-- Run by io/op-store.c inside one transaction, followed by
-- PRAGMA user_version = 1.  Never edit a released migration: add the next
-- numbered file instead.  Plans, approvals and the outbox come in later
-- migrations.
--
-- Times are ISO 8601 UTC text ("2026-11-23T09:41:07Z") so that they sort as
-- text and read the same in any SQLite shell.

CREATE TABLE locations (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
  created_at  TEXT NOT NULL
);

-- People who sign in.  Passwords and keys are filled by the sign-in and
-- signing work; they are nullable so that an administrator can create a user
-- who sets a password on first sign-in.
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  login          TEXT NOT NULL UNIQUE CHECK (length(trim(login)) > 0),
  name           TEXT NOT NULL,
  role           TEXT NOT NULL
                 CHECK (role IN ('administrator', 'provider', 'coordinator', 'assistant')),
  npi            TEXT,
  location_id    INTEGER REFERENCES locations (id),
  password_hash  TEXT,
  public_key     BLOB,
  created_at     TEXT NOT NULL
);

CREATE TABLE patients (
  id            INTEGER PRIMARY KEY,
  family_name   TEXT NOT NULL CHECK (length(trim(family_name)) > 0),
  given_name    TEXT NOT NULL CHECK (length(trim(given_name)) > 0),
  birth_date    TEXT NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  chart_number  TEXT,
  created_at    TEXT NOT NULL
);

-- A patient is the same patient when names, birth date and chart number all
-- agree; a missing chart number counts as the empty one.
CREATE UNIQUE INDEX patients_identity
  ON patients (family_name, given_name, birth_date, ifnull(chart_number, ''));

CREATE TABLE cases (
  id           INTEGER PRIMARY KEY,
  patient_id   INTEGER NOT NULL REFERENCES patients (id),
  location_id  INTEGER NOT NULL REFERENCES locations (id),
  status       TEXT NOT NULL DEFAULT 'submitted'
               CHECK (status IN ('submitted', 'segmented', 'planned', 'in-review',
                                 'changes-requested', 'approved', 'posted', 'archived')),
  provider_id  INTEGER REFERENCES users (id),
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE INDEX cases_patient ON cases (patient_id);
CREATE INDEX cases_location ON cases (location_id);
CREATE INDEX cases_created ON cases (created_at);

-- The original scan bytes live in the database so that a case is one file to
-- back up and the sha256 can always be checked against what was imported.
-- The blob is the last column so that listing scans never reads its overflow
-- pages.
CREATE TABLE scans (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases (id),
  jaw          TEXT NOT NULL CHECK (jaw IN ('upper', 'lower', 'bite')),
  format       TEXT NOT NULL CHECK (format IN ('stl', 'ply', 'obj', 'glb', 'unknown')),
  filename     TEXT NOT NULL CHECK (length(filename) > 0),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
  size         INTEGER NOT NULL CHECK (size >= 0),
  n_vertices   INTEGER NOT NULL DEFAULT 0,
  n_triangles  INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  bytes        BLOB NOT NULL,
  UNIQUE (case_id, sha256)
);

-- The tamper-evident log.  Each row's hash covers the previous row's hash,
-- so changing or deleting a row breaks every hash after it (see
-- op-store-audit.c for the canonical form).  The triggers stop accidental
-- edits; the hash chain catches deliberate ones.
CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,
  time       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  object     TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '',
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
