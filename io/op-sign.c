/* op-sign.c: Argon2id password hashes, sealed Ed25519 keys, signatures.
 *
 * A sealed secret key is 128 bytes:
 *
 *   offset  size  field
 *        0     4  "OPSK"
 *        4     1  format version, 1
 *        5     3  zero
 *        8     8  Argon2id opslimit, little-endian
 *       16     8  Argon2id memlimit in bytes, little-endian
 *       24    24  XChaCha20-Poly1305 nonce
 *       48    80  the 64-byte Ed25519 secret key, encrypted, and its 16-byte tag
 *
 * The key that encrypts it is Argon2id(password, salt, opslimit, memlimit).
 * The first 24 bytes, the public key and the salt are the AEAD's additional
 * data, so changing the limits, moving a sealed key to another user or
 * pairing it with another salt makes it fail to open instead of producing
 * a key that signs for someone else.  This layout is part of the file
 * format: a new layout takes a new version byte.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "op-sign.h"

G_DEFINE_QUARK (op-sign-error-quark, op_sign_error)

#define SEAL_MAGIC       "OPSK"
#define SEAL_VERSION     1
#define SEAL_HEADER_SIZE 24
#define SEAL_NONCE_SIZE  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_CIPHER_SIZE (crypto_sign_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEAL_SIZE        (SEAL_HEADER_SIZE + SEAL_NONCE_SIZE + SEAL_CIPHER_SIZE)
#define AD_SIZE          (SEAL_HEADER_SIZE + OP_SIGN_PUBLIC_KEY_BYTES + OP_SIGN_SALT_BYTES)

G_STATIC_ASSERT (OP_SIGN_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES);
G_STATIC_ASSERT (OP_SIGN_SIGNATURE_BYTES == crypto_sign_BYTES);
G_STATIC_ASSERT (OP_SIGN_SALT_BYTES == crypto_pwhash_SALTBYTES);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

/* The limits this build seals with; see the header for why INTERACTIVE. */
#define OPSLIMIT ((guint64) crypto_pwhash_OPSLIMIT_INTERACTIVE)
#define MEMLIMIT ((guint64) crypto_pwhash_MEMLIMIT_INTERACTIVE)

/* The limits accepted when opening: a damaged header must not make us try
 * to allocate terabytes or spin for an hour. */
#define MAX_OPSLIMIT ((guint64) crypto_pwhash_OPSLIMIT_SENSITIVE * 2)
#define MAX_MEMLIMIT ((guint64) crypto_pwhash_MEMLIMIT_SENSITIVE * 2)

gboolean
op_sign_init (GError **error)
{
  static gsize once = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&once))
    {
      ok = sodium_init () >= 0;
      g_once_init_leave (&once, 1);
    }

  if (!ok)
    g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED,
                         _("The cryptography library (libsodium) could not start; signing and sign-in are unavailable"));
  return ok;
}

char *
op_sign_hash_password (const char  *password,
                       GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op_sign_init (error))
    return NULL;

  if (crypto_pwhash_str_alg (hash, password, strlen (password),
                             crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED,
                           _("Hashing the password failed: not enough memory for Argon2id (64 MiB)"));
      return NULL;
    }

  return g_strdup (hash);
}

gboolean
op_sign_check_password (const char  *hash,
                        const char  *password,
                        GError     **error)
{
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!op_sign_init (error))
    return FALSE;

  /* needs_rehash parses the string and answers -1 when it is not a hash it
   * understands; only then is a mismatch "wrong password" rather than
   * "damaged hash". */
  if (hash == NULL || !g_str_has_prefix (hash, "$argon2id$") ||
      strlen (hash) >= crypto_pwhash_STRBYTES ||
      crypto_pwhash_str_needs_rehash (hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The stored password hash is damaged or not an Argon2id hash; an administrator must set a new password"));
      return FALSE;
    }

  if (crypto_pwhash_str_verify (hash, password, strlen (password)) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_WRONG_PASSWORD,
                           _("The password is wrong"));
      return FALSE;
    }

  return TRUE;
}

