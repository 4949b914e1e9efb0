/* ba-pkcs11.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
/* The lowercase names GnuTLS's own headers use for these types */
#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

#include "ba-certificate-private.h"
#include "ba-pkcs11.h"

/* PKCS#11 through GnuTLS: the modules p11-kit knows plus our own, one PIN
 * callback for the whole process, listing of the certificates that have a
 * private key on a token, and key generation on a token.
 *
 * GnuTLS initialises PKCS#11 once per process, on the first call that needs
 * it, and loads p11-kit's modules then; modules named in BA_PKCS11_MODULES
 * are added right after. Anything that talks to a token calls
 * ba_pkcs11_init() first, so that our PIN callback is in place.
 *
 * Listing goes token by token, so that one token that fails (a PIN
 * cancelled, a card pulled out, a module in a bad state) costs its own
 * certificates only. GnuTLS's GNUTLS_PKCS11_OBJ_FLAG_WITH_PRIVKEY is no
 * help here: in 3.7 it only checks that the token holds some private key,
 * and lists its certificates that have none too, which we could never use
 * to sign. So we list the keys and the certificates of a token and pair
 * them by CKA_ID, the way tokens tie the two together. */

#define MAX_TOKENS 64
#define KEY_ID_BYTES 20
#define SERIAL_BYTES 16
#define PIN_DIGEST_BYTES 32

typedef struct
{
  gatomicrefcount ref_count;
  BaPinFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} PinHandler;

/* What happened to the PIN of the last login on this thread, so that a
 * GNUTLS_E_PKCS11_PIN_ERROR can be told apart: GnuTLS says the same for a
 * cancelled prompt and a refused PIN. */
typedef enum
{
  PIN_OUTCOME_NONE,
  PIN_OUTCOME_GIVEN,      /* a PIN went to the token */
  PIN_OUTCOME_CANCELLED,  /* the person cancelled the first prompt */
  PIN_OUTCOME_GAVE_UP,    /* cancelled after a refused PIN, or gave it again */
  PIN_OUTCOME_NO_HANDLER, /* nobody to ask */
} PinOutcome;

typedef struct
{
  PinOutcome outcome;
  /* A keyed digest of the PIN given last, to refuse sending a refused PIN
   * again: a UI that answers by itself would otherwise lock the card. A
   * digest, so that no PIN stays in memory once GnuTLS has it. */
  gboolean has_last_pin;
  guint8 last_pin_digest[PIN_DIGEST_BYTES];
} PinState;

typedef struct
{
  gnutls_pkcs11_obj_t *objects;
  unsigned int n_objects;
} ObjectList;

static GMutex pin_lock;
static PinHandler *pin_handler;

static GMutex module_lock;

static void pin_state_free (gpointer data);

static GPrivate pin_state_key = G_PRIVATE_INIT (pin_state_free);

static void
wipe_string (char *string)
{
  if (string != NULL)
    gnutls_memset (string, 0, strlen (string));
}

static void
pin_state_free (gpointer data)
{
  PinState *state = data;

  gnutls_memset (state, 0, sizeof *state);
  g_free (state);
}

static PinState *
get_pin_state (void)
{
  PinState *state = g_private_get (&pin_state_key);

  if (state == NULL)
    {
      state = g_new0 (PinState, 1);
      g_private_set (&pin_state_key, state);
    }

  return state;
}

static void
pin_handler_unref (PinHandler *handler)
{
  if (handler != NULL && g_atomic_ref_count_dec (&handler->ref_count))
    {
      if (handler->destroy != NULL)
        handler->destroy (handler->user_data);
      g_free (handler);
    }
}

static PinHandler *
get_pin_handler (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&pin_lock);

  if (pin_handler != NULL)
    g_atomic_ref_count_inc (&pin_handler->ref_count);

  return pin_handler;
}

/* Keyed with a random key of this process, so that the digest of a short
 * PIN cannot be looked up in a table. */
