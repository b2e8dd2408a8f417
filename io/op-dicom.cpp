/* op-dicom.cpp: GDCM behind a C interface.
 *
 * Kept small on purpose: it reads tags and decodes pixels, writes series
 * and anonymised copies, and decides nothing about geometry.  No C++
 * exception crosses into C: every entry point catches them and reports a
 * failure instead.
 */
#include "op-dicom-private.h"

#include <gdcmAnonymizer.h>
#include <gdcmAttribute.h>
#include <gdcmDICOMDIRGenerator.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageHelper.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmMediaStorage.h>
#include <gdcmReader.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmUIDGenerator.h>
#include <gdcmUIDs.h>
#include <gdcmWriter.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string
trimmed (std::string s)
{
  while (!s.empty () && (s.back () == ' ' || s.back () == '\0'))
    s.pop_back ();
  while (!s.empty () && s.front () == ' ')
    s.erase (0, 1);
  return s;
}

/* The value of a tag as text, or NULL when absent or empty. */
char *
tag_string (const gdcm::File &file, uint16_t group, uint16_t element)
{
  const gdcm::DataSet &ds = file.GetDataSet ();
  gdcm::Tag tag (group, element);

  if (!ds.FindDataElement (tag) || ds.GetDataElement (tag).IsEmpty ())
    return NULL;
  gdcm::StringFilter sf;
  sf.SetFile (file);
  std::string s = trimmed (sf.ToString (tag));
  return s.empty () ? NULL : g_strdup (s.c_str ());
}

/* "19700131" -> "1970-01-31"; anything else is kept as written. */
char *
dicom_date (char *date)
{
  if (date && strlen (date) == 8 && strspn (date, "0123456789") == 8)
    {
      char *iso = g_strdup_printf ("%.4s-%.2s-%.2s", date, date + 4, date + 6);
      g_free (date);
      return iso;
    }
  return date;
}

void
set_string (gdcm::DataSet &ds, uint16_t group, uint16_t element, const char *value)
{
  std::string v = value ? value : "";
  gdcm::DataElement de (gdcm::Tag (group, element));

  const gdcm::Global &g = gdcm::Global::GetInstance ();
  gdcm::VR vr = g.GetDicts ().GetDictEntry (de.GetTag ()).GetVR ();

  /* DICOM values have even lengths: UIDs are padded with a NUL, text
   * with a space. */
  if (v.size () % 2)
    v += vr == gdcm::VR::UI ? '\0' : ' ';
  de.SetByteValue (v.data (), (uint32_t) v.size ());
  de.SetVR (vr);
  ds.Replace (de);
}

/* "1970-01-31" -> "19700131" for writing. */
std::string
dicom_date_out (const char *iso)
{
  std::string s = iso ? iso : "";
  std::string out;

  for (char c : s)
    if (c != '-')
      out += c;
  return out;
}

gdcm::TransferSyntax::TSType
syntax_type (OpDicomSyntax syntax)
{
  switch (syntax)
    {
    case OP_DICOM_SYNTAX_IMPLICIT_LE:
      return gdcm::TransferSyntax::ImplicitVRLittleEndian;
    case OP_DICOM_SYNTAX_JPEG_LOSSLESS:
      return gdcm::TransferSyntax::JPEGLosslessProcess14_1;
    case OP_DICOM_SYNTAX_JPEG_LS:
      return gdcm::TransferSyntax::JPEGLSLossless;
    case OP_DICOM_SYNTAX_JPEG_2000:
      return gdcm::TransferSyntax::JPEG2000Lossless;
    case OP_DICOM_SYNTAX_RLE:
      return gdcm::TransferSyntax::RLELossless;
    case OP_DICOM_SYNTAX_EXPLICIT_LE:
    default:
      return gdcm::TransferSyntax::ExplicitVRLittleEndian;
    }
}

