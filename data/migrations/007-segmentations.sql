-- 007-segmentations.sql: the labels of a scan as numbered, immutable
-- versions.
--
-- Automatic segmentation and every correction a person saves each add a
-- version; none is ever changed or deleted, so the automatic result stays
-- beside every correction made from it and a plan can always be traced to
-- the labels it was made from.  The labels are one little-endian int32 per
-- vertex of the scan as io/op-mesh-io loads it (0 or an FDI number), with
-- their sha256; the per-tooth confidences live in segmentation_teeth.

CREATE TABLE segmentations (
  id              INTEGER PRIMARY KEY,
  scan_id         INTEGER NOT NULL REFERENCES scans (id),
  version         INTEGER NOT NULL CHECK (version >= 1),
  parent_version  INTEGER CHECK (parent_version IS NULL OR parent_version < version),
  source          TEXT NOT NULL CHECK (source IN ('automatic', 'corrected')),
  author          TEXT NOT NULL,
  jaw             TEXT NOT NULL CHECK (jaw IN ('upper', 'lower')),
  n_vertices      INTEGER NOT NULL CHECK (n_vertices > 0),
  -- What was done, for a person: "reassign 16 -> 17", or the automatic
  -- run's warnings.
  note            TEXT NOT NULL DEFAULT '',
  labels_sha256   TEXT NOT NULL CHECK (length(labels_sha256) = 64),
  created_at      TEXT NOT NULL,
  labels          BLOB NOT NULL CHECK (length(labels) = 4 * n_vertices),
  UNIQUE (scan_id, version)
);

CREATE INDEX segmentations_scan ON segmentations (scan_id);

CREATE TABLE segmentation_teeth (
  segmentation_id  INTEGER NOT NULL REFERENCES segmentations (id),
  fdi              INTEGER NOT NULL CHECK (fdi BETWEEN 11 AND 85),
  confidence       REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  n_vertices       INTEGER NOT NULL CHECK (n_vertices > 0),
  PRIMARY KEY (segmentation_id, fdi)
);

CREATE TRIGGER segmentations_no_update BEFORE UPDATE ON segmentations
BEGIN
  SELECT RAISE (ABORT, 'segmentation versions are never changed; store a new version');
END;

CREATE TRIGGER segmentations_no_delete BEFORE DELETE ON segmentations
BEGIN
  SELECT RAISE (ABORT, 'segmentation versions are never deleted');
END;

CREATE TRIGGER segmentation_teeth_no_update BEFORE UPDATE ON segmentation_teeth
BEGIN
  SELECT RAISE (ABORT, 'segmentation versions are never changed; store a new version');
END;

CREATE TRIGGER segmentation_teeth_no_delete BEFORE DELETE ON segmentation_teeth
BEGIN
  SELECT RAISE (ABORT, 'segmentation versions are never deleted');
END;
