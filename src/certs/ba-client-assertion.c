/* ba-client-assertion.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <json-glib/json-glib.h>

#include "ba-certificate-private.h"
#include "ba-client-assertion.h"
#include "ba-random.h"
#include "ba-enum-types.h"

/* A JWT that proves to Microsoft Entra ID that a backup application holds
 * its certificate's private key (RFC 7523, and the identity platform's
 * "certificate credentials" page):
 *
 *   base64url(header) "." base64url(claims) "." base64url(signature)
 *
 * RS256 goes with x5t (SHA-1 thumbprint) and is the default: it works with
 * every RSA key, including tokens without PSS. PS256 goes with x5t#S256, as
 * the current Microsoft page shows. */

#define MAX_LIFETIME_SECONDS 600
/* Entra ID's clock may run behind ours; its tolerance is not documented. */
#define NOT_BEFORE_SKEW_SECONDS 60

struct _BaClientAssertion
{
  GObject parent_instance;

  /* Owned */
  BaCertificate *certificate;
  char *client_id;
  char *audience;

  BaSignatureScheme scheme;
  guint lifetime;
};

G_DEFINE_FINAL_TYPE (BaClientAssertion, ba_client_assertion, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CERTIFICATE,
  PROP_CLIENT_ID,
  PROP_AUDIENCE,
  PROP_SCHEME,
  PROP_LIFETIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ba_client_assertion_dispose (GObject *object)
{
  BaClientAssertion *self = (BaClientAssertion *) object;

  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (ba_client_assertion_parent_class)->dispose (object);
}

static void
ba_client_assertion_finalize (GObject *object)
{
  BaClientAssertion *self = (BaClientAssertion *) object;

  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->audience, g_free);

  G_OBJECT_CLASS (ba_client_assertion_parent_class)->finalize (object);
}

