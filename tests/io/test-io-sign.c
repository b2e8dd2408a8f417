/* test-io-sign.c: Argon2id password hashes, sealed Ed25519 keys and
 * signatures over real bytes (a real tooth scan from $OP_SHARED_DATA). */
#include <string.h>

#include <glib.h>

#include "op-sign.h"

#define PASSWORD     "mint tea at 7 on Fridays"
#define NEW_PASSWORD "a new leaf every spring"

static void
hex_decode (const char *hex,
            guint8     *out,
            gsize       n)
{
  g_assert_cmpuint (strlen (hex), ==, 2 * n);
  for (gsize i = 0; i < n; i++)
    out[i] = (guint8) ((g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]));
}

/* A real file's bytes stand in for a plan: signing must not care what the
 * bytes mean, only that they are exactly these. */
static GBytes *
real_bytes (void)
{
  const char *root = g_getenv ("OP_SHARED_DATA");
  g_autofree char *path = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (root == NULL)
    return NULL;
  path = g_build_filename (root, "open-full-jaw-p26", "maxilla", "tooth_8.stl", NULL);
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_bytes_new_take (contents, len);
}

static void
test_password_hash (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *again = NULL;

  hash = op_sign_hash_password (PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hash);
  if (hash == NULL)
    return;
  g_assert_true (g_str_has_prefix (hash, "$argon2id$v=19$m=65536,t=2,p=1$"));
  g_assert_null (strstr (hash, PASSWORD));

  /* A new random salt each time: the same password never hashes the same. */
  again = op_sign_hash_password (PASSWORD, NULL);
  g_assert_cmpstr (hash, !=, again);

  g_assert_true (op_sign_check_password (hash, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (op_sign_check_password (again, PASSWORD, NULL));

  g_assert_false (op_sign_check_password (hash, PASSWORD "x", &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_false (op_sign_check_password (hash, "", &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
}

static void
test_password_hash_corrupt (void)
{
  g_autofree char *hash = op_sign_hash_password (PASSWORD, NULL);
  g_autofree char *cut = NULL;
  static const char * const bad[] = {
    "",
    "not a hash",
    "$2b$12$abcdefghijklmnopqrstuv",  /* bcrypt, not Argon2id */
    "$argon2id$v=19$m=65536,t=2,p=1$",
  };

  g_assert_nonnull (hash);
  if (hash == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (op_sign_check_password (bad[i], PASSWORD, &error));
      g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
      if (error)
        g_assert_nonnull (strstr (error->message, "damaged"));
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_sign_check_password (NULL, PASSWORD, &error));
    g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
  }

  /* A hash cut in its parameters is no longer a hash. */
  cut = g_strndup (hash, 20);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (op_sign_check_password (cut, PASSWORD, &error));
    g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
  }
}

static void
test_key_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) plan = real_bytes ();
  guint8 pk[OP_SIGN_PUBLIC_KEY_BYTES], salt[OP_SIGN_SALT_BYTES];
  guint8 sig[OP_SIGN_SIGNATURE_BYTES], sig2[OP_SIGN_SIGNATURE_BYTES];
  const guint8 *data;
  gsize len;

  if (plan == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set or tooth_8.stl is missing");
      return;
    }
  data = g_bytes_get_data (plan, &len);
  g_assert_cmpuint (len, >, 100000);

  sealed = op_sign_key_new (PASSWORD, pk, salt, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  if (sealed == NULL)
    return;
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, 128);
  g_assert_cmpmem (g_bytes_get_data (sealed, NULL), 4, "OPSK", 4);

  g_assert_true (op_sign_data (pk, salt, sealed, PASSWORD, data, len, sig, &error));
  g_assert_no_error (error);
  g_assert_true (op_sign_verify (pk, data, len, sig, &error));
  g_assert_no_error (error);

  /* Ed25519 is deterministic: the same key and bytes, the same signature. */
  g_assert_true (op_sign_data (pk, salt, sealed, PASSWORD, data, len, sig2, NULL));
  g_assert_cmpmem (sig, sizeof sig, sig2, sizeof sig2);

  /* A wrong password does not open the key. */
  g_assert_false (op_sign_data (pk, salt, sealed, "not the password at all", data, len, sig2, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
  g_clear_error (&error);

  /* Opened once and then used (as op_store_approve does, so that the
   * derivation runs outside its transaction): the same signature. */
  {
    g_autoptr(OpSignKey) key = op_sign_key_open (pk, salt, sealed, PASSWORD, &error);
    guint8 sig3[OP_SIGN_SIGNATURE_BYTES] = { 0 };

    g_assert_no_error (error);
    g_assert_nonnull (key);
    if (key != NULL)
      {
        g_assert_true (op_sign_key_sign (key, data, len, sig3, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (sig, sizeof sig, sig3, sizeof sig3);
      }
    g_assert_null (op_sign_key_open (pk, salt, sealed, "not the password at all", &error));
    g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
    g_clear_error (&error);
  }
}

static void
test_tampered_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) plan = real_bytes ();
  guint8 pk[OP_SIGN_PUBLIC_KEY_BYTES], salt[OP_SIGN_SALT_BYTES];
  guint8 sig[OP_SIGN_SIGNATURE_BYTES];
  g_autofree guint8 *copy = NULL;
  gsize len;

  if (plan == NULL)
    {
      g_test_skip ("OP_SHARED_DATA is not set or tooth_8.stl is missing");
      return;
    }
  len = g_bytes_get_size (plan);
  copy = g_memdup2 (g_bytes_get_data (plan, NULL), len);

  sealed = op_sign_key_new (PASSWORD, pk, salt, NULL);
  g_assert_true (op_sign_data (pk, salt, sealed, PASSWORD, copy, len, sig, NULL));

  /* One bit in the middle of 1 MB, one byte shorter, one byte longer, a
   * changed signature, another key: each must fail. */
  copy[len / 2] ^= 0x01;
  g_assert_false (op_sign_verify (pk, copy, len, sig, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  copy[len / 2] ^= 0x01;
  g_assert_true (op_sign_verify (pk, copy, len, sig, NULL));

  g_assert_false (op_sign_verify (pk, copy, len - 1, sig, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  sig[10] ^= 0x80;
  g_assert_false (op_sign_verify (pk, copy, len, sig, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  sig[10] ^= 0x80;

  {
    guint8 other_pk[OP_SIGN_PUBLIC_KEY_BYTES], other_salt[OP_SIGN_SALT_BYTES];
    g_autoptr(GBytes) other = op_sign_key_new (PASSWORD, other_pk, other_salt, NULL);

    g_assert_nonnull (other);
    g_assert_false (op_sign_verify (other_pk, copy, len, sig, &error));
    g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_BAD_SIGNATURE);
    g_clear_error (&error);
  }
}

/* RFC 8032, section 7.1, test 1: an independent check that we call
 * Ed25519 and not something else. */
static void
test_rfc8032_vector (void)
{
  guint8 pk[32], sig[64];
  g_autoptr(GError) error = NULL;

  hex_decode ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, 32);
  hex_decode ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
              sig, 64);

  g_assert_true (op_sign_verify (pk, NULL, 0, sig, &error));
  g_assert_no_error (error);
  g_assert_false (op_sign_verify (pk, (const guint8 *) "x", 1, sig, NULL));
}

static void
test_reseal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) resealed = NULL;
  guint8 pk[OP_SIGN_PUBLIC_KEY_BYTES], salt[OP_SIGN_SALT_BYTES], new_salt[OP_SIGN_SALT_BYTES];
  guint8 sig_before[OP_SIGN_SIGNATURE_BYTES], sig_after[OP_SIGN_SIGNATURE_BYTES];
  const guint8 msg[] = "approved treatment plan v1 for production";

  sealed = op_sign_key_new (PASSWORD, pk, salt, NULL);
  g_assert_true (op_sign_data (pk, salt, sealed, PASSWORD, msg, sizeof msg, sig_before, NULL));

  /* The old password must be right to re-seal. */
  g_assert_null (op_sign_key_reseal (pk, salt, sealed, "a wrong old password", NEW_PASSWORD, new_salt, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
  g_clear_error (&error);

  resealed = op_sign_key_reseal (pk, salt, sealed, PASSWORD, NEW_PASSWORD, new_salt, &error);
  g_assert_no_error (error);
  g_assert_nonnull (resealed);
  if (resealed == NULL)
    return;
  g_assert_false (g_bytes_equal (sealed, resealed));
  g_assert_true (memcmp (salt, new_salt, sizeof salt) != 0);

  /* Same key pair: the same signature as before, and the old password no
   * longer opens the new seal. */
  g_assert_true (op_sign_data (pk, new_salt, resealed, NEW_PASSWORD, msg, sizeof msg, sig_after, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sig_before, sizeof sig_before, sig_after, sizeof sig_after);
  g_assert_false (op_sign_data (pk, new_salt, resealed, PASSWORD, msg, sizeof msg, sig_after, NULL));
  g_assert_true (op_sign_verify (pk, msg, sizeof msg, sig_before, NULL));
}

static void
check_corrupt (const guint8 *pk,
               const guint8 *salt,
               GBytes       *sealed,
               const char   *expect)
{
  g_autoptr(GError) error = NULL;
  guint8 sig[OP_SIGN_SIGNATURE_BYTES];

  g_assert_false (op_sign_data (pk, salt, sealed, PASSWORD, (const guint8 *) "x", 1, sig, &error));
  g_assert_error (error, OP_SIGN_ERROR, OP_SIGN_ERROR_CORRUPT_KEY);
  if (error)
    g_assert_nonnull (strstr (error->message, expect));
}

static void
test_corrupt_key (void)
{
  g_autoptr(GBytes) sealed = NULL;
  guint8 pk[OP_SIGN_PUBLIC_KEY_BYTES], salt[OP_SIGN_SALT_BYTES];
  const guint8 *orig;
  gsize len;

  sealed = op_sign_key_new (PASSWORD, pk, salt, NULL);
  g_assert_nonnull (sealed);
  if (sealed == NULL)
    return;
  orig = g_bytes_get_data (sealed, &len);

  /* Each damaged copy must fail to open, with a message that says so. */
  {
    g_autofree guint8 *b = g_memdup2 (orig, len);
    g_autoptr(GBytes) bad = NULL;

    b[len - 20] ^= 0x04;   /* inside the ciphertext */
    bad = g_bytes_new (b, len);
    check_corrupt (pk, salt, bad, "does not open");
  }
  {
    g_autoptr(GBytes) bad = g_bytes_new (orig, len - 1);

    check_corrupt (pk, salt, bad, "damaged");
  }
  {
    g_autoptr(GBytes) bad = g_bytes_new (NULL, 0);

    check_corrupt (pk, salt, bad, "damaged");
  }
  check_corrupt (pk, salt, NULL, "damaged");
  {
    g_autofree guint8 *b = g_memdup2 (orig, len);
    g_autoptr(GBytes) bad = NULL;

    b[0] = 'X';
    bad = g_bytes_new (b, len);
    check_corrupt (pk, salt, bad, "OPSK");
  }
  {
    g_autofree guint8 *b = g_memdup2 (orig, len);
    g_autoptr(GBytes) bad = NULL;

    b[4] = 9;
    bad = g_bytes_new (b, len);
    check_corrupt (pk, salt, bad, "format version 9");
  }
  {
    /* A memlimit of 2^62 bytes must be refused, not attempted. */
    g_autofree guint8 *b = g_memdup2 (orig, len);
    g_autoptr(GBytes) bad = NULL;

    b[23] = 0x40;
    bad = g_bytes_new (b, len);
    check_corrupt (pk, salt, bad, "out of range");
  }
  {
    /* The limits are authenticated: a smaller but valid opslimit changes
     * the derived key and the additional data. */
    g_autofree guint8 *b = g_memdup2 (orig, len);
    g_autoptr(GBytes) bad = NULL;

    b[8] = 3;
    bad = g_bytes_new (b, len);
    check_corrupt (pk, salt, bad, "does not open");
  }
  {
    guint8 other_salt[OP_SIGN_SALT_BYTES];

    memcpy (other_salt, salt, sizeof other_salt);
    other_salt[0] ^= 1;
    check_corrupt (pk, other_salt, sealed, "does not open");
  }
  {
    /* Another user's sealed key under this user's public key. */
    guint8 pk2[OP_SIGN_PUBLIC_KEY_BYTES], salt2[OP_SIGN_SALT_BYTES];
    g_autoptr(GBytes) other = op_sign_key_new (PASSWORD, pk2, salt2, NULL);

    check_corrupt (pk, salt2, other, "does not open");
  }
}

static void
test_fingerprint (void)
{
  guint8 zero[32] = { 0 };
  guint8 pk[32];
  char fp[OP_SIGN_FINGERPRINT_SIZE];

  /* Reference values from Python's hashlib.blake2b(digest_size=32). */
  op_sign_fingerprint (zero, fp);
  g_assert_cmpstr (fp, ==, "89eb0d6a8a691dae");

  hex_decode ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pk, 32);
  op_sign_fingerprint (pk, fp);
  g_assert_cmpstr (fp, ==, "7849ac3049680be1");
}

static void
test_sha256 (void)
{
  g_autofree char *abc = op_sign_sha256_hex ((const guint8 *) "abc", 3);
  g_autofree char *empty = op_sign_sha256_hex (NULL, 0);

  g_assert_cmpstr (abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/io/sign/password/hash", test_password_hash);
  g_test_add_func ("/io/sign/password/corrupt", test_password_hash_corrupt);
  g_test_add_func ("/io/sign/key/round-trip", test_key_round_trip);
  g_test_add_func ("/io/sign/key/reseal", test_reseal);
  g_test_add_func ("/io/sign/key/corrupt", test_corrupt_key);
  g_test_add_func ("/io/sign/verify/tampered", test_tampered_bytes);
  g_test_add_func ("/io/sign/verify/rfc8032", test_rfc8032_vector);
  g_test_add_func ("/io/sign/fingerprint", test_fingerprint);
  g_test_add_func ("/io/sign/sha256", test_sha256);

  return g_test_run ();
}