static gboolean
digest_pin (const char *pin,
            guint8      digest[PIN_DIGEST_BYTES])
{
  static guint8 key[32];
  static gsize key_made = 0;

  if (g_once_init_enter (&key_made))
    {
      if (gnutls_rnd (GNUTLS_RND_KEY, key, sizeof key) < 0)
        g_error ("No random numbers for the PIN digest");
      g_once_init_leave (&key_made, 1);
    }

  return gnutls_hmac_fast (GNUTLS_MAC_SHA256, key, sizeof key, pin, strlen (pin), digest) >= 0;
}

static char *
make_retry_message (guint flags)
{
  const char *wrong = NULL;
  const char *tries = NULL;

  if (flags & GNUTLS_PIN_WRONG)
    wrong = _("The PIN is incorrect.");

  /* The last try matters on the first prompt too: the PIN may have been
   * refused before, elsewhere, and a card locks for good. */
  if (flags & GNUTLS_PIN_FINAL_TRY)
    tries = _("Only one try is left before the token locks.");
  else if (flags & GNUTLS_PIN_COUNT_LOW)
    tries = _("Few tries are left before the token locks.");

  if (wrong != NULL && tries != NULL)
    return g_strdup_printf ("%s %s", wrong, tries);

  return g_strdup (wrong != NULL ? wrong : tries);
}

/* GnuTLS's PIN callback, called from whatever thread logs in. It returns 0
 * with the PIN in @pin, or a negative value to stop. */
static int
pin_callback (void         *user_data,
              int           attempt,
              const char   *token_url,
              const char   *token_label,
              unsigned int  flags,
              char         *pin,
              size_t        pin_max)
{
  PinState *state = get_pin_state ();
  PinHandler *handler;
  g_autofree char *retry_message = NULL;
  guint8 digest[PIN_DIGEST_BYTES];
  gboolean has_digest;
  char *answer;
  size_t length;

  /* A new login starts over. */
  if (attempt == 0)
    {
      state->outcome = PIN_OUTCOME_NONE;
      state->has_last_pin = FALSE;
      gnutls_memset (state->last_pin_digest, 0, sizeof state->last_pin_digest);
    }

  /* We never need the security officer: refuse rather than show a PIN
   * prompt that would mean something else. */
  if (flags & GNUTLS_PIN_SO)
    {
      state->outcome = PIN_OUTCOME_CANCELLED;
      return -1;
    }

  handler = get_pin_handler ();
  if (handler == NULL)
    {
      g_debug ("%s(): no PIN function for token %s", G_STRFUNC, token_label);
      state->outcome = PIN_OUTCOME_NO_HANDLER;
      return -1;
    }

  retry_message = make_retry_message (flags);
  answer = handler->func (token_label, (guint) attempt + 1, retry_message, handler->user_data);
  pin_handler_unref (handler);

  if (answer == NULL)
    {
      state->outcome = attempt > 0 ? PIN_OUTCOME_GAVE_UP : PIN_OUTCOME_CANCELLED;
      return -1;
    }

  length = strlen (answer);
  has_digest = digest_pin (answer, digest);
  if (length >= pin_max ||
      (has_digest && state->has_last_pin &&
       memcmp (digest, state->last_pin_digest, sizeof digest) == 0))
    {
      wipe_string (answer);
      g_free (answer);
      state->outcome = PIN_OUTCOME_GAVE_UP;
      return -1;
    }

  memcpy (pin, answer, length + 1);
  wipe_string (answer);
  g_free (answer);

  memcpy (state->last_pin_digest, digest, sizeof digest);
  state->has_last_pin = has_digest;
  state->outcome = PIN_OUTCOME_GIVEN;

  return 0;
}

static const char *
display_label (const char *token_label)
{
  /* Translators: a security token whose label is empty */
  return token_label != NULL && *token_label != '\0' ? token_label : _("the security token");
}

static void
object_list_clear (ObjectList *list)
{
  for (unsigned int i = 0; i < list->n_objects; i++)
    gnutls_pkcs11_obj_deinit (list->objects[i]);
  gnutls_free (list->objects);
  list->objects = NULL;
  list->n_objects = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ObjectList, object_list_clear)