static void
write_le64 (guint8  *p,
            guint64  v)
{
  for (guint i = 0; i < 8; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint64
read_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v |= (guint64) p[i] << (8 * i);
  return v;
}

static void
build_ad (const guint8 *header,
          const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
          const guint8  salt[OP_SIGN_SALT_BYTES],
          guint8        ad[AD_SIZE])
{
  memcpy (ad, header, SEAL_HEADER_SIZE);
  memcpy (ad + SEAL_HEADER_SIZE, public_key, OP_SIGN_PUBLIC_KEY_BYTES);
  memcpy (ad + SEAL_HEADER_SIZE + OP_SIGN_PUBLIC_KEY_BYTES, salt, OP_SIGN_SALT_BYTES);
}

/* Derives the sealing key into @key (guarded memory of 32 bytes). */
static gboolean
derive_key (const char   *password,
            const guint8  salt[OP_SIGN_SALT_BYTES],
            guint64       opslimit,
            guint64       memlimit,
            guint8       *key,
            GError      **error)
{
  if (crypto_pwhash (key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
                     password, strlen (password), salt,
                     (unsigned long long) opslimit, (size_t) memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED,
                           _("Deriving the key that protects the signing key failed: not enough memory for Argon2id"));
      return FALSE;
    }
  return TRUE;
}

/* Seals the 64-byte @secret_key under @password with a new salt. */
static GBytes *
seal (const guint8 *secret_key,
      const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
      const char   *password,
      guint8        salt[OP_SIGN_SALT_BYTES],
      GError      **error)
{
  guint8 *out = g_malloc0 (SEAL_SIZE);
  guint8 ad[AD_SIZE];
  guint8 *key;
  unsigned long long clen = 0;

  key = sodium_malloc (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (key == NULL)
    {
      g_free (out);
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED, _("Out of guarded memory for keys"));
      return NULL;
    }

  randombytes_buf (salt, OP_SIGN_SALT_BYTES);
  memcpy (out, SEAL_MAGIC, 4);
  out[4] = SEAL_VERSION;
  write_le64 (out + 8, OPSLIMIT);
  write_le64 (out + 16, MEMLIMIT);
  randombytes_buf (out + SEAL_HEADER_SIZE, SEAL_NONCE_SIZE);

  if (!derive_key (password, salt, OPSLIMIT, MEMLIMIT, key, error))
    {
      sodium_free (key);
      g_free (out);
      return NULL;
    }

  build_ad (out, public_key, salt, ad);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out + SEAL_HEADER_SIZE + SEAL_NONCE_SIZE, &clen,
                                              secret_key, crypto_sign_SECRETKEYBYTES,
                                              ad, sizeof ad, NULL,
                                              out + SEAL_HEADER_SIZE, key);
  sodium_free (key);
  g_assert (clen == SEAL_CIPHER_SIZE);

  return g_bytes_new_take (out, SEAL_SIZE);
}

/* Opens @sealed into guarded memory (64 bytes, free with sodium_free), or
 * NULL with OP_SIGN_ERROR_CORRUPT_KEY saying what is wrong. */
static guint8 *
unseal (const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
        const guint8  salt[OP_SIGN_SALT_BYTES],
        GBytes       *sealed,
        const char   *password,
        GError      **error)
{
  const guint8 *in;
  gsize len = 0;
  guint64 opslimit, memlimit;
  guint8 ad[AD_SIZE];
  guint8 *key = NULL;
  guint8 *secret_key = NULL;
  unsigned long long mlen = 0;

  if (!op_sign_init (error))
    return NULL;

  in = sealed != NULL ? g_bytes_get_data (sealed, &len) : NULL;
  if (in == NULL || len != SEAL_SIZE || memcmp (in, SEAL_MAGIC, 4) != 0)
    {
      g_set_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                   _("The stored signing key is damaged: it is %lu bytes without the sealed-key header, "
                     "where %d bytes starting with OPSK are expected"),
                   (unsigned long) len, (int) SEAL_SIZE);
      return NULL;
    }
  if (in[4] != SEAL_VERSION)
    {
      g_set_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                   _("The stored signing key has format version %d, which this version of Orthoplan does not know"),
                   in[4]);
      return NULL;
    }

  opslimit = read_le64 (in + 8);
  memlimit = read_le64 (in + 16);
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > MAX_OPSLIMIT ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > MAX_MEMLIMIT)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The stored signing key is damaged: its key-derivation settings are out of range"));
      return NULL;
    }

  key = sodium_malloc (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  secret_key = sodium_malloc (crypto_sign_SECRETKEYBYTES);
  if (key == NULL || secret_key == NULL)
    {
      g_clear_pointer (&key, sodium_free);
      g_clear_pointer (&secret_key, sodium_free);
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED, _("Out of guarded memory for keys"));
      return NULL;
    }

  if (!derive_key (password, salt, opslimit, memlimit, key, error))
    goto fail;

  build_ad (in, public_key, salt, ad);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (secret_key, &mlen, NULL,
                                                  in + SEAL_HEADER_SIZE + SEAL_NONCE_SIZE, SEAL_CIPHER_SIZE,
                                                  ad, sizeof ad,
                                                  in + SEAL_HEADER_SIZE, key) != 0)
    {
      /* The AEAD cannot tell a wrong password from damaged bytes; callers
       * that checked the password first know it is the key. */
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The signing key does not open: either the password is wrong or the stored key "
                             "(or its salt or public key) was damaged or replaced"));
      goto fail;
    }

  /* An Ed25519 secret key carries its public half in its last 32 bytes. */
  if (sodium_memcmp (secret_key + 32, public_key, OP_SIGN_PUBLIC_KEY_BYTES) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The stored signing key belongs to another public key; the key record is damaged"));
      goto fail;
    }

  sodium_free (key);
  return secret_key;

fail:
  sodium_free (key);
  sodium_free (secret_key);
  return NULL;
}