/* A transfer syntax by its name, "JPEG-LS Lossless Image Compression". */
std::string
ts_name (const gdcm::TransferSyntax &ts)
{
  const char *uid = gdcm::TransferSyntax::GetTSString (ts);
  gdcm::UIDs uids;

  if (uid && uids.SetFromUID (uid) && uids.GetName ())
    return uids.GetName ();
  return uid ? uid : "an unknown transfer syntax";
}

/* GDCM prints its warnings (a missing PhotometricInterpretation, odd
 * padding) on stderr; the loader reports what matters through GError, so
 * keep the console quiet. */
struct QuietGdcm
{
  QuietGdcm () { gdcm::Trace::WarningOff (); gdcm::Trace::DebugOff (); }
};
QuietGdcm quiet_gdcm;

} /* namespace */

extern "C" {

void
op__dicom_header_clear (OpDicomHeader *h)
{
  g_clear_pointer (&h->series_uid, g_free);
  g_clear_pointer (&h->study_uid, g_free);
  g_clear_pointer (&h->series_description, g_free);
  g_clear_pointer (&h->modality, g_free);
  g_clear_pointer (&h->study_date, g_free);
  g_clear_pointer (&h->transfer_syntax, g_free);
  op_dicom_identity_clear (&h->identity);
}

gboolean
op__dicom_read_header (const char     *path,
                       OpDicomHeader  *h,
                       char          **why)
{
  try
    {
      gdcm::Reader reader;
      std::set<gdcm::Tag> skip;

      memset (h, 0, sizeof *h);
      reader.SetFileName (path);
      if (!reader.ReadUpToTag (gdcm::Tag (0x7fe0, 0x0010), skip))
        {
          *why = g_strdup ("not a DICOM file");
          return FALSE;
        }
      const gdcm::File &file = reader.GetFile ();
      const gdcm::DataSet &ds = file.GetDataSet ();
      gdcm::MediaStorage ms;

      ms.SetFromFile (file);
      if (ms == gdcm::MediaStorage::MediaStorageDirectoryStorage)
        {
          *why = g_strdup ("a DICOMDIR, not an image");
          return FALSE;
        }
      if (!ds.FindDataElement (gdcm::Tag (0x0028, 0x0010)) || !ds.FindDataElement (gdcm::Tag (0x0028, 0x0011)))
        {
          char *sop = tag_string (file, 0x0008, 0x0016);
          *why = g_strdup_printf ("DICOM but not an image (SOP class %s)", sop ? sop : "unknown");
          g_free (sop);
          return FALSE;
        }

      std::vector<unsigned int> dims = gdcm::ImageHelper::GetDimensionsValue (file);
      std::vector<double> origin = gdcm::ImageHelper::GetOriginValue (file);
      std::vector<double> dircos = gdcm::ImageHelper::GetDirectionCosinesValue (file);
      std::vector<double> spacing = gdcm::ImageHelper::GetSpacingValue (file);
      std::vector<double> rescale = gdcm::ImageHelper::GetRescaleInterceptSlopeValue (file);
      gdcm::PixelFormat pf = gdcm::ImageHelper::GetPixelFormatValue (file);

      h->columns = (int) dims[0];
      h->rows = (int) dims[1];
      h->frames = dims.size () > 2 && dims[2] > 0 ? (int) dims[2] : 1;
      h->samples_per_pixel = pf.GetSamplesPerPixel ();
      for (int a = 0; a < 3; a++)
        {
          h->position[a] = origin[a];
          h->row_dir[a] = dircos[a];
          h->col_dir[a] = dircos[3 + a];
        }
      h->column_spacing = spacing[0];
      h->row_spacing = spacing[1];
      h->frame_spacing = spacing.size () > 2 ? spacing[2] : 0;
      h->intercept = rescale.size () > 0 ? rescale[0] : 0;
      h->slope = rescale.size () > 1 && rescale[1] != 0 ? rescale[1] : 1;
      /* Plain single-frame images must say where they are; GDCM's
       * defaults (origin 0, identity) would silently stack them all in one
       * place.  Enhanced multi-frame files keep it in functional groups,
       * which GDCM reads for us. */
      h->has_geometry = (ds.FindDataElement (gdcm::Tag (0x0020, 0x0032)) &&
                         ds.FindDataElement (gdcm::Tag (0x0020, 0x0037))) ||
                        ds.FindDataElement (gdcm::Tag (0x5200, 0x9229)) ||
                        ds.FindDataElement (gdcm::Tag (0x5200, 0x9230));

      h->series_uid = tag_string (file, 0x0020, 0x000e);
      h->study_uid = tag_string (file, 0x0020, 0x000d);
      h->series_description = tag_string (file, 0x0008, 0x103e);
      h->modality = tag_string (file, 0x0008, 0x0060);
      h->study_date = dicom_date (tag_string (file, 0x0008, 0x0020));
      {
        char *num = tag_string (file, 0x0020, 0x0013);
        h->instance_number = num ? atoi (num) : 0;
        g_free (num);
      }
      h->identity.name = tag_string (file, 0x0010, 0x0010);
      h->identity.patient_id = tag_string (file, 0x0010, 0x0020);
      h->identity.birth_date = dicom_date (tag_string (file, 0x0010, 0x0030));
      h->identity.sex = tag_string (file, 0x0010, 0x0040);
      {
        const gdcm::TransferSyntax &ts = file.GetHeader ().GetDataSetTransferSyntax ();
        h->transfer_syntax = g_strdup (ts_name (ts).c_str ());
      }
      return TRUE;
    }
  catch (const std::exception &e)
    {
      *why = g_strdup_printf ("unreadable DICOM (%s)", e.what ());
      return FALSE;
    }
  catch (...)
    {
      *why = g_strdup ("unreadable DICOM");
      return FALSE;
    }
}

gboolean
op__dicom_read_dicomdir (const char *path,
                         GPtrArray  *files)
{
  try
    {
      gdcm::Reader reader;
      reader.SetFileName (path);
      if (!reader.Read ())
        return FALSE;
      const gdcm::File &file = reader.GetFile ();
      gdcm::MediaStorage ms;
      ms.SetFromFile (file);
      if (ms != gdcm::MediaStorage::MediaStorageDirectoryStorage)
        return FALSE;

      const gdcm::DataSet &ds = file.GetDataSet ();
      gdcm::Tag records (0x0004, 0x1220);
      if (!ds.FindDataElement (records))
        return TRUE;
      gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement (records).GetValueAsSQ ();
      if (!sq)
        return TRUE;
      char *root = g_path_get_dirname (path);
      for (gdcm::SequenceOfItems::SizeType i = 1; i <= sq->GetNumberOfItems (); i++)
        {
          const gdcm::DataSet &item = sq->GetItem (i).GetNestedDataSet ();
          gdcm::Tag ref (0x0004, 0x1500);
          if (!item.FindDataElement (ref) || item.GetDataElement (ref).IsEmpty ())
            continue;
          const gdcm::ByteValue *bv = item.GetDataElement (ref).GetByteValue ();
          if (!bv)
            continue;
          std::string id = trimmed (std::string (bv->GetPointer (), bv->GetLength ()));
          /* ReferencedFileID is a path with backslashes between components. */
          char **parts = g_strsplit (id.c_str (), "\\", -1);
          char *rel = g_build_filenamev (parts);
          g_ptr_array_add (files, g_build_filename (root, rel, NULL));
          g_free (rel);
          g_strfreev (parts);
        }
      g_free (root);
      return TRUE;
    }
  catch (...)
    {
      return FALSE;
    }
}

gboolean
op__dicom_read_pixels (const char  *path,
                       gint16      *out,
                       gsize        n_values,
                       char       **why)
{
  try
    {
      gdcm::ImageReader reader;
      reader.SetFileName (path);
      if (!reader.Read ())
        {
          *why = g_strdup ("GDCM cannot read the image");
          return FALSE;
        }
      const gdcm::Image &image = reader.GetImage ();
      const gdcm::PixelFormat &pf = image.GetPixelFormat ();
      std::string ts = ts_name (image.GetTransferSyntax ());
      size_t len = image.GetBufferLength ();
      size_t n = len / pf.GetPixelSize ();

      if (pf.GetSamplesPerPixel () != 1)
        {
          *why = g_strdup_printf ("%d samples per pixel; a CT volume needs one (grey)", pf.GetSamplesPerPixel ());
          return FALSE;
        }
      if (n != n_values)
        {
          *why = g_strdup_printf ("holds %zu pixels where its header promises %" G_GSIZE_FORMAT, n, n_values);
          return FALSE;
        }
      std::vector<char> buffer (len);
      if (!image.GetBuffer (buffer.data ()))
        {
          *why = g_strdup_printf ("pixel data in %s, which GDCM cannot decode", ts.c_str ());
          return FALSE;
        }

      /* Widen or clamp to int16.  Unsigned 16-bit CBCT rarely exceeds
       * 32767 (12-bit detectors); when it does the top is clamped. */
      switch (pf.GetScalarType ())
        {
        case gdcm::PixelFormat::INT16:
          memcpy (out, buffer.data (), n * 2);
          break;
        case gdcm::PixelFormat::UINT16:
          for (size_t i = 0; i < n; i++)
            {
              uint16_t v;
              memcpy (&v, buffer.data () + 2 * i, 2);
              out[i] = (gint16) MIN (v, 32767);
            }
          break;
        case gdcm::PixelFormat::INT8:
          for (size_t i = 0; i < n; i++)
            out[i] = (gint8) buffer[i];
          break;
        case gdcm::PixelFormat::UINT8:
          for (size_t i = 0; i < n; i++)
            out[i] = (guint8) buffer[i];
          break;
        case gdcm::PixelFormat::INT32:
        case gdcm::PixelFormat::UINT32:
          for (size_t i = 0; i < n; i++)
            {
              gint64 v;
              if (pf.GetScalarType () == gdcm::PixelFormat::INT32)
                {
                  gint32 x;
                  memcpy (&x, buffer.data () + 4 * i, 4);
                  v = x;
                }
              else
                {
                  guint32 x;
                  memcpy (&x, buffer.data () + 4 * i, 4);
                  v = x;
                }
              out[i] = (gint16) CLAMP (v, G_MININT16, G_MAXINT16);
            }
          break;
        default:
          *why = g_strdup_printf ("pixels of type %s are not supported", pf.GetScalarTypeAsString ());
          return FALSE;
        }
      return TRUE;
    }
  catch (const std::exception &e)
    {
      *why = g_strdup_printf ("GDCM failed to decode it (%s)", e.what ());
      return FALSE;
    }
  catch (...)
    {
      *why = g_strdup ("GDCM failed to decode it");
      return FALSE;
    }
}

gboolean
op_dicom_write_volume (const OpVolume            *volume,
                       const char                *folder,
                       const OpDicomWriteOptions *options,
                       GPtrArray                **out_files,
                       GError                   **error)
{
  static const OpDicomWriteOptions defaults = {};
  const OpDicomWriteOptions *o = options ? options : &defaults;
  const int nx = volume->dims[0], ny = volume->dims[1], nz = volume->dims[2];
  const double *m = volume->transform;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  std::vector<std::string> names;

  try
    {
      gdcm::UIDGenerator uid;
      std::string series_uid = o->series_uid ? o->series_uid : uid.Generate ();
      std::string study_uid = uid.Generate ();
      std::string for_uid = uid.Generate ();
      char *dir = o->dicomdir ? g_build_filename (folder, "DICOM", NULL) : g_strdup (folder);
      int n_files = o->multiframe ? 1 : nz;
      std::vector<double> dircos (6);

      if (g_mkdir_with_parents (dir, 0755) != 0)
        {
          g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: cannot create the folder", dir);
          g_free (dir);
          g_ptr_array_unref (files);
          return FALSE;
        }
      for (int a = 0; a < 3; a++)
        {
          dircos[a] = m[a] / volume->spacing[0];
          dircos[3 + a] = m[4 + a] / volume->spacing[1];
        }

      for (int f = 0; f < n_files; f++)
        {
          gdcm::SmartPointer<gdcm::Image> im = new gdcm::Image;
          gdcm::ImageWriter writer;
          int frames = o->multiframe ? nz : 1;
          double pos[3];
          char *name;

          im->SetNumberOfDimensions (o->multiframe ? 3 : 2);
          im->SetDimension (0, nx);
          im->SetDimension (1, ny);
          if (o->multiframe)
            im->SetDimension (2, nz);
          im->SetPixelFormat (gdcm::PixelFormat::INT16);
          im->SetPhotometricInterpretation (gdcm::PhotometricInterpretation::MONOCHROME2);
          for (int a = 0; a < 3; a++)
            pos[a] = m[12 + a] + f * m[8 + a];
          /* SetOrigin (double[3]) keeps only as many values as the image
           * has dimensions, which drops z from a 2D slice. */
          for (unsigned int a = 0; a < 3; a++)
            im->SetOrigin (a, pos[a]);
          im->SetDirectionCosines (dircos.data ());
          im->SetSpacing (0, volume->spacing[0]);
          im->SetSpacing (1, volume->spacing[1]);
          if (o->multiframe)
            im->SetSpacing (2, volume->spacing[2]);
          im->SetIntercept (volume->intercept);
          im->SetSlope (volume->slope);

          gdcm::DataElement pixels (gdcm::Tag (0x7fe0, 0x0010));
          pixels.SetByteValue ((const char *) (volume->voxels + (size_t) f * nx * ny),
                               (uint32_t) ((size_t) nx * ny * frames * 2));
          im->SetDataElement (pixels);
          im->SetTransferSyntax (gdcm::TransferSyntax::ExplicitVRLittleEndian);

          gdcm::DataSet &ds = writer.GetFile ().GetDataSet ();
          gdcm::MediaStorage ms = o->multiframe ? gdcm::MediaStorage::EnhancedCTImageStorage
                                                : gdcm::MediaStorage::CTImageStorage;
          set_string (ds, 0x0008, 0x0016, ms.GetString ());
          set_string (ds, 0x0008, 0x0018, uid.Generate ());
          set_string (ds, 0x0008, 0x0060, "CT");
          set_string (ds, 0x0020, 0x000d, study_uid.c_str ());
          set_string (ds, 0x0020, 0x000e, series_uid.c_str ());
          set_string (ds, 0x0020, 0x0052, for_uid.c_str ());
          set_string (ds, 0x0008, 0x103e, o->series_description ? o->series_description : "Orthoplan volume");
          set_string (ds, 0x0010, 0x0010, o->identity.name);
          set_string (ds, 0x0010, 0x0020, o->identity.patient_id);
          set_string (ds, 0x0010, 0x0030, dicom_date_out (o->identity.birth_date).c_str ());
          set_string (ds, 0x0010, 0x0040, o->identity.sex);
          {
            char num[16];
            g_snprintf (num, sizeof num, "%d", f + 1);
            set_string (ds, 0x0020, 0x0013, num);
          }

          if (o->syntax != OP_DICOM_SYNTAX_EXPLICIT_LE)
            {
              gdcm::ImageChangeTransferSyntax change;
              change.SetTransferSyntax (syntax_type (o->syntax));
              change.SetInput (*im);
              if (!change.Change ())
                {
                  g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE,
                               "%s: GDCM cannot encode to %s", folder,
                               gdcm::TransferSyntax::GetTSString (syntax_type (o->syntax)));
                  g_free (dir);
                  g_ptr_array_unref (files);
                  return FALSE;
                }
              writer.SetImage (change.GetOutput ());
            }
          else
            writer.SetImage (*im);

          if (o->dicomdir)
            name = g_strdup_printf ("IM%06d", f + 1);
          else
            name = g_strdup_printf (o->multiframe ? "volume.dcm" : "%04d.dcm", f + 1);
          char *path = g_build_filename (dir, name, NULL);
          g_free (name);
          writer.SetFileName (path);
          if (!writer.Write ())
            {
              g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM could not write the file", path);
              g_free (path);
              g_free (dir);
              g_ptr_array_unref (files);
              return FALSE;
            }
          names.push_back (path);
          g_ptr_array_add (files, path);
        }

      if (o->dicomdir)
        {
          gdcm::DICOMDIRGenerator gen;
          gdcm::Writer writer;
          char *dicomdir = g_build_filename (folder, "DICOMDIR", NULL);

          gen.SetFilenames (names);
          gen.SetRootDirectory (folder);
          gen.SetDescriptor ("ORTHOPLAN");
          if (!gen.Generate ())
            {
              g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM could not build a DICOMDIR", dicomdir);
              g_free (dicomdir);
              g_free (dir);
              g_ptr_array_unref (files);
              return FALSE;
            }
          writer.SetFile (gen.GetFile ());
          writer.SetFileName (dicomdir);
          if (!writer.Write ())
            {
              g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM could not write it", dicomdir);
              g_free (dicomdir);
              g_free (dir);
              g_ptr_array_unref (files);
              return FALSE;
            }
          g_free (dicomdir);
        }
      g_free (dir);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM failed (%s)", folder, e.what ());
      g_ptr_array_unref (files);
      return FALSE;
    }

  if (out_files)
    *out_files = files;
  else
    g_ptr_array_unref (files);
  return TRUE;
}

