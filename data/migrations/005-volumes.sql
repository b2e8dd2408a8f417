-- 005-volumes.sql: CT/CBCT volumes stored with their case.
--
-- What is stored is the resampled volume, not the original DICOM files.
-- The plan, the isosurface and (later) the roots are computed on the
-- resampled grid, so keeping that grid makes a case reproducible without
-- GDCM or the loader's version of the resampling, and it is one format
-- whatever transfer syntax the clinic's scanner used.  The original files
-- stay with the clinic's PACS; series_uid and the source sha256 tie the
-- volume back to them.
--
-- The voxels are split into one row per k plane (int16, little-endian,
-- dim_i * dim_j values) because SQLite caps one value at 1 GB (a 2 GB load
-- would not fit in one blob) and because a slice view or render-slice then
-- reads only the planes it shows.

CREATE TABLE volumes (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL REFERENCES cases (id),
  series_uid        TEXT NOT NULL,
  study_uid         TEXT,
  description       TEXT,
  modality          TEXT,
  n_images          INTEGER NOT NULL CHECK (n_images > 0),
  dim_i             INTEGER NOT NULL CHECK (dim_i > 0),
  dim_j             INTEGER NOT NULL CHECK (dim_j > 0),
  dim_k             INTEGER NOT NULL CHECK (dim_k > 0),
  spacing_i         REAL NOT NULL CHECK (spacing_i > 0),
  spacing_j         REAL NOT NULL CHECK (spacing_j > 0),
  spacing_k         REAL NOT NULL CHECK (spacing_k > 0),
  -- 16 numbers, column-major, voxel index to LPS millimetres.
  transform         TEXT NOT NULL,
  slope             REAL NOT NULL,
  intercept         REAL NOT NULL,
  -- The automatic isosurface threshold (raw value) when stored.
  threshold         INTEGER,
  -- 1, or 2 for a load downsampled along each axis.
  factor            INTEGER NOT NULL DEFAULT 1 CHECK (factor IN (1, 2)),
  tilt_deg          REAL NOT NULL DEFAULT 0,
  -- What the loader corrected (tilt, uneven spacing), for people.
  corrections       TEXT NOT NULL DEFAULT '',
  -- Identity as the DICOM headers gave it, and the warning shown when it
  -- did not match the case's patient ('' when it matched).
  patient_name      TEXT,
  patient_id        TEXT,
  birth_date        TEXT,
  sex               TEXT,
  identity_warning  TEXT NOT NULL DEFAULT '',
  source_sha256     TEXT NOT NULL CHECK (length(source_sha256) = 64),
  voxels_sha256     TEXT NOT NULL CHECK (length(voxels_sha256) = 64),
  created_at        TEXT NOT NULL
);

CREATE INDEX volumes_case ON volumes (case_id);

CREATE TABLE volume_planes (
  volume_id  INTEGER NOT NULL REFERENCES volumes (id),
  k          INTEGER NOT NULL CHECK (k >= 0),
  voxels     BLOB NOT NULL,
  PRIMARY KEY (volume_id, k)
);