GBytes *
op_sign_key_new (const char  *password,
                 guint8       public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                 guint8       salt[OP_SIGN_SALT_BYTES],
                 GError     **error)
{
  guint8 *secret_key;
  GBytes *sealed;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (public_key != NULL && salt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!op_sign_init (error))
    return NULL;

  secret_key = sodium_malloc (crypto_sign_SECRETKEYBYTES);
  if (secret_key == NULL)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_FAILED, _("Out of guarded memory for keys"));
      return NULL;
    }
  crypto_sign_keypair (public_key, secret_key);
  sealed = seal (secret_key, public_key, password, salt, error);
  sodium_free (secret_key);
  return sealed;
}

GBytes *
op_sign_key_reseal (const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                    const guint8  salt[OP_SIGN_SALT_BYTES],
                    GBytes       *sealed,
                    const char   *old_password,
                    const char   *new_password,
                    guint8        new_salt[OP_SIGN_SALT_BYTES],
                    GError      **error)
{
  guint8 *secret_key;
  GBytes *resealed;

  g_return_val_if_fail (public_key != NULL && salt != NULL && new_salt != NULL, NULL);
  g_return_val_if_fail (old_password != NULL && new_password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  secret_key = unseal (public_key, salt, sealed, old_password, error);
  if (secret_key == NULL)
    return NULL;
  resealed = seal (secret_key, public_key, new_password, new_salt, error);
  sodium_free (secret_key);
  return resealed;
}

gboolean
op_sign_data (const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
              const guint8  salt[OP_SIGN_SALT_BYTES],
              GBytes       *sealed,
              const char   *password,
              const guint8 *data,
              gsize         len,
              guint8        signature[OP_SIGN_SIGNATURE_BYTES],
              GError      **error)
{
  guint8 *secret_key;

  g_return_val_if_fail (public_key != NULL && salt != NULL && signature != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  secret_key = unseal (public_key, salt, sealed, password, error);
  if (secret_key == NULL)
    return FALSE;
  crypto_sign_detached (signature, NULL, data, len, secret_key);
  sodium_free (secret_key);

  /* Signing with a key whose halves disagree would store a signature
   * nobody can verify; check before anyone relies on it. */
  if (crypto_sign_verify_detached (signature, data, len, public_key) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The signing key made a signature its own public key does not accept; the key is damaged"));
      return FALSE;
    }
  return TRUE;
}

struct _OpSignKey {
  guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES];
  guint8 *secret_key;   /* guarded memory */
};

OpSignKey *
op_sign_key_open (const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                  const guint8  salt[OP_SIGN_SALT_BYTES],
                  GBytes       *sealed,
                  const char   *password,
                  GError      **error)
{
  OpSignKey *key;
  guint8 *secret_key;

  g_return_val_if_fail (public_key != NULL && salt != NULL && password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  secret_key = unseal (public_key, salt, sealed, password, error);
  if (secret_key == NULL)
    return NULL;
  key = g_new0 (OpSignKey, 1);
  memcpy (key->public_key, public_key, OP_SIGN_PUBLIC_KEY_BYTES);
  key->secret_key = secret_key;
  return key;
}

gboolean
op_sign_key_sign (const OpSignKey *key,
                  const guint8    *data,
                  gsize            len,
                  guint8           signature[OP_SIGN_SIGNATURE_BYTES],
                  GError         **error)
{
  g_return_val_if_fail (key != NULL && signature != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  crypto_sign_detached (signature, NULL, data, len, key->secret_key);
  /* As in op_sign_data: never hand out a signature nobody can verify. */
  if (crypto_sign_verify_detached (signature, data, len, key->public_key) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY,
                           _("The signing key made a signature its own public key does not accept; the key is damaged"));
      return FALSE;
    }
  return TRUE;
}

void
op_sign_key_free (OpSignKey *key)
{
  if (key == NULL)
    return;
  sodium_free (key->secret_key);
  g_free (key);
}

gboolean
op_sign_verify (const guint8  public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                const guint8 *data,
                gsize         len,
                const guint8  signature[OP_SIGN_SIGNATURE_BYTES],
                GError      **error)
{
  g_return_val_if_fail (public_key != NULL && signature != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!op_sign_init (error))
    return FALSE;

  if (crypto_sign_verify_detached (signature, data, len, public_key) != 0)
    {
      g_set_error_literal (error, OP_SIGN_ERROR, OP_SIGN_ERROR_BAD_SIGNATURE,
                           _("The signature does not match the signed bytes: they were changed after signing, "
                             "or the signature or public key was replaced"));
      return FALSE;
    }
  return TRUE;
}

void
op_sign_fingerprint (const guint8 public_key[OP_SIGN_PUBLIC_KEY_BYTES],
                     char         out[OP_SIGN_FINGERPRINT_SIZE])
{
  guint8 digest[32];

  g_return_if_fail (public_key != NULL && out != NULL);

  /* crypto_generichash needs no sodium_init: it has no global state. */
  crypto_generichash (digest, sizeof digest, public_key, OP_SIGN_PUBLIC_KEY_BYTES, NULL, 0);
  for (guint i = 0; i < 8; i++)
    g_snprintf (out + 2 * i, 3, "%02x", digest[i]);
  out[16] = '\0';
}

char *
op_sign_sha256_hex (const guint8 *data,
                    gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guint8 *) "", len);
}