static void
gnutls_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, gnutls_datum_clear)

static char *
get_token_string (const char                *url,
                  gnutls_pkcs11_token_info_t  what)
{
  char buffer[256];
  size_t size = sizeof buffer;

  if (gnutls_pkcs11_token_get_info (url, what, buffer, &size) < 0)
    return NULL;

  return g_strndup (buffer, size);
}

static char *
get_object_string (gnutls_pkcs11_obj_t      object,
                   gnutls_pkcs11_obj_info_t what)
{
  char buffer[256];
  size_t size = sizeof buffer;

  if (gnutls_pkcs11_obj_get_info (object, what, buffer, &size) < 0)
    return NULL;

  return g_strndup (buffer, size);
}

static GBytes *
get_object_id (gnutls_pkcs11_obj_t object)
{
  guint8 buffer[256];
  size_t size = sizeof buffer;

  if (gnutls_pkcs11_obj_get_info (object, GNUTLS_PKCS11_OBJ_ID, buffer, &size) < 0 || size == 0)
    return NULL;

  return g_bytes_new (buffer, size);
}

/* Adds attributes ("id=%01;type=private") to the path of a pkcs11: URI,
 * before any query ("?pin-source=…"). */
static char *
uri_with_attributes (const char *uri,
                     const char *attributes)
{
  const char *query = strchr (uri, '?');
  g_autofree char *path = query != NULL ? g_strndup (uri, query - uri) : g_strdup (uri);
  const char *separator = g_str_has_suffix (path, ":") || g_str_has_suffix (path, ";") ? "" : ";";

  return g_strconcat (path, separator, attributes, query, NULL);
}

static char *
percent_encode (const guint8 *data,
                gsize         size)
{
  GString *string = g_string_new (NULL);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (string, "%%%02X", data[i]);

  return g_string_free (string, FALSE);
}

static void
split_objects (ObjectList  *list,
               GPtrArray   *certificates,
               GPtrArray   *keys)
{
  for (unsigned int i = 0; i < list->n_objects; i++)
    {
      switch ((int) gnutls_pkcs11_obj_get_type (list->objects[i]))
        {
        case GNUTLS_PKCS11_OBJ_X509_CRT:
          g_ptr_array_add (certificates, list->objects[i]);
          break;

        case GNUTLS_PKCS11_OBJ_PRIVKEY:
          g_ptr_array_add (keys, list->objects[i]);
          break;

        default:
          break;
        }
    }
}

static gnutls_pkcs11_obj_t
find_key_for (gnutls_pkcs11_obj_t  certificate,
              GPtrArray           *keys)
{
  g_autoptr(GBytes) id = get_object_id (certificate);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(GBytes) key_id = get_object_id (g_ptr_array_index (keys, i));

      if (key_id != NULL && g_bytes_equal (id, key_id))
        return g_ptr_array_index (keys, i);
    }

  return NULL;
}

static BaCertificate *
make_certificate (gnutls_pkcs11_obj_t   object,
                  gnutls_pkcs11_obj_t   key,
                  const char           *token_label,
                  GError              **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autofree char *friendly_name = NULL;
  char *key_url = NULL;
  g_autofree char *key_uri = NULL;
  int algorithm;
  int ret;

  ret = gnutls_x509_crt_init (&crt);
  if (ret >= 0)
    ret = gnutls_x509_crt_import_pkcs11 (crt, object);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_CORRUPT, ret,
                                 _("A certificate on the security token could not be read."));
      return NULL;
    }

  /* We sign RS256 and PS256 only: a certificate with another kind of key
   * would be listed, and then fail. */
  algorithm = gnutls_x509_crt_get_pk_algorithm (crt, NULL);
  if (algorithm != GNUTLS_PK_RSA && algorithm != GNUTLS_PK_RSA_PSS)
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                           _("Only certificates with RSA keys can be used."));
      return NULL;
    }

  ret = gnutls_pkcs11_obj_export_url (key, GNUTLS_PKCS11_URL_GENERIC, &key_url);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_TOKEN, ret,
                                 _("A key on the security token could not be read."));
      return NULL;
    }
  key_uri = g_strdup (key_url);
  gnutls_free (key_url);

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), NULL, BA_KEY_LOCATION_PKCS11,
                                          key_uri, error);
  if (certificate == NULL)
    return NULL;

  _ba_certificate_set_token_label (certificate, token_label);

  friendly_name = get_object_string (object, GNUTLS_PKCS11_OBJ_LABEL);
  if (friendly_name != NULL && *friendly_name != '\0')
    _ba_certificate_set_friendly_name (certificate, friendly_name);

  return g_steal_pointer (&certificate);
}

