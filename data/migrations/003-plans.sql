-- 003-plans.sql: per-tooth meshes of a case, and treatment plans as
-- numbered, immutable versions.
--
-- A case imported from one file per tooth keeps each tooth's original
-- bytes here (the scans table holds whole arches).  A plan version is the
-- canonical JSON of op_plan_encode() with its sha256; a recalculation or
-- an edit adds a new version whose parent is the one it started from, so
-- what a provider reviewed or signed is never overwritten.

CREATE TABLE teeth (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases (id),
  fdi          INTEGER NOT NULL CHECK (fdi BETWEEN 11 AND 48),
  jaw          TEXT NOT NULL CHECK (jaw IN ('upper', 'lower')),
  filename     TEXT NOT NULL CHECK (length(filename) > 0),
  format       TEXT NOT NULL CHECK (format IN ('stl', 'ply', 'obj', 'glb', 'unknown')),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
  size         INTEGER NOT NULL CHECK (size >= 0),
  -- The tooth's frame when the files came with one (an axes file), as
  -- twelve numbers: origin, mesial, buccal, occlusal; NULL otherwise.
  frame        TEXT,
  created_at   TEXT NOT NULL,
  bytes        BLOB NOT NULL,
  UNIQUE (case_id, fdi)
);

CREATE INDEX teeth_case ON teeth (case_id);

CREATE TABLE plans (
  id              INTEGER PRIMARY KEY,
  case_id         INTEGER NOT NULL REFERENCES cases (id),
  version         INTEGER NOT NULL CHECK (version >= 1),
  parent_version  INTEGER CHECK (parent_version IS NULL OR parent_version < version),
  author          TEXT NOT NULL,
  -- What the planner was asked (limits, strategy, locks, overrides), as JSON.
  parameters      TEXT NOT NULL,
  plan_json       TEXT NOT NULL,
  sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
  created_at      TEXT NOT NULL,
  UNIQUE (case_id, version)
);

CREATE TRIGGER plans_no_update BEFORE UPDATE ON plans
BEGIN
  SELECT RAISE (ABORT, 'plan versions are never changed; store a new version');
END;

CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans
BEGIN
  SELECT RAISE (ABORT, 'plan versions are never deleted');
END;