static void
ba_client_assertion_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BaClientAssertion *self = BA_CLIENT_ASSERTION (object);

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;

    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;

    case PROP_AUDIENCE:
      g_value_set_string (value, self->audience);
      break;

    case PROP_SCHEME:
      g_value_set_enum (value, self->scheme);
      break;

    case PROP_LIFETIME:
      g_value_set_uint (value, self->lifetime);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_client_assertion_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BaClientAssertion *self = BA_CLIENT_ASSERTION (object);

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      self->certificate = g_value_dup_object (value);
      break;

    case PROP_CLIENT_ID:
      self->client_id = g_value_dup_string (value);
      break;

    case PROP_AUDIENCE:
      self->audience = g_value_dup_string (value);
      break;

    case PROP_SCHEME:
      ba_client_assertion_set_scheme (self, g_value_get_enum (value));
      break;

    case PROP_LIFETIME:
      ba_client_assertion_set_lifetime (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_client_assertion_class_init (BaClientAssertionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_client_assertion_dispose;
  object_class->finalize = ba_client_assertion_finalize;
  object_class->get_property = ba_client_assertion_get_property;
  object_class->set_property = ba_client_assertion_set_property;

  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL,
                         BA_TYPE_CERTIFICATE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* The backup application's appId: both iss and sub. */
  properties[PROP_CLIENT_ID] =
    g_param_spec_string ("client-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* The exact token endpoint, with the cloud's authority host. */
  properties[PROP_AUDIENCE] =
    g_param_spec_string ("audience", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SCHEME] =
    g_param_spec_enum ("scheme", NULL, NULL,
                       BA_TYPE_SIGNATURE_SCHEME,
                       BA_SIGNATURE_RSA_PKCS1_SHA256,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Microsoft recommends 5 to 10 minutes from nbf to exp. */
  properties[PROP_LIFETIME] =
    g_param_spec_uint ("lifetime", NULL, NULL,
                       1, MAX_LIFETIME_SECONDS, MAX_LIFETIME_SECONDS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_client_assertion_init (BaClientAssertion *self)
{
  self->scheme = BA_SIGNATURE_RSA_PKCS1_SHA256;
  self->lifetime = MAX_LIFETIME_SECONDS;
}

/**
 * ba_client_assertion_new:
 * @certificate: a certificate with a private key
 * @client_id: the application (client) ID
 * @audience: the token endpoint
 *
 * Returns: (transfer full): a new #BaClientAssertion
 */
BaClientAssertion *
ba_client_assertion_new (BaCertificate *certificate,
                         const char    *client_id,
                         const char    *audience)
{
  g_return_val_if_fail (BA_IS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (client_id != NULL, NULL);
  g_return_val_if_fail (audience != NULL, NULL);

  return g_object_new (BA_TYPE_CLIENT_ASSERTION,
                       "certificate", certificate,
                       "client-id", client_id,
                       "audience", audience,
                       NULL);
}

void
ba_client_assertion_set_scheme (BaClientAssertion *self,
                                BaSignatureScheme  scheme)
{
  g_return_if_fail (BA_IS_CLIENT_ASSERTION (self));
  g_return_if_fail (scheme == BA_SIGNATURE_RSA_PKCS1_SHA256 || scheme == BA_SIGNATURE_RSA_PSS_SHA256);

  if (self->scheme == scheme)
    return;

  self->scheme = scheme;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEME]);
}

BaSignatureScheme
ba_client_assertion_get_scheme (BaClientAssertion *self)
{
  g_return_val_if_fail (BA_IS_CLIENT_ASSERTION (self), BA_SIGNATURE_RSA_PKCS1_SHA256);

  return self->scheme;
}

/**
 * ba_client_assertion_set_lifetime:
 * @self: a #BaClientAssertion
 * @seconds: from iat to exp, 1 to 600
 *
 * More than 600 seconds is clamped to 600: an assertion that lives longer
 * is a longer chance for whoever intercepts it.
 */
void
ba_client_assertion_set_lifetime (BaClientAssertion *self,
                                  guint              seconds)
{
  g_return_if_fail (BA_IS_CLIENT_ASSERTION (self));
  g_return_if_fail (seconds > 0);

  seconds = MIN (seconds, MAX_LIFETIME_SECONDS);

  if (self->lifetime == seconds)
    return;

  self->lifetime = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIFETIME]);
}

guint
ba_client_assertion_get_lifetime (BaClientAssertion *self)
{
  g_return_val_if_fail (BA_IS_CLIENT_ASSERTION (self), 0);

  return self->lifetime;
}

static char *
encode_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  return ba_base64url_encode ((const guint8 *) text, strlen (text));
}

static char *
sign_assertion (BaCertificate      *certificate,
                const char         *client_id,
                const char         *audience,
                BaSignatureScheme   scheme,
                guint               lifetime,
                gint64              now,
                GError            **error)
{
  g_autoptr(JsonBuilder) header = NULL;
  g_autoptr(JsonBuilder) claims = NULL;
  g_autoptr(GBytes) input_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *thumbprint = NULL;
  g_autofree char *jti = NULL;
  g_autofree char *header_b64 = NULL;
  g_autofree char *claims_b64 = NULL;
  g_autofree char *input = NULL;
  g_autofree char *signature_b64 = NULL;
  gconstpointer signature_data;
  gsize signature_size = 0;

  if (*client_id == '\0')
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("The application has no client ID."));
      return NULL;
    }

  if (*audience == '\0')
    {
      g_set_error_literal (error, BA_CERT_ERROR, BA_CERT_ERROR_INVALID_ARGUMENT,
                           _("The token endpoint is missing."));
      return NULL;
    }

  jti = ba_random_guid (error);
  if (jti == NULL)
    return NULL;

  header = json_builder_new ();
  json_builder_begin_object (header);
  json_builder_set_member_name (header, "alg");
  if (scheme == BA_SIGNATURE_RSA_PSS_SHA256)
    {
      thumbprint = ba_certificate_get_x5t_s256 (certificate);
      json_builder_add_string_value (header, "PS256");
      json_builder_set_member_name (header, "typ");
      json_builder_add_string_value (header, "JWT");
      json_builder_set_member_name (header, "x5t#S256");
      json_builder_add_string_value (header, thumbprint);
    }
  else
    {
      thumbprint = ba_certificate_get_x5t (certificate);
      json_builder_add_string_value (header, "RS256");
      json_builder_set_member_name (header, "typ");
      json_builder_add_string_value (header, "JWT");
      json_builder_set_member_name (header, "x5t");
      json_builder_add_string_value (header, thumbprint);
    }
  json_builder_end_object (header);

  claims = json_builder_new ();
  json_builder_begin_object (claims);
  json_builder_set_member_name (claims, "aud");
  json_builder_add_string_value (claims, audience);
  json_builder_set_member_name (claims, "iss");
  json_builder_add_string_value (claims, client_id);
  json_builder_set_member_name (claims, "sub");
  json_builder_add_string_value (claims, client_id);
  json_builder_set_member_name (claims, "jti");
  json_builder_add_string_value (claims, jti);
  json_builder_set_member_name (claims, "nbf");
  json_builder_add_int_value (claims, now - NOT_BEFORE_SKEW_SECONDS);
  json_builder_set_member_name (claims, "iat");
  json_builder_add_int_value (claims, now);
  json_builder_set_member_name (claims, "exp");
  json_builder_add_int_value (claims, now + lifetime);
  json_builder_end_object (claims);

  header_b64 = encode_json (header);
  claims_b64 = encode_json (claims);
  input = g_strconcat (header_b64, ".", claims_b64, NULL);
  input_bytes = g_bytes_new (input, strlen (input));

  signature = ba_certificate_sign (certificate, scheme, input_bytes, error);
  if (signature == NULL)
    return NULL;

  signature_data = g_bytes_get_data (signature, &signature_size);
  signature_b64 = ba_base64url_encode (signature_data, signature_size);

  return g_strconcat (input, ".", signature_b64, NULL);
}