gboolean
op_dicom_anonymize_copy (const char * const *files,
                         guint               n_files,
                         const char         *folder,
                         GError            **error)
{
  /* Tags that identify the patient or the people and place around them.
   * Name and id are replaced (many readers want them present); the rest
   * are emptied.  UIDs are kept so that the copy still matches the stored
   * volume and its registration. */
  static const uint16_t emptied[][2] = {
    { 0x0010, 0x0030 }, { 0x0010, 0x0032 }, { 0x0010, 0x1000 }, { 0x0010, 0x1001 },
    { 0x0010, 0x1040 }, { 0x0010, 0x2154 }, { 0x0010, 0x1060 }, { 0x0010, 0x2160 },
    { 0x0010, 0x4000 }, { 0x0008, 0x0050 }, { 0x0008, 0x0080 }, { 0x0008, 0x0081 },
    { 0x0008, 0x0090 }, { 0x0008, 0x1048 }, { 0x0008, 0x1050 }, { 0x0008, 0x1070 },
    { 0x0020, 0x0010 }, { 0x0032, 0x1032 },
  };

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: cannot create the folder", folder);
      return FALSE;
    }
  try
    {
      for (guint i = 0; i < n_files; i++)
        {
          gdcm::Reader reader;
          gdcm::Anonymizer anon;
          gdcm::Writer writer;
          char *base = g_path_get_basename (files[i]);
          char *out = g_build_filename (folder, base, NULL);
          gboolean ok;

          reader.SetFileName (files[i]);
          if (!reader.Read ())
            {
              g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_READ, "%s: not a DICOM file", base);
              g_free (base);
              g_free (out);
              return FALSE;
            }
          anon.SetFile (reader.GetFile ());
          anon.Replace (gdcm::Tag (0x0010, 0x0010), "ANONYMOUS");
          anon.Replace (gdcm::Tag (0x0010, 0x0020), "ANONYMOUS");
          for (const auto &t : emptied)
            if (reader.GetFile ().GetDataSet ().FindDataElement (gdcm::Tag (t[0], t[1])))
              anon.Empty (gdcm::Tag (t[0], t[1]));
          set_string (reader.GetFile ().GetDataSet (), 0x0012, 0x0062, "YES");  /* Patient Identity Removed */
          writer.SetFile (reader.GetFile ());
          writer.SetFileName (out);
          ok = writer.Write ();
          if (!ok)
            g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM could not write it", out);
          g_free (base);
          g_free (out);
          if (!ok)
            return FALSE;
        }
    }
  catch (const std::exception &e)
    {
      g_set_error (error, OP_DICOM_ERROR, OP_DICOM_ERROR_WRITE, "%s: GDCM failed (%s)", folder, e.what ());
      return FALSE;
    }
  return TRUE;
}

} /* extern "C" */