/* Certificates paired with a key, from one listing of a token. */
static void
pair_objects (ObjectList *list,
              const char *token_label,
              GPtrArray  *result)
{
  g_autoptr(GPtrArray) certificates = g_ptr_array_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  split_objects (list, certificates, keys);

  for (guint i = 0; i < certificates->len; i++)
    {
      gnutls_pkcs11_obj_t object = g_ptr_array_index (certificates, i);
      gnutls_pkcs11_obj_t key = find_key_for (object, keys);
      g_autoptr(BaCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;

      if (key == NULL)
        continue;

      certificate = make_certificate (object, key, token_label, &error);
      if (certificate == NULL)
        {
          g_debug ("%s(): skipping a certificate on %s: %s", G_STRFUNC, token_label, error->message);
          continue;
        }

      g_ptr_array_add (result, g_steal_pointer (&certificate));
    }
}

static guint
count_certificates (ObjectList *list)
{
  guint n = 0;

  for (unsigned int i = 0; i < list->n_objects; i++)
    {
      if (gnutls_pkcs11_obj_get_type (list->objects[i]) == GNUTLS_PKCS11_OBJ_X509_CRT)
        n++;
    }

  return n;
}

/* Lists one token into @result. Asks for the PIN only when the token has
 * certificates but shows none of their keys without it, as tokens do that
 * mark keys CKA_PRIVATE. */
static gboolean
list_token (const char  *token_url,
            GPtrArray   *result,
            GError     **error)
{
  g_auto(ObjectList) objects = { NULL, 0 };
  g_autofree char *label = get_token_string (token_url, GNUTLS_PKCS11_TOKEN_LABEL);
  guint n_before = result->len;
  unsigned int flags = 0;
  int ret;

  ret = gnutls_pkcs11_token_get_flags (token_url, &flags);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, label);
      return FALSE;
    }

  /* An empty slot, or p11-kit's trust store, which holds the system's
   * certificate authorities and never a key. */
  if (!(flags & GNUTLS_PKCS11_TOKEN_INITIALIZED) || (flags & GNUTLS_PKCS11_TOKEN_TRUSTED))
    return TRUE;

  ret = gnutls_pkcs11_obj_list_import_url4 (&objects.objects, &objects.n_objects, token_url, 0);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, label);
      return FALSE;
    }

  pair_objects (&objects, label, result);

  if (result->len > n_before ||
      count_certificates (&objects) == 0 ||
      !(flags & GNUTLS_PKCS11_TOKEN_LOGIN_REQUIRED))
    return TRUE;

  if (flags & GNUTLS_PKCS11_TOKEN_USER_PIN_LOCKED)
    {
      _ba_pkcs11_set_error (error, GNUTLS_E_PKCS11_PIN_LOCKED, label);
      return FALSE;
    }

  object_list_clear (&objects);
  /* One listing of everything, so that the PIN is asked once. */
  ret = gnutls_pkcs11_obj_list_import_url4 (&objects.objects, &objects.n_objects, token_url,
                                            GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, label);
      return FALSE;
    }

  pair_objects (&objects, label, result);

  return TRUE;
}

/* Keeps a session open on a token while a few GnuTLS calls each open and
 * close their own: PKCS#11 keeps an application logged in to a token as long
 * as one of its sessions is open, so the PIN is asked once, not per call. */