/**
 * ba_client_assertion_sign:
 * @self: a #BaClientAssertion
 * @now: (nullable): the time to put in the claims; %NULL for now
 * @error: return location for a #GError
 *
 * Blocks while the key signs (a token may ask for its PIN): call it from
 * a worker thread, or use ba_client_assertion_sign_async().
 *
 * Returns: (transfer full): the JWT, or %NULL
 */
char *
ba_client_assertion_sign (BaClientAssertion  *self,
                          GDateTime          *now,
                          GError            **error)
{
  gint64 seconds;

  g_return_val_if_fail (BA_IS_CLIENT_ASSERTION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (now != NULL)
    seconds = g_date_time_to_unix (now);
  else
    seconds = g_get_real_time () / G_USEC_PER_SEC;

  return sign_assertion (self->certificate, self->client_id, self->audience,
                         self->scheme, self->lifetime, seconds, error);
}

typedef struct
{
  BaCertificate *certificate;
  char *client_id;
  char *audience;
  BaSignatureScheme scheme;
  guint lifetime;
} SignData;

static void
sign_data_free (SignData *sign_data)
{
  g_clear_object (&sign_data->certificate);
  g_clear_pointer (&sign_data->client_id, g_free);
  g_clear_pointer (&sign_data->audience, g_free);
  g_free (sign_data);
}

static void
sign_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SignData *sign_data = task_data;
  g_autoptr(GError) error = NULL;
  char *jwt;

  if (g_task_return_error_if_cancelled (task))
    return;

  /* The time is taken here, when the key is ready to sign, not when the
   * caller asked: a PIN prompt can take a while. */
  jwt = sign_assertion (sign_data->certificate, sign_data->client_id, sign_data->audience,
                        sign_data->scheme, sign_data->lifetime,
                        g_get_real_time () / G_USEC_PER_SEC, &error);
  if (jwt == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, jwt, g_free);
}

void
ba_client_assertion_sign_async (BaClientAssertion   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignData *sign_data;

  g_return_if_fail (BA_IS_CLIENT_ASSERTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_client_assertion_sign_async);

  /* A snapshot, so that changes made while the thread runs do not race. */
  sign_data = g_new0 (SignData, 1);
  sign_data->certificate = g_object_ref (self->certificate);
  sign_data->client_id = g_strdup (self->client_id);
  sign_data->audience = g_strdup (self->audience);
  sign_data->scheme = self->scheme;
  sign_data->lifetime = self->lifetime;
  g_task_set_task_data (task, sign_data, (GDestroyNotify) sign_data_free);

  g_task_run_in_thread (task, sign_thread);
}

char *
ba_client_assertion_sign_finish (BaClientAssertion  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (BA_IS_CLIENT_ASSERTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_client_assertion_sign_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
