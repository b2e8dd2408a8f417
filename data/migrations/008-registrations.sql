-- 008-registrations.sql: where a scan lies in a CBCT.
--
-- A registration maps one arch scan (and the teeth cut from it) into the
-- world of one stored volume.  Kept, never overwritten: a new alignment
-- is a new row and the latest one for a scan is used, so the roots of an
-- older plan can be traced to the alignment that grew them.

CREATE TABLE registrations (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases (id),
  scan_id     INTEGER NOT NULL REFERENCES scans (id),
  volume_id   INTEGER NOT NULL REFERENCES volumes (id),
  -- 16 numbers, column-major, scan millimetres to volume (LPS) millimetres.
  matrix      TEXT NOT NULL,
  rms_mm      REAL NOT NULL CHECK (rms_mm >= 0),
  -- "automatic" (principal axes, search and ICP) or "points" (3 or more
  -- pairs picked by a person).
  method      TEXT NOT NULL CHECK (method IN ('automatic', 'points')),
  author      TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);

CREATE INDEX registrations_scan ON registrations (scan_id, id);