typedef struct
{
  struct ck_function_list *module;
  ck_session_handle_t session;
} KeepAlive;

static void
keep_alive_close (KeepAlive *keep_alive)
{
  if (keep_alive->module != NULL)
    keep_alive->module->C_CloseSession (keep_alive->session);
  keep_alive->module = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KeepAlive, keep_alive_close)

static void
keep_alive_open (KeepAlive  *keep_alive,
                 const char *token_url)
{
  struct ck_function_list *module = NULL;
  unsigned long slot = 0;
  ck_session_handle_t session = 0;

  if (gnutls_pkcs11_token_get_ptr (token_url, (void **) &module, &slot, 0) < 0 || module == NULL)
    return;

  if (module->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
    return;

  keep_alive->module = module;
  keep_alive->session = session;
}

static gboolean
set_random (guint8  *data,
            gsize    size,
            GError **error)
{
  int ret = gnutls_rnd (GNUTLS_RND_NONCE, data, size);

  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                      _("Could not make random numbers."));

  return TRUE;
}

static gboolean
build_certificate (gnutls_x509_crt_t   crt,
                   gnutls_pubkey_t     public_key,
                   const char         *name,
                   guint               years,
                   GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expiry = g_date_time_add_years (now, (int) years);
  guint8 serial[SERIAL_BYTES];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  int ret;

  if (!set_random (serial, sizeof serial, error))
    return FALSE;

  /* Positive, and without a leading zero byte that DER would drop. */
  serial[0] &= 0x7f;
  serial[0] |= 0x01;

  ret = gnutls_x509_crt_set_version (crt, 3);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_activation_time (crt, (time_t) g_date_time_to_unix (now));
  if (ret >= 0)
    ret = gnutls_x509_crt_set_expiration_time (crt, (time_t) g_date_time_to_unix (expiry));
  if (ret >= 0)
    ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, name, strlen (name));
  if (ret >= 0)
    ret = gnutls_x509_crt_set_pubkey (crt, public_key);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1);
  if (ret >= 0)
    ret = gnutls_pubkey_get_key_id (public_key, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size);
  if (ret < 0)
    return _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret,
                                      _("Could not make the certificate."));

  return TRUE;
}

/* The private key we just made, by its ID, as a URL GnuTLS can sign with. */
static char *
find_key_url (const char  *id_uri,
              char       **token_label,
              GError     **error)
{
  g_auto(ObjectList) keys = { NULL, 0 };
  char *url = NULL;
  char *result;
  int ret;

  ret = gnutls_pkcs11_obj_list_import_url4 (&keys.objects, &keys.n_objects, id_uri,
                                            GNUTLS_PKCS11_OBJ_FLAG_PRIVKEY | GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
  if (ret >= 0 && keys.n_objects != 1)
    ret = GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
  if (ret >= 0)
    ret = gnutls_pkcs11_obj_export_url (keys.objects[0], GNUTLS_PKCS11_URL_GENERIC, &url);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, NULL);
      return NULL;
    }

  *token_label = get_object_string (keys.objects[0], GNUTLS_PKCS11_OBJ_TOKEN_LABEL);

  result = g_strdup (url);
  gnutls_free (url);

  return result;
}

static gboolean
add_module (const char  *module_path,
            GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&module_lock);
  int ret;

  ret = gnutls_pkcs11_add_provider (module_path, NULL);
  if (ret < 0)
    {
      g_debug ("%s(): %s: %s", G_STRFUNC, module_path, gnutls_strerror (ret));
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN,
                   /* Translators: %s is the path of a PKCS#11 module */
                   _("Could not load the security token module “%s”."), module_path);
      return FALSE;
    }

  return TRUE;
}

/**
 * ba_pkcs11_set_pin_func:
 * @func: (nullable): asked for a token's PIN, from a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced
 *
 * Sets who is asked for PINs, for the whole process. Without one, a token
 * that needs a PIN fails with %BA_CERT_ERROR_PIN_REQUIRED.
 */
