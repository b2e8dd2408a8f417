/* op-linalg.h: small dense linear algebra the geometry code shares. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Eigen-decomposition of the symmetric 3x3 matrix @m (row-major, only the
 * symmetric part is read) by Jacobi rotations.  Eigenvalues come out in
 * decreasing order in @values, and @vectors[i] is the unit eigenvector of
 * @values[i].  Deterministic: no random start, a fixed sweep order. */
void op_sym3_eigen (const double m[3][3],
                    double       values[3],
                    double       vectors[3][3]);

/* Column-major 4x4 helpers for rigid transforms. */
void op_mat4_identity     (float m[16]);
void op_mat4_mul          (const float a[16],
                           const float b[16],
                           float       out[16]);   /* out = a * b; out may alias */
/* A rotation by @angle_rad about the unit @axis through @centre. */
void op_mat4_rotate_about (const float axis[3],
                           float       angle_rad,
                           const float centre[3],
                           float       out[16]);
void op_mat4_apply_point  (const float m[16],
                           const float p[3],
                           float       out[3]);
void op_mat4_apply_dir    (const float m[16],
                           const float d[3],
                           float       out[3]);

G_END_DECLS
