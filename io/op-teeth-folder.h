/* op-teeth-folder.h: pre-segmented teeth, one mesh file per tooth.
 *
 * A folder holds one STL (or PLY, OBJ, GLB) per tooth, named by its
 * number: "tooth_17.stl", "17.stl", "tooth-17.ply"; with Palmer numbering
 * "UR1.stl" ... "LL8.stl".  The number's system is not in the name
 * ("17" is an upper molar in Universal and an upper right second molar
 * in FDI), so the caller says which; FDI is the default.
 *
 * An optional teeth_axes*.json in the same folder gives frames, keyed by
 * the same numbers: {"17": {"c": [x,y,z], "x": [...], "y": [...],
 * "z": [...]}} where c is the crown centre and x, y, z the end points of
 * the mesio-distal, labial and long axes drawn from c.  The axes are made
 * orthonormal, and each is turned to point the way OpFrame needs
 * (op-tooth.h): the long axis towards the crown as given, the labial axis
 * out of the arch, and the mesio-distal axis towards the neighbouring
 * tooth nearer the midline.  The last is decided from the teeth, not the
 * file, because files disagree on it: the Open-Full-Jaw axes point
 * distally although their README says mesial.
 */
#pragma once

#include <gio/gio.h>

#include "op-mesh-io.h"
#include "op-tooth.h"

G_BEGIN_DECLS

#define OP_TEETH_FOLDER_ERROR (op_teeth_folder_error_quark ())
GQuark op_teeth_folder_error_quark (void);

typedef enum {
  OP_TEETH_FOLDER_ERROR_READ,       /* folder or file unreadable */
  OP_TEETH_FOLDER_ERROR_NAME,       /* no tooth number in a mesh file's name */
  OP_TEETH_FOLDER_ERROR_DUPLICATE,  /* two files for one tooth */
  OP_TEETH_FOLDER_ERROR_AXES,       /* malformed axes file */
  OP_TEETH_FOLDER_ERROR_EMPTY,      /* no tooth files at all */
} OpTeethFolderError;

/* What was read for one tooth: the exact bytes (to store) and the name. */
typedef struct {
  int           fdi;
  char         *filename;   /* base name */
  OpMeshFormat  format;
  GBytes       *bytes;
} OpToothFile;

void op_tooth_file_free (OpToothFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpToothFile, op_tooth_file_free)

/* The tooth number in a file name ("tooth_17.stl" -> 17 in @numbering,
 * converted to FDI); 0 when the name carries none or no such tooth. */
int          op_teeth_folder_parse_name (const char  *filename,
                                         OpNumbering  numbering);

/* Loads every tooth file of @dirs (NULL-terminated; teeth from all of
 * them go into one dentition, e.g. maxilla/ and mandible/).  Teeth with an
 * axes entry get has_frame; the others are left without a frame for the
 * planner to estimate or refuse.  @files (may be NULL) receives
 * OpToothFile* in FDI order. */
OpDentition *op_teeth_folder_load (const char *const *dirs,
                                   OpNumbering        numbering,
                                   GPtrArray         *files,
                                   GCancellable      *cancellable,
                                   GError           **error);

/* Orients and orthonormalises raw axes of one tooth (c and the three end
 * points) into @frame; FALSE when they are degenerate.  The mesio-distal
 * direction is left as given: op_teeth_folder_orient() fixes it. */
gboolean     op_teeth_frame_from_axes (const double  c[3],
                                       const double  x[3],
                                       const double  y[3],
                                       const double  z[3],
                                       OpFrame      *frame);

/* Turns each framed tooth's mesial axis towards its nearest neighbour on
 * the midline side (or away from the one on the distal side) and its
 * buccal axis away from the arch centre. */
void         op_teeth_folder_orient (OpDentition *dentition);

G_END_DECLS