void
ba_pkcs11_set_pin_func (BaPinFunc      func,
                        gpointer       user_data,
                        GDestroyNotify destroy)
{
  PinHandler *old_handler;
  PinHandler *handler = NULL;

  if (func != NULL)
    {
      handler = g_new0 (PinHandler, 1);
      g_atomic_ref_count_init (&handler->ref_count);
      handler->func = func;
      handler->user_data = user_data;
      handler->destroy = destroy;
    }

  g_mutex_lock (&pin_lock);
  old_handler = pin_handler;
  pin_handler = handler;
  g_mutex_unlock (&pin_lock);

  /* Setting GnuTLS's callback does not start PKCS#11, and GnuTLS may start
   * it by itself before ba_pkcs11_init() runs. */
  gnutls_pkcs11_set_pin_function (pin_callback, NULL);

  pin_handler_unref (old_handler);
}

/**
 * ba_pkcs11_init:
 * @error: return location for an error
 *
 * Starts PKCS#11 with p11-kit's modules, then the modules named in
 * `BA_PKCS11_MODULES` (colon-separated paths). Only the first call does
 * anything; a module that fails to load is logged and left out, since no
 * token is a normal state.
 *
 * Returns: %TRUE
 */
gboolean
ba_pkcs11_init (GError **error)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *modules = g_getenv ("BA_PKCS11_MODULES");
      int ret;

      gnutls_pkcs11_set_pin_function (pin_callback, NULL);

      ret = gnutls_pkcs11_init (GNUTLS_PKCS11_FLAG_AUTO, NULL);
      if (ret < 0)
        g_debug ("%s(): p11-kit modules: %s", G_STRFUNC, gnutls_strerror (ret));

      if (modules != NULL)
        {
          g_auto(GStrv) paths = g_strsplit (modules, ":", -1);

          for (guint i = 0; paths[i] != NULL; i++)
            {
              g_autoptr(GError) module_error = NULL;

              if (*paths[i] == '\0')
                continue;

              if (!add_module (paths[i], &module_error))
                g_warning ("BA_PKCS11_MODULES: %s", module_error->message);
            }
        }

      g_once_init_leave (&initialized, 1);
    }

  return TRUE;
}

/**
 * ba_pkcs11_add_module:
 * @module_path: the path of a PKCS#11 module (a shared library)
 * @error: return location for an error
 *
 * Adds a module that p11-kit does not know, such as a test's SoftHSM2. A
 * module that is loaded already is not loaded twice. Not to be called while
 * another thread uses a token.
 *
 * Returns: %TRUE if the module is loaded
 */
gboolean
ba_pkcs11_add_module (const char  *module_path,
                      GError     **error)
{
  g_return_val_if_fail (module_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ba_pkcs11_init (NULL);

  return add_module (module_path, error);
}

/**
 * ba_pkcs11_list_certificates_full:
 * @cancellable: (nullable): a #GCancellable, looked at between tokens
 * @token_errors: (out) (optional) (element-type GError): the errors of the
 *   tokens that could not be read
 * @error: return location for an error
 *
 * Lists, token by token, the certificates with an RSA key on the same token
 * (same CKA_ID). Asks for a token's PIN, through the PIN function, only when
 * the token shows certificates but none of their keys without it. Blocks:
 * call it from a worker thread.
 *
 * Returns: (transfer container) (element-type BaCertificate): the
 *   certificates, or %NULL when cancelled
 */
GPtrArray *
ba_pkcs11_list_certificates_full (GCancellable  *cancellable,
                                  GPtrArray    **token_errors,
                                  GError       **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ba_pkcs11_init (NULL);

  for (guint seq = 0; seq < MAX_TOKENS; seq++)
    {
      GError *token_error = NULL;
      char *url = NULL;
      g_autofree char *token_url = NULL;
      int ret;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      ret = gnutls_pkcs11_token_get_url (seq, GNUTLS_PKCS11_URL_GENERIC, &url);
      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret < 0)
        {
          _ba_pkcs11_set_error (&token_error, ret, NULL);
          g_ptr_array_add (errors, token_error);
          break;
        }

      token_url = g_strdup (url);
      gnutls_free (url);

      if (!list_token (token_url, result, &token_error))
        {
          g_debug ("%s(): %s: %s", G_STRFUNC, token_url, token_error->message);
          g_ptr_array_add (errors, token_error);
        }
    }

  if (token_errors != NULL)
    *token_errors = g_steal_pointer (&errors);

  return g_steal_pointer (&result);
}

