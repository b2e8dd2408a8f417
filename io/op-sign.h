/* op-sign.h: passwords and signing keys (libsodium).
 *
 * Passwords are stored as Argon2id hash strings (crypto_pwhash_str).  Each
 * provider has an Ed25519 key pair; the public key is stored as it is, the
 * secret key sealed with XChaCha20-Poly1305 under a key derived from the
 * person's password by Argon2id with a stored random salt.  So the
 * database alone, copied off a machine, can neither sign nor reveal the
 * password.
 *
 * Cost: every Argon2id run uses libsodium's INTERACTIVE limits (2 passes
 * over 64 MiB, about 0.1-0.3 s on the build machines).  That is
 * libsodium's recommendation for an interactive sign-in, and approving
 * runs it twice (password check, key unlock), which a person waiting at
 * the screen still tolerates.  The limits used are written into each hash
 * string and each sealed key, so raising them later keeps old ones valid.
 *
 * Every function may be called from any thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OP_SIGN_ERROR (op_sign_error_quark ())
GQuark op_sign_error_quark (void);

typedef enum {
  OP_SIGN_ERROR_FAILED,          /* libsodium could not start or ran out of memory */
  OP_SIGN_ERROR_WRONG_PASSWORD,  /* the password does not match */
  OP_SIGN_ERROR_CORRUPT_KEY,     /* a stored hash, key or signature is damaged */
  OP_SIGN_ERROR_BAD_SIGNATURE,   /* the signature does not verify for these bytes */
} OpSignError;

#define OP_SIGN_PUBLIC_KEY_BYTES 32
#define OP_SIGN_SIGNATURE_BYTES  64
#define OP_SIGN_SALT_BYTES       16
/* 16 hex digits and the NUL. */
#define OP_SIGN_FINGERPRINT_SIZE 17

/* Initialises libsodium once; every other function calls it. */
gboolean  op_sign_init             (GError       **error);

/* Hashes @password with Argon2id into a self-describing ASCII string
 * ("$argon2id$v=19$m=65536,t=2,p=1$..."), or NULL with @error. */
char     *op_sign_hash_password    (const char    *password,
                                    GError       **error);
/* TRUE when @password matches @hash.  A wrong password fails with
 * OP_SIGN_ERROR_WRONG_PASSWORD, a hash that is not an Argon2id string with
 * OP_SIGN_ERROR_CORRUPT_KEY. */
gboolean  op_sign_check_password   (const char    *hash,
                                    const char    *password,
                                    GError       **error);

/* Makes a new Ed25519 key pair and seals the secret key under @password.
 * Writes the public key and a new random salt into the caller's buffers and
 * returns the sealed secret key (an opaque blob to store beside them), or
 * NULL with @error. */
GBytes   *op_sign_key_new          (const char    *password,
                                    guint8         public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    guint8         salt[OP_SIGN_SALT_BYTES],
                                    GError       **error);

/* Opens the sealed key with @old_password and seals it again under
 * @new_password with a new salt (written to @new_salt).  The key pair
 * stays the same, so earlier signatures still verify. */
GBytes   *op_sign_key_reseal       (const guint8   public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    const guint8   salt[OP_SIGN_SALT_BYTES],
                                    GBytes        *sealed,
                                    const char    *old_password,
                                    const char    *new_password,
                                    guint8         new_salt[OP_SIGN_SALT_BYTES],
                                    GError       **error);

/* Opens the sealed key with @password and signs @data (detached Ed25519).
 * A sealed key that does not open (wrong password, damaged bytes, or a key
 * that belongs to another public key) fails with OP_SIGN_ERROR_CORRUPT_KEY
 * and a message that says which; the secret key never leaves libsodium's
 * guarded memory and is wiped before returning. */
gboolean  op_sign_data             (const guint8   public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    const guint8   salt[OP_SIGN_SALT_BYTES],
                                    GBytes        *sealed,
                                    const char    *password,
                                    const guint8  *data,
                                    gsize          len,
                                    guint8         signature[OP_SIGN_SIGNATURE_BYTES],
                                    GError       **error);

/* A signing key opened once, for a caller that must not hold anything
 * (a database transaction) while the password-based derivation runs: open
 * it first, then sign inside.  The secret key stays in libsodium's guarded
 * memory and is wiped by op_sign_key_free. */
typedef struct _OpSignKey OpSignKey;

/* Opens the sealed key with @password, with op_sign_data's checks and
 * errors; NULL with @error when it does not open. */
OpSignKey *op_sign_key_open        (const guint8   public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    const guint8   salt[OP_SIGN_SALT_BYTES],
                                    GBytes        *sealed,
                                    const char    *password,
                                    GError       **error);
/* Signs @data (detached Ed25519) and checks the signature against the
 * key's public key, as op_sign_data does. */
gboolean  op_sign_key_sign         (const OpSignKey *key,
                                    const guint8   *data,
                                    gsize           len,
                                    guint8          signature[OP_SIGN_SIGNATURE_BYTES],
                                    GError        **error);
void      op_sign_key_free         (OpSignKey     *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpSignKey, op_sign_key_free)

/* TRUE when @signature is @public_key's signature of exactly @data;
 * otherwise OP_SIGN_ERROR_BAD_SIGNATURE. */
gboolean  op_sign_verify           (const guint8   public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    const guint8  *data,
                                    gsize          len,
                                    const guint8   signature[OP_SIGN_SIGNATURE_BYTES],
                                    GError       **error);

/* The key's fingerprint for people: the first 16 lowercase hex digits of
 * the BLAKE2b-256 hash of the public key. */
void      op_sign_fingerprint      (const guint8   public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                                    char           out[OP_SIGN_FINGERPRINT_SIZE]);

/* SHA-256 of @data as 64 lowercase hex digits (the plan hash). */
char     *op_sign_sha256_hex       (const guint8  *data,
                                    gsize          len);

G_END_DECLS