/**
 * ba_pkcs11_list_certificates:
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Returns: (transfer container) (element-type BaCertificate): the
 *   certificates that have a matching private key on a token
 */
GPtrArray *
ba_pkcs11_list_certificates (GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GPtrArray) token_errors = NULL;
  g_autoptr(GPtrArray) result = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = ba_pkcs11_list_certificates_full (cancellable, &token_errors, error);
  if (result == NULL)
    return NULL;

  if (result->len == 0 && token_errors->len > 0)
    {
      g_propagate_error (error, g_error_copy (g_ptr_array_index (token_errors, 0)));
      return NULL;
    }

  return g_steal_pointer (&result);
}

void
_ba_pkcs11_set_error (GError     **error,
                      int          gnutls_result,
                      const char  *token_label)
{
  PinState *state = get_pin_state ();
  const char *label = display_label (token_label);

  g_debug ("%s(): %s: %s", G_STRFUNC, label, gnutls_strerror (gnutls_result));

  switch (gnutls_result)
    {
    case GNUTLS_E_PKCS11_PIN_ERROR:
    case GNUTLS_E_PKCS11_USER_ERROR:
      if (state->outcome == PIN_OUTCOME_NONE ||
          state->outcome == PIN_OUTCOME_CANCELLED ||
          state->outcome == PIN_OUTCOME_NO_HANDLER)
        g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_REQUIRED,
                     /* Translators: %s is the label of a security token */
                     _("The PIN of “%s” is needed to use its keys."), label);
      else
        g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_INCORRECT,
                     _("The PIN of “%s” is incorrect."), label);
      break;

    case GNUTLS_E_PKCS11_PIN_LOCKED:
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_PIN_LOCKED,
                   _("“%s” is locked after too many wrong PINs. Unlock it with the tools of its maker."),
                   label);
      break;

    case GNUTLS_E_PKCS11_PIN_EXPIRED:
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN,
                   _("The PIN of “%s” has expired. Change it with the tools of its maker."),
                   label);
      break;

    case GNUTLS_E_PKCS11_UNSUPPORTED_FEATURE_ERROR:
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_UNSUPPORTED_ALGORITHM,
                   _("“%s” cannot do what is needed here."), label);
      break;

    default:
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_TOKEN,
                   _("The security token “%s” failed."), label);
      break;
    }
}

/**
 * ba_pkcs11_generate:
 * @token_uri: the token, a `pkcs11:` URI such as `pkcs11:token=My%20Card`
 * @name: the common name
 * @bits: 2048, 3072 or 4096
 * @years: validity, 1 to 10
 * @cancellable: (nullable): a #GCancellable, looked at between steps
 * @error: return location for an error
 *
 * Generates an RSA key pair on the token (sensitive, private, never
 * extractable), signs a self-signed certificate with it on the token and
 * stores the certificate next to the key, with the same ID and label. If a
 * later step fails or is cancelled, the key is deleted again. Blocks, and
 * may ask for the PIN: call it from a worker thread.
 *
 * Returns: (transfer full) (nullable): the certificate, with its key on the
 *   token
 */
BaCertificate *
ba_pkcs11_generate (const char    *token_uri,
                    const char    *name,
                    guint          bits,
                    guint          years,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_auto(KeepAlive) keep_alive = { NULL, 0 };
  g_auto(gnutls_datum_t) public_der = { NULL, 0 };
  g_auto(gnutls_pubkey_t) public_key = NULL;
  g_auto(gnutls_privkey_t) private_key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(BaCertificate) certificate = NULL;
  g_autofree char *token_label = NULL;
  g_autofree char *id_hex = NULL;
  g_autofree char *id_attribute = NULL;
  g_autofree char *id_uri = NULL;
  g_autofree char *key_uri = NULL;
  guint8 id[KEY_ID_BYTES];
  gnutls_datum_t id_datum = { id, sizeof id };
  gboolean generated = FALSE;
  int ret;

  g_return_val_if_fail (token_uri != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ba_certificate_validate_generate_args (name, bits, years, error))
    return NULL;

  if (!g_str_has_prefix (token_uri, "pkcs11:"))
    {
      g_set_error (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                   /* Translators: %s is what was given as a token's address */
                   _("“%s” is not a pkcs11: address of a security token."), token_uri);
      return NULL;
    }

  ba_pkcs11_init (NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!set_random (id, sizeof id, error))
    return NULL;

  id_hex = percent_encode (id, sizeof id);
  id_attribute = g_strconcat ("id=", id_hex, NULL);
  id_uri = uri_with_attributes (token_uri, id_attribute);
  token_label = get_token_string (token_uri, GNUTLS_PKCS11_TOKEN_LABEL);

  keep_alive_open (&keep_alive, token_uri);

  ret = gnutls_pkcs11_privkey_generate3 (token_uri, GNUTLS_PK_RSA, bits, name, &id_datum,
                                         GNUTLS_X509_FMT_DER, &public_der,
                                         GNUTLS_KEY_DIGITAL_SIGNATURE,
                                         GNUTLS_PKCS11_OBJ_FLAG_LOGIN |
                                         GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE |
                                         GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, token_label);
      return NULL;
    }
  generated = TRUE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  ret = gnutls_pubkey_init (&public_key);
  if (ret >= 0)
    ret = gnutls_pubkey_import (public_key, &public_der, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_TOKEN, ret,
                                 _("The security token returned a public key that could not be read."));
      goto fail;
    }

  g_clear_pointer (&token_label, g_free);
  key_uri = find_key_url (id_uri, &token_label, error);
  if (key_uri == NULL)
    goto fail;

  ret = gnutls_privkey_init (&private_key);
  if (ret >= 0)
    ret = gnutls_privkey_import_url (private_key, key_uri, 0);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, token_label);
      goto fail;
    }

  ret = gnutls_x509_crt_init (&crt);
  if (ret < 0)
    {
      _ba_cert_set_gnutls_error (error, BA_CERT_ERROR_FAILED, ret, _("Could not make the certificate."));
      goto fail;
    }

  if (!build_certificate (crt, public_key, name, years, error))
    goto fail;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  ret = gnutls_x509_crt_privkey_sign (crt, crt, private_key, GNUTLS_DIG_SHA256, 0);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, token_label);
      goto fail;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  ret = gnutls_pkcs11_copy_x509_crt2 (token_uri, crt, name, &id_datum, GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
  if (ret < 0)
    {
      _ba_pkcs11_set_error (error, ret, token_label);
      goto fail;
    }

  certificate = _ba_certificate_new_take (g_steal_pointer (&crt), NULL, BA_KEY_LOCATION_PKCS11,
                                          key_uri, error);
  if (certificate == NULL)
    goto fail;

  _ba_certificate_set_token_label (certificate, token_label);
  _ba_certificate_set_friendly_name (certificate, name);

  g_debug ("%s(): generated %s on %s", G_STRFUNC,
           ba_certificate_get_sha1_thumbprint (certificate), token_uri);

  return g_steal_pointer (&certificate);

fail:
  /* Everything with our ID: the key pair, and the certificate if it got
   * written. The ID is random, so it is ours alone. */
  if (generated)
    {
      ret = gnutls_pkcs11_delete_url (id_uri, GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
      if (ret < 0)
        g_warning ("Could not remove the key generated on %s: %s", token_uri, gnutls_strerror (ret));
    }

  return NULL;
}
