/* ba-graph-emulator.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <stdarg.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <libsoup/soup.h>

#include "ba-certificate.h"
#include "ba-graph-emulator.h"

#define GRAPH_APP_ID "00000003-0000-0000-c000-000000000000"
#define SHAREPOINT_APP_ID "00000003-0000-0ff1-ce00-000000000000"
#define EXCHANGE_APP_ID "00000002-0000-0ff1-ce00-000000000000"
#define GRAPH_RESOURCE "https://graph.microsoft.com"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

typedef enum
{
  TOKEN_DELEGATED,
  TOKEN_APP_ONLY,
} TokenKind;

typedef struct
{
  TokenKind kind;
  char *app_id;
  char *resource;      /* e.g. https://graph.microsoft.com */
  char *scope;         /* delegated: granted scope string (space separated) */
  char *request_scope; /* what the refresh token was issued for */
  char **roles;        /* app-only */
  char *principal_id;  /* user oid, or service principal id */
  gint64 expires_us;
  gboolean revoked;
  gboolean with_id_token;
} Token;

typedef struct
{
  char *device_code;
  char *user_code;
  char *client_id;
  char *scope;
  gint64 expires_us;
  gboolean redeemed;
} DeviceCode;

typedef struct
{
  char *client_id;
  char *redirect_uri;
  char *code_challenge;
  char *scope;
  gboolean redeemed;
} AuthCode;

typedef enum
{
  KNOB_STATUS,
  KNOB_DROP,
  KNOB_LOSE,
  KNOB_GARBAGE,
  KNOB_GRAPH_ERROR,
} KnobKind;

typedef struct
{
  KnobKind kind;
  char *prefix;
  guint status;
  guint retry_after;
  gboolean truncate;
  char *code;
  guint count;
} Knob;

typedef struct
{
  BaGraphEmulator *self;
  SoupServerMessage *msg;
  GSource *source;
} Delayed;

struct _BaGraphEmulator
{
  GObject parent_instance;

  SoupServer *server;
  char *url;

  /* Tenant */
  char *tenant_id;
  char *tenant_name;
  char *admin_upn;
  char *admin_name;
  char *admin_oid;
  char **admin_roles;

  /* Device code */
  GHashTable *device_codes;  /* device_code → DeviceCode */
  GQueue poll_script;        /* BaEmulatorPoll as pointers */
  guint poll_aadsts;
  char *poll_aadsts_error;
  guint device_expires_in;
  guint device_interval;
  char *last_user_code;
  GHashTable *blocked_clients;

  /* Tokens */
  GHashTable *access_tokens;  /* string → Token */
  GHashTable *refresh_tokens; /* string → Token */
  guint token_lifetime;
  char *granted_scopes;

  /* Authorization code */
  gboolean deny;
  char *wrong_state;
  GHashTable *auth_codes; /* code → AuthCode */

  /* Directory: JsonObjects, owned */
  GPtrArray *applications;
  GPtrArray *service_principals;
  GPtrArray *assignments;
  GPtrArray *groups;
  GPtrArray *users;
  GHashTable *members;    /* group id → GPtrArray of JsonObject */
  GHashTable *created_us; /* object id → gint64 *, only for objects made through Graph */
  GHashTable *granted_roles; /* service principal id → char ** (roles of add_application) */

  /* Knobs */
  GPtrArray *knobs;
  guint latency_ms;
  guint page_size;
  guint replication_delay_ms;
  guint key_replication_delay_ms;
  GHashTable *keys_added_us; /* keyId → gint64 *, keys added through Graph */
  GPtrArray *delayed;
  /* The most requests held by the latency at once, since the last clear */
  guint peak_in_flight;
  char *fault_prefix;
  guint fault_status;
  guint fault_retry_after;
  guint fault_percent;
  GRand *fault_rand;

  /* Record */
  GPtrArray *requests;
};

G_DEFINE_FINAL_TYPE (BaGraphEmulator, ba_graph_emulator, G_TYPE_OBJECT)

/* -------------------------------------------------------------------------
 * Plain data
 * ------------------------------------------------------------------------- */

static void
token_free (Token *token)
{
  g_free (token->app_id);
  g_free (token->resource);
  g_free (token->scope);
  g_free (token->request_scope);
  g_strfreev (token->roles);
  g_free (token->principal_id);
  g_free (token);
}

static void
device_code_free (DeviceCode *code)
{
  g_free (code->device_code);
  g_free (code->user_code);
  g_free (code->client_id);
  g_free (code->scope);
  g_free (code);
}

static void
auth_code_free (AuthCode *code)
{
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->code_challenge);
  g_free (code->scope);
  g_free (code);
}

static void
knob_free (Knob *knob)
{
  g_free (knob->prefix);
  g_free (knob->code);
  g_free (knob);
}

void
ba_emulator_request_free (BaEmulatorRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->authorization);
  g_free (request->content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->form, g_hash_table_unref);
  g_free (request);
}

/* -------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static char *
random_hex (gsize n_bytes)
{
  g_autofree guint8 *data = g_malloc (n_bytes);
  GString *out = g_string_sized_new (n_bytes * 2);

  if (gnutls_rnd (GNUTLS_RND_NONCE, data, n_bytes) < 0)
    g_error ("gnutls_rnd failed");
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (out, "%02x", data[i]);

  return g_string_free (out, FALSE);
}

static char *
new_guid (void)
{
  guint8 b[16];

  if (gnutls_rnd (GNUTLS_RND_NONCE, b, sizeof b) < 0)
    g_error ("gnutls_rnd failed");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static GBytes *
base64url_decode (const char *text)
{
  g_autoptr(GString) standard = g_string_new (text);
  guchar *data;
  gsize length = 0;

  for (gsize i = 0; i < standard->len; i++)
    {
      char c = standard->str[i];

      if (c == '-')
        standard->str[i] = '+';
      else if (c == '_')
        standard->str[i] = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
    }
  if (standard->len % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');

  data = g_base64_decode (standard->str, &length);

  return g_bytes_new_take (data, length);
}

static char *
json_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);

  return json_generator_to_data (generator, NULL);
}

static JsonObject *
parse_json_object (const char *data,
                   gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (data == NULL || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

static char *
b64url_json (JsonObject *object)
{
  g_autofree char *text = json_object_to_string (object);

  return ba_base64url_encode ((const guint8 *) text, strlen (text));
}

static char *
make_jwt (JsonObject *payload)
{
  g_autoptr(JsonObject) header = json_object_new ();
  g_autofree char *h = NULL;
  g_autofree char *p = NULL;
  g_autofree char *s = NULL;

  json_object_set_string_member (header, "typ", "JWT");
  json_object_set_string_member (header, "alg", "RS256");
  json_object_set_string_member (header, "kid", "ba-graph-emulator");
  h = b64url_json (header);
  p = b64url_json (payload);
  s = ba_base64url_encode ((const guint8 *) "sig", 3);

  return g_strconcat (h, ".", p, ".", s, NULL);
}

static char *
now_iso8601 (gboolean with_z)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, with_z ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S");
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
prefix_matches (const char *prefix,
                const char *path)
{
  return prefix == NULL || g_str_has_prefix (path, prefix);
}

static gboolean
is_visible (BaGraphEmulator *self,
            JsonObject      *object)
{
  const char *id = get_string (object, "id");
  gint64 *created;

  if (id == NULL || self->replication_delay_ms == 0)
    return TRUE;
  created = g_hash_table_lookup (self->created_us, id);
  if (created == NULL)
    return TRUE;

  return g_get_monotonic_time () - *created >= (gint64) self->replication_delay_ms * 1000;
}

static void
mark_created (BaGraphEmulator *self,
              const char      *id)
{
  gint64 *when = g_new (gint64, 1);

  *when = g_get_monotonic_time ();
  g_hash_table_insert (self->created_us, g_strdup (id), when);
}

static JsonObject *
find_by (GPtrArray  *objects,
         const char *member,
         const char *value)
{
  if (value == NULL)
    return NULL;
  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);

      if (g_strcmp0 (get_string (object, member), value) == 0)
        return object;
    }

  return NULL;
}

static JsonObject *
find_visible (BaGraphEmulator *self,
              GPtrArray       *objects,
              const char      *member,
              const char      *value)
{
  JsonObject *object = find_by (objects, member, value);

  if (object != NULL && !is_visible (self, object))
    return NULL;

  return object;
}

static const char *
role_template_id (const char *name)
{
  static const struct { const char *name; const char *id; } roles[] = {
    { "Global Administrator", "62e90394-69f5-4237-9190-012177145e10" },
    { "Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814" },
    { "Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" },
    { "Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7" },
    { "Application Developer", "cf1c38e5-3621-4004-a7cb-879624dced7c" },
    { "Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451" },
    { "User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (g_strcmp0 (roles[i].name, name) == 0)
        return roles[i].id;
    }

  return "00000000-0000-4000-8000-00000000beef";
}

/* -------------------------------------------------------------------------
 * Request context and responses
 * ------------------------------------------------------------------------- */

typedef struct
{
  BaGraphEmulator *self;
  SoupServerMessage *msg;
  BaEmulatorRequest *record;
  const char *method;
  char **segments;        /* unescaped path segments, without the empty first one */
  GHashTable *query;      /* parsed query, never NULL */
  JsonObject *json;       /* parsed JSON body, or NULL */
  char *request_id;
  Token *token;           /* Graph: the bearer token (borrowed) */
} Ctx;

static void
ctx_clear (Ctx *ctx)
{
  g_strfreev (ctx->segments);
  g_clear_pointer (&ctx->query, g_hash_table_unref);
  g_clear_pointer (&ctx->json, json_object_unref);
  g_free (ctx->request_id);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ctx, ctx_clear)

static void
respond_raw (Ctx        *ctx,
             guint       status,
             const char *content_type,
             const char *body,
             gsize       len)
{
  soup_server_message_set_status (ctx->msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (ctx->msg, content_type, SOUP_MEMORY_COPY, body, len);
}

static void
respond_object (Ctx        *ctx,
                guint       status,
                JsonObject *object)
{
  g_autofree char *text = json_object_to_string (object);

  respond_raw (ctx, status, "application/json; charset=utf-8", text, strlen (text));
}

static void
respond_empty (Ctx   *ctx,
               guint  status)
{
  soup_server_message_set_status (ctx->msg, status, NULL);
}

static void
respond_token_error (Ctx        *ctx,
                     guint       status,
                     const char *error,
                     guint       aadsts,
                     const char *description)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) codes = json_array_new ();
  g_autofree char *text = g_strdup_printf ("AADSTS%u: %s Trace ID: %s Correlation ID: %s Timestamp: now",
                                           aadsts, description, ctx->request_id, ctx->request_id);
  g_autofree char *timestamp = now_iso8601 (TRUE);

  json_array_add_int_element (codes, aadsts);
  json_object_set_string_member (object, "error", error);
  json_object_set_string_member (object, "error_description", text);
  json_object_set_array_member (object, "error_codes", g_steal_pointer (&codes));
  json_object_set_string_member (object, "timestamp", timestamp);
  json_object_set_string_member (object, "trace_id", ctx->request_id);
  json_object_set_string_member (object, "correlation_id", ctx->request_id);
  json_object_set_string_member (object, "error_uri", "https://login.microsoftonline.com/error");
  respond_object (ctx, status, object);
}

static void
respond_graph_error_full (Ctx        *ctx,
                          guint       status,
                          const char *code,
                          const char *message,
                          const char *detail_code)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonObject) error = json_object_new ();
  g_autoptr(JsonObject) inner = json_object_new ();
  g_autofree char *date = now_iso8601 (FALSE);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (ctx->msg);
  const char *client_request_id = soup_message_headers_get_one (headers, "client-request-id");

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  if (detail_code != NULL)
    {
      g_autoptr(JsonArray) details = json_array_new ();
      JsonObject *detail = json_object_new ();

      json_object_set_string_member (detail, "code", detail_code);
      json_object_set_string_member (detail, "message", message);
      json_object_set_string_member (detail, "target", "appId");
      json_array_add_object_element (details, detail);
      json_object_set_array_member (error, "details", g_steal_pointer (&details));
    }
  json_object_set_string_member (inner, "date", date);
  json_object_set_string_member (inner, "request-id", ctx->request_id);
  json_object_set_string_member (inner, "client-request-id",
                                 client_request_id != NULL ? client_request_id : ctx->request_id);
  json_object_set_object_member (error, "innerError", g_steal_pointer (&inner));
  json_object_set_object_member (object, "error", g_steal_pointer (&error));
  respond_object (ctx, status, object);
}

static void
respond_graph_error (Ctx        *ctx,
                     guint       status,
                     const char *code,
                     const char *message)
{
  respond_graph_error_full (ctx, status, code, message, NULL);
}

static void
respond_not_found (Ctx        *ctx,
                   const char *id)
{
  g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                              "reference-property objects are not present.",
                                              id != NULL ? id : "");

  respond_graph_error (ctx, 404, "Request_ResourceNotFound", message);
}

static gboolean
is_graph_path (const char *path)
{
  return g_str_has_prefix (path, "/v1.0/") || g_strcmp0 (path, "/v1.0") == 0 ||
         g_str_has_prefix (path, "/beta/");
}

/* -------------------------------------------------------------------------
 * Output of directory objects: $select, keys
 * ------------------------------------------------------------------------- */

static char **
get_select (Ctx *ctx)
{
  const char *select = g_hash_table_lookup (ctx->query, "$select");

  if (select == NULL || *select == '\0')
    return NULL;

  return g_strsplit (select, ",", -1);
}

static gboolean
strv_contains_ci (char       **strv,
                  const char  *name)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (strv[i]));

      if (g_ascii_strcasecmp (stripped, name) == 0)
        return TRUE;
    }

  return FALSE;
}

static JsonObject *
output_object (JsonObject *object,
               char      **select,
               gboolean    include_keys)
{
  JsonObject *out = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);

      if (select != NULL && !strv_contains_ci (select, name) && g_strcmp0 (name, "@odata.type") != 0)
        continue;

      if (g_strcmp0 (name, "keyCredentials") == 0 && !include_keys && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *in = json_node_get_array (node);
          JsonArray *copy = json_array_new ();

          for (guint i = 0; i < json_array_get_length (in); i++)
            {
              JsonObject *cred = json_array_get_object_element (in, i);
              JsonObject *c = json_object_new ();
              g_autoptr(GList) cnames = json_object_get_members (cred);

              for (GList *k = cnames; k != NULL; k = k->next)
                {
                  if (g_strcmp0 (k->data, "key") == 0)
                    json_object_set_null_member (c, "key");
                  else
                    json_object_set_member (c, k->data, json_node_copy (json_object_get_member (cred, k->data)));
                }
              json_array_add_object_element (copy, c);
            }
          json_object_set_array_member (out, name, copy);
          continue;
        }

      json_object_set_member (out, name, json_node_copy (node));
    }

  return out;
}

/* -------------------------------------------------------------------------
 * Collections: $filter, $search, $top, paging
 * ------------------------------------------------------------------------- */

static gboolean
match_clause (JsonObject *object,
              const char *clause,
              gboolean    eventual,
              gboolean   *supported)
{
  g_autofree char *c = g_strstrip (g_strdup (clause));
  g_auto(GStrv) words = NULL;
  const char *value_text;
  JsonNode *node;
  gboolean negate = FALSE;
  gboolean result;

  if (g_str_has_prefix (c, "startswith(") && g_str_has_suffix (c, ")"))
    {
      g_autofree char *inner = g_strndup (c + strlen ("startswith("), strlen (c) - strlen ("startswith(") - 1);
      g_auto(GStrv) args = g_strsplit (inner, ",", 2);
      g_autofree char *prop = NULL;
      g_autofree char *value = NULL;
      const char *actual;

      if (g_strv_length (args) != 2)
        {
          *supported = FALSE;
          return FALSE;
        }
      prop = g_strstrip (g_strdup (args[0]));
      value = g_strstrip (g_strdup (args[1]));
      if (strlen (value) < 2 || value[0] != '\'')
        {
          *supported = FALSE;
          return FALSE;
        }
      value[strlen (value) - 1] = '\0';
      actual = get_string (object, prop);

      return actual != NULL && g_ascii_strncasecmp (actual, value + 1, strlen (value + 1)) == 0;
    }

  /* Lambda over a collection of strings: tags/any(t:t eq 'value'). */
  if (strstr (c, "/any(") != NULL && g_str_has_suffix (c, ")"))
    {
      const char *open = strstr (c, "/any(");
      g_autofree char *prop = g_strndup (c, open - c);
      g_autofree char *inner = g_strndup (open + 5, strlen (open + 5) - 1);
      const char *colon = strchr (inner, ':');
      g_autofree char *var = colon != NULL ? g_strndup (inner, colon - inner) : NULL;
      g_autofree char *expected_prefix = var != NULL ? g_strconcat (var, " eq '", NULL) : NULL;
      const char *body = colon != NULL ? colon + 1 : NULL;
      g_autofree char *value = NULL;
      JsonNode *collection;

      if (body == NULL || !g_str_has_prefix (body, expected_prefix) || !g_str_has_suffix (body, "'") ||
          strlen (body) < strlen (expected_prefix) + 1)
        {
          *supported = FALSE;
          return FALSE;
        }
      value = g_strndup (body + strlen (expected_prefix), strlen (body) - strlen (expected_prefix) - 1);
      collection = json_object_has_member (object, prop) ? json_object_get_member (object, prop) : NULL;
      if (collection == NULL || !JSON_NODE_HOLDS_ARRAY (collection))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (collection)); i++)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (collection), i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (element), value) == 0)
            return TRUE;
        }
      return FALSE;
    }

  words = g_strsplit (c, " ", 3);
  if (g_strv_length (words) != 3)
    {
      *supported = FALSE;
      return FALSE;
    }
  if (g_strcmp0 (words[1], "ne") == 0)
    {
      if (!eventual)
        {
          *supported = FALSE;
          return FALSE;
        }
      negate = TRUE;
    }
  else if (g_strcmp0 (words[1], "eq") != 0)
    {
      *supported = FALSE;
      return FALSE;
    }

  value_text = words[2];
  node = json_object_has_member (object, words[0]) ? json_object_get_member (object, words[0]) : NULL;

  if (value_text[0] == '\'')
    {
      g_autofree char *value = g_strndup (value_text + 1, MAX (strlen (value_text), 2) - 2);
      const char *actual = get_string (object, words[0]);

      result = actual != NULL && g_ascii_strcasecmp (actual, value) == 0;
    }
  else if (g_strcmp0 (value_text, "true") == 0 || g_strcmp0 (value_text, "false") == 0)
    {
      gboolean want = g_strcmp0 (value_text, "true") == 0;

      result = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
               json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
               json_node_get_boolean (node) == want;
    }
  else if (g_strcmp0 (value_text, "null") == 0)
    {
      result = node == NULL || JSON_NODE_HOLDS_NULL (node);
    }
  else
    {
      const char *actual = get_string (object, words[0]);

      result = actual != NULL && g_ascii_strcasecmp (actual, value_text) == 0;
    }

  return negate ? !result : result;
}

/* Filters @objects by $filter and $search; FALSE when it answered an error. */
static gboolean
apply_query (Ctx        *ctx,
             GPtrArray  *objects,
             GPtrArray **out)
{
  const char *filter = g_hash_table_lookup (ctx->query, "$filter");
  const char *search = g_hash_table_lookup (ctx->query, "$search");
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (ctx->msg);
  const char *consistency = soup_message_headers_get_one (headers, "ConsistencyLevel");
  gboolean eventual = consistency != NULL && g_ascii_strcasecmp (consistency, "eventual") == 0;
  g_auto(GStrv) clauses = NULL;
  g_autofree char *search_prop = NULL;
  g_autofree char *search_value = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new ();

  if (search != NULL)
    {
      g_autofree char *s = g_strstrip (g_strdup (search));
      char *colon;

      if (!eventual)
        {
          respond_graph_error (ctx, 400, "Request_UnsupportedQuery",
                               "Request with $search query parameter only works through MSGraph with "
                               "a special request header: 'ConsistencyLevel: eventual'");
          return FALSE;
        }
      if (strlen (s) < 2 || s[0] != '"' || s[strlen (s) - 1] != '"' || (colon = strchr (s, ':')) == NULL)
        {
          respond_graph_error (ctx, 400, "Request_UnsupportedQuery", "Syntax error: invalid $search.");
          return FALSE;
        }
      s[strlen (s) - 1] = '\0';
      search_prop = g_strndup (s + 1, colon - s - 1);
      search_value = g_ascii_strdown (colon + 1, -1);
    }

  if (filter != NULL)
    clauses = g_strsplit (filter, " and ", -1);

  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);
      gboolean keep = is_visible (ctx->self, object);

      for (guint j = 0; keep && clauses != NULL && clauses[j] != NULL; j++)
        {
          gboolean supported = TRUE;

          keep = match_clause (object, clauses[j], eventual, &supported);
          if (!supported)
            {
              respond_graph_error (ctx, 400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified.");
              return FALSE;
            }
        }

      if (keep && search_prop != NULL)
        {
          const char *actual = get_string (object, search_prop);
          g_autofree char *lower = actual != NULL ? g_ascii_strdown (actual, -1) : NULL;

          keep = lower != NULL && strstr (lower, search_value) != NULL;
        }

      if (keep)
        g_ptr_array_add (result, object);
    }

  *out = g_steal_pointer (&result);

  return TRUE;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
build_next_link (Ctx   *ctx,
                 guint  skip)
{
  GString *link = g_string_new (ctx->self->url);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  gboolean first = TRUE;

  g_string_append (link, ctx->record->path);
  g_hash_table_iter_init (&iter, ctx->query);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_strcmp0 (key, "$skiptoken") != 0)
        g_ptr_array_add (keys, key);
    }
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *name = g_ptr_array_index (keys, i);
      g_autofree char *value = g_uri_escape_string (g_hash_table_lookup (ctx->query, name), NULL, FALSE);

      g_string_append_printf (link, "%s%s=%s", first ? "?" : "&", name, value);
      first = FALSE;
    }
  g_string_append_printf (link, "%s$skiptoken=RFNwdAIA%08xAAAA", first ? "?" : "&", skip);

  return g_string_free (link, FALSE);
}

/* @objects: visible, filtered; answers one page of it. */
static void
respond_collection (Ctx        *ctx,
                    GPtrArray  *objects,
                    const char *context,
                    gboolean    include_keys)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonArray) value = json_array_new ();
  g_auto(GStrv) select = get_select (ctx);
  const char *top_text = g_hash_table_lookup (ctx->query, "$top");
  const char *skip_text = g_hash_table_lookup (ctx->query, "$skiptoken");
  const char *count = g_hash_table_lookup (ctx->query, "$count");
  guint page = ctx->self->page_size > 0 ? ctx->self->page_size : 100;
  guint skip = 0;
  guint end;
  g_autofree char *context_url = g_strdup_printf ("%s/v1.0/$metadata#%s", ctx->self->url, context);

  if (top_text != NULL)
    {
      guint64 top = 0;

      if (!g_ascii_string_to_unsigned (top_text, 10, 1, 999, &top, NULL))
        {
          respond_graph_error (ctx, 400, "Request_BadRequest", "Invalid page size specified: the value must be between 1 and 999.");
          return;
        }
      page = top;
      if (ctx->self->page_size > 0)
        page = MIN (page, ctx->self->page_size);
    }

  if (skip_text != NULL)
    {
      guint64 parsed = 0;
      g_autofree char *hex = NULL;

      if (!g_str_has_prefix (skip_text, "RFNwdAIA") || strlen (skip_text) != 20)
        {
          respond_graph_error (ctx, 400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.");
          return;
        }
      hex = g_strndup (skip_text + 8, 8);
      if (!g_ascii_string_to_unsigned (hex, 16, 0, G_MAXUINT32, &parsed, NULL))
        {
          respond_graph_error (ctx, 400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.");
          return;
        }
      skip = parsed;
    }

  skip = MIN (skip, objects->len);
  end = MIN (skip + page, objects->len);
  for (guint i = skip; i < end; i++)
    json_array_add_object_element (value, output_object (g_ptr_array_index (objects, i), select, include_keys));

  json_object_set_string_member (body, "@odata.context", context_url);
  if (g_strcmp0 (count, "true") == 0 && skip == 0)
    json_object_set_int_member (body, "@odata.count", objects->len);
  if (end < objects->len)
    {
      g_autofree char *next = build_next_link (ctx, end);

      json_object_set_string_member (body, "@odata.nextLink", next);
    }
  json_object_set_array_member (body, "value", g_steal_pointer (&value));
  respond_object (ctx, 200, body);
}

static void
respond_single (Ctx        *ctx,
                guint       status,
                JsonObject *object,
                const char *context,
                gboolean    allow_keys)
{
  g_auto(GStrv) select = get_select (ctx);
  gboolean include_keys = allow_keys && select != NULL && strv_contains_ci (select, "keyCredentials");
  g_autoptr(JsonObject) out = output_object (object, select, include_keys);
  g_autofree char *context_url = g_strdup_printf ("%s/v1.0/$metadata#%s", ctx->self->url, context);

  json_object_set_string_member (out, "@odata.context", context_url);
  respond_object (ctx, status, out);
}

/* -------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------- */

static gboolean
scope_has (const char *scope,
           const char *name)
{
  g_auto(GStrv) parts = g_strsplit (scope != NULL ? scope : "", " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (parts[i], name) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The resource of the first scope that names one, else Graph. */
static char *
scope_resource (const char *scope)
{
  g_auto(GStrv) parts = g_strsplit (scope != NULL ? scope : "", " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];
      const char *sep;

      if (!g_str_has_prefix (p, "https://") && !g_str_has_prefix (p, "http://"))
        continue;
      sep = strchr (strstr (p, "://") + 3, '/');
      if (sep == NULL)
        return g_strdup (p);

      return g_strndup (p, sep - p);
    }

  return g_strdup (GRAPH_RESOURCE);
}

static char *
granted_scope (BaGraphEmulator *self,
               const char      *requested,
               const char      *resource)
{
  g_auto(GStrv) parts = NULL;
  GString *out;
  g_autofree char *prefix = g_strconcat (resource, "/", NULL);

  if (self->granted_scopes != NULL)
    return g_strdup (self->granted_scopes);

  parts = g_strsplit (requested != NULL ? requested : "", " ", -1);
  out = g_string_new (NULL);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];

      if (*p == '\0' || g_ascii_strcasecmp (p, "offline_access") == 0)
        continue;
      if (g_str_has_prefix (p, prefix))
        p += strlen (prefix);
      else if (strstr (p, "://") != NULL)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (g_strcmp0 (resource, GRAPH_RESOURCE) != 0 && strstr (p, "://") == NULL &&
          g_ascii_strcasecmp (p, "openid") != 0 && g_ascii_strcasecmp (p, "profile") != 0 &&
          g_ascii_strcasecmp (p, "email") != 0)
        g_string_append (out, prefix);
      g_string_append (out, p);
    }

  return g_string_free (out, FALSE);
}

static char *
issue_access_token (BaGraphEmulator *self,
                    Token           *token)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *jti = random_hex (16);
  g_autofree char *iss = g_strdup_printf ("https://sts.windows.net/%s/", self->tenant_id);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *text;

  json_object_set_string_member (payload, "aud", token->resource);
  json_object_set_string_member (payload, "iss", iss);
  json_object_set_int_member (payload, "iat", now);
  json_object_set_int_member (payload, "nbf", now);
  json_object_set_int_member (payload, "exp", now + self->token_lifetime);
  json_object_set_string_member (payload, "appid", token->app_id);
  json_object_set_string_member (payload, "oid", token->principal_id);
  json_object_set_string_member (payload, "sub", token->principal_id);
  json_object_set_string_member (payload, "tid", self->tenant_id);
  json_object_set_string_member (payload, "uti", jti);
  json_object_set_string_member (payload, "ver", "1.0");
  if (token->kind == TOKEN_DELEGATED)
    {
      json_object_set_string_member (payload, "scp", token->scope);
      json_object_set_string_member (payload, "upn", self->admin_upn);
      json_object_set_string_member (payload, "name", self->admin_name);
    }
  else
    {
      json_object_set_string_member (payload, "idtyp", "app");
      if (token->roles != NULL && token->roles[0] != NULL)
        {
          JsonArray *roles = json_array_new ();

          for (guint i = 0; token->roles[i] != NULL; i++)
            json_array_add_string_element (roles, token->roles[i]);
          json_object_set_array_member (payload, "roles", roles);
        }
    }

  text = make_jwt (payload);
  token->expires_us = g_get_monotonic_time () + (gint64) self->token_lifetime * G_USEC_PER_SEC;
  g_hash_table_insert (self->access_tokens, g_strdup (text), token);

  return text;
}

static char *
make_id_token (BaGraphEmulator *self,
               const char      *client_id)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *iss = g_strdup_printf ("%s/%s/v2.0", self->url, self->tenant_id);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (payload, "aud", client_id);
  json_object_set_string_member (payload, "iss", iss);
  json_object_set_int_member (payload, "iat", now);
  json_object_set_int_member (payload, "nbf", now);
  json_object_set_int_member (payload, "exp", now + 3600);
  json_object_set_string_member (payload, "name", self->admin_name);
  json_object_set_string_member (payload, "oid", self->admin_oid);
  json_object_set_string_member (payload, "preferred_username", self->admin_upn);
  json_object_set_string_member (payload, "sub", self->admin_oid);
  json_object_set_string_member (payload, "tid", self->tenant_id);
  json_object_set_string_member (payload, "ver", "2.0");

  return make_jwt (payload);
}

/* Issues access (+ refresh + id) tokens for a delegated sign-in. */
static void
respond_delegated_tokens (Ctx        *ctx,
                          const char *client_id,
                          const char *request_scope)
{
  BaGraphEmulator *self = ctx->self;
  g_autoptr(JsonObject) body = json_object_new ();
  Token *access = g_new0 (Token, 1);
  g_autofree char *access_text = NULL;

  access->kind = TOKEN_DELEGATED;
  access->app_id = g_strdup (client_id);
  access->resource = scope_resource (request_scope);
  access->scope = granted_scope (self, request_scope, access->resource);
  access->request_scope = g_strdup (request_scope);
  access->principal_id = g_strdup (self->admin_oid);
  access_text = issue_access_token (self, access);

  json_object_set_string_member (body, "token_type", "Bearer");
  json_object_set_string_member (body, "scope", access->scope);
  json_object_set_int_member (body, "expires_in", self->token_lifetime);
  json_object_set_int_member (body, "ext_expires_in", self->token_lifetime);
  json_object_set_string_member (body, "access_token", access_text);

  if (scope_has (request_scope, "offline_access"))
    {
      Token *refresh = g_new0 (Token, 1);
      g_autofree char *rt_hex = random_hex (32);
      char *rt = g_strconcat ("0.AR", rt_hex, NULL);

      refresh->kind = TOKEN_DELEGATED;
      refresh->app_id = g_strdup (client_id);
      refresh->resource = g_strdup (access->resource);
      refresh->scope = g_strdup (access->scope);
      refresh->request_scope = g_strdup (request_scope);
      refresh->principal_id = g_strdup (self->admin_oid);
      refresh->with_id_token = scope_has (request_scope, "openid");
      json_object_set_string_member (body, "refresh_token", rt);
      g_hash_table_insert (self->refresh_tokens, rt, refresh);
    }

  if (scope_has (request_scope, "openid"))
    {
      g_autofree char *id_token = make_id_token (self, client_id);

      json_object_set_string_member (body, "id_token", id_token);
    }

  respond_object (ctx, 200, body);
}

static gboolean
check_public_client (Ctx        *ctx,
                     GHashTable *form)
{
  if (g_hash_table_contains (form, "client_assertion") || g_hash_table_contains (form, "client_secret"))
    {
      respond_token_error (ctx, 401, "invalid_client", 700025,
                           "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_scope (Ctx        *ctx,
             const char *scope)
{
  if (scope == NULL || *scope == '\0')
    {
      respond_token_error (ctx, 400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'scope'.");
      return FALSE;
    }
  if (strstr (scope, "/.default") != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (scope, " ", -1);
      gboolean has_default = FALSE;
      gboolean has_named = FALSE;

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (g_str_has_suffix (parts[i], "/.default"))
            has_default = TRUE;
          else if (*parts[i] != '\0' && g_ascii_strcasecmp (parts[i], "openid") != 0 &&
                   g_ascii_strcasecmp (parts[i], "profile") != 0 &&
                   g_ascii_strcasecmp (parts[i], "offline_access") != 0)
            has_named = TRUE;
        }
      if (has_default && has_named)
        {
          respond_token_error (ctx, 400, "invalid_scope", 70011,
                               "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. .default scope can't be combined with resource-specific scopes.");
          return FALSE;
        }
    }

  return TRUE;
}

static void
handle_devicecode (Ctx        *ctx,
                   GHashTable *form)
{
  BaGraphEmulator *self = ctx->self;
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *scope = g_hash_table_lookup (form, "scope");
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  guint8 raw[9];
  char user_code[10];
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *verification_uri = g_strconcat (self->url, "/devicelogin", NULL);
  g_autofree char *message = NULL;
  g_autofree char *dc_hex = random_hex (32);
  DeviceCode *code;

  if (client_id == NULL || *client_id == '\0')
    {
      respond_token_error (ctx, 400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'client_id'.");
      return;
    }
  if (g_hash_table_contains (self->blocked_clients, client_id))
    {
      g_autofree char *text = g_strdup_printf ("Application with identifier '%s' was not found in the directory '%s'.",
                                               client_id, self->tenant_name);

      respond_token_error (ctx, 400, "unauthorized_client", 700016, text);
      return;
    }
  if (!check_scope (ctx, scope))
    return;

  if (gnutls_rnd (GNUTLS_RND_NONCE, raw, sizeof raw) < 0)
    g_error ("gnutls_rnd failed");
  for (guint i = 0; i < 9; i++)
    user_code[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
  user_code[9] = '\0';

  code = g_new0 (DeviceCode, 1);
  code->device_code = g_strconcat ("DAQABAAEAAAD", dc_hex, NULL);
  code->user_code = g_strdup (user_code);
  code->client_id = g_strdup (client_id);
  code->scope = g_strdup (scope);
  code->expires_us = g_get_monotonic_time () + (gint64) self->device_expires_in * G_USEC_PER_SEC;
  g_hash_table_insert (self->device_codes, g_strdup (code->device_code), code);
  g_free (self->last_user_code);
  self->last_user_code = g_strdup (user_code);

  message = g_strdup_printf ("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
                             verification_uri, user_code);
  json_object_set_string_member (body, "user_code", user_code);
  json_object_set_string_member (body, "device_code", code->device_code);
  json_object_set_string_member (body, "verification_uri", verification_uri);
  json_object_set_int_member (body, "expires_in", self->device_expires_in);
  json_object_set_int_member (body, "interval", self->device_interval);
  json_object_set_string_member (body, "message", message);
  respond_object (ctx, 200, body);
}

static void
handle_device_code_grant (Ctx        *ctx,
                          GHashTable *form)
{
  BaGraphEmulator *self = ctx->self;
  const char *device_code = g_hash_table_lookup (form, "device_code");
  const char *client_id = g_hash_table_lookup (form, "client_id");
  DeviceCode *code = device_code != NULL ? g_hash_table_lookup (self->device_codes, device_code) : NULL;
  BaEmulatorPoll poll;

  if (!check_public_client (ctx, form))
    return;
  if (code == NULL || g_strcmp0 (code->client_id, client_id) != 0)
    {
      respond_token_error (ctx, 400, "bad_verification_code", 70019,
                           "Verification code is not recognized.");
      return;
    }
  if (code->redeemed)
    {
      respond_token_error (ctx, 400, "invalid_grant", 54005,
                           "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
      return;
    }
  if (g_get_monotonic_time () >= code->expires_us)
    {
      respond_token_error (ctx, 400, "expired_token", 70020,
                           "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
      return;
    }

  poll = g_queue_is_empty (&self->poll_script)
           ? BA_EMULATOR_POLL_PENDING
           : (BaEmulatorPoll) GPOINTER_TO_INT (g_queue_pop_head (&self->poll_script));

  switch (poll)
    {
    case BA_EMULATOR_POLL_PENDING:
      respond_token_error (ctx, 400, "authorization_pending", 70016,
                           "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
      break;

    case BA_EMULATOR_POLL_SLOW_DOWN:
      respond_token_error (ctx, 400, "slow_down", 70016, "Polling too fast. Slow down.");
      break;

    case BA_EMULATOR_POLL_DECLINED:
      respond_token_error (ctx, 400, "authorization_declined", 70000,
                           "The user declined the authorization request.");
      break;

    case BA_EMULATOR_POLL_EXPIRED:
      respond_token_error (ctx, 400, "expired_token", 70020,
                           "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
      break;

    case BA_EMULATOR_POLL_BAD_CODE:
      respond_token_error (ctx, 400, "bad_verification_code", 70019, "Verification code is not recognized.");
      break;

    case BA_EMULATOR_POLL_AADSTS:
      respond_token_error (ctx, 400, self->poll_aadsts_error != NULL ? self->poll_aadsts_error : "invalid_grant",
                           self->poll_aadsts != 0 ? self->poll_aadsts : 53003,
                           "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.");
      break;

    case BA_EMULATOR_POLL_APPROVED:
      code->redeemed = TRUE;
      respond_delegated_tokens (ctx, code->client_id, code->scope);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
handle_refresh_grant (Ctx        *ctx,
                      GHashTable *form)
{
  BaGraphEmulator *self = ctx->self;
  const char *rt = g_hash_table_lookup (form, "refresh_token");
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *scope = g_hash_table_lookup (form, "scope");
  Token *refresh = rt != NULL ? g_hash_table_lookup (self->refresh_tokens, rt) : NULL;
  g_autofree char *request_scope = NULL;

  if (!check_public_client (ctx, form))
    return;
  if (refresh == NULL || refresh->revoked)
    {
      respond_token_error (ctx, 400, "invalid_grant", 50173,
                           "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.");
      return;
    }
  if (g_strcmp0 (refresh->app_id, client_id) != 0)
    {
      respond_token_error (ctx, 400, "invalid_grant", 70000,
                           "Provided grant is invalid or malformed: the refresh token was issued to a different client.");
      return;
    }

  if (scope != NULL && *scope != '\0')
    {
      /* Keep offline_access and openid if the original had them, so a
       * new refresh token and id_token come back. */
      GString *s = g_string_new (scope);

      if (!scope_has (scope, "offline_access"))
        g_string_append (s, " offline_access");
      if (refresh->with_id_token && !scope_has (scope, "openid"))
        g_string_append (s, " openid");
      request_scope = g_string_free (s, FALSE);
    }
  else
    request_scope = g_strdup (refresh->request_scope);

  respond_delegated_tokens (ctx, client_id, request_scope);
}

static void
handle_auth_code_grant (Ctx        *ctx,
                        GHashTable *form)
{
  BaGraphEmulator *self = ctx->self;
  const char *code_text = g_hash_table_lookup (form, "code");
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  AuthCode *code = code_text != NULL ? g_hash_table_lookup (self->auth_codes, code_text) : NULL;
  guint8 digest[32];
  g_autofree char *challenge = NULL;

  if (!check_public_client (ctx, form))
    return;
  if (code == NULL || code->redeemed)
    {
      respond_token_error (ctx, 400, "invalid_grant", 70008,
                           "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
      return;
    }
  if (g_strcmp0 (code->client_id, client_id) != 0)
    {
      respond_token_error (ctx, 400, "invalid_grant", 70000,
                           "Provided grant is invalid or malformed: the code was issued to a different client.");
      return;
    }
  if (g_strcmp0 (code->redirect_uri, redirect_uri) != 0)
    {
      respond_token_error (ctx, 400, "invalid_grant", 50011,
                           "The redirect URI specified in the request does not match the redirect URI of the authorization request.");
      return;
    }
  if (verifier == NULL)
    {
      respond_token_error (ctx, 400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'code_verifier'.");
      return;
    }
  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest) < 0)
    g_error ("gnutls_hash_fast failed");
  challenge = ba_base64url_encode (digest, sizeof digest);
  if (g_strcmp0 (challenge, code->code_challenge) != 0)
    {
      respond_token_error (ctx, 400, "invalid_grant", 501481,
                           "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
      return;
    }

  code->redeemed = TRUE;
  respond_delegated_tokens (ctx, client_id, code->scope);
}

/* Client assertion verification */

typedef struct
{
  JsonObject *header;
  JsonObject *claims;
  GBytes *signature;
  char *signing_input;
} Jwt;

static void
jwt_free (Jwt *jwt)
{
  g_clear_pointer (&jwt->header, json_object_unref);
  g_clear_pointer (&jwt->claims, json_object_unref);
  g_clear_pointer (&jwt->signature, g_bytes_unref);
  g_free (jwt->signing_input);
  g_free (jwt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Jwt, jwt_free)

static Jwt *
jwt_parse (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", -1);
  g_autoptr(Jwt) jwt = g_new0 (Jwt, 1);
  g_autoptr(GBytes) header = NULL;
  g_autoptr(GBytes) claims = NULL;

  if (g_strv_length (parts) != 3)
    return NULL;
  header = base64url_decode (parts[0]);
  claims = base64url_decode (parts[1]);
  jwt->signature = base64url_decode (parts[2]);
  if (header == NULL || claims == NULL || jwt->signature == NULL)
    return NULL;
  jwt->header = parse_json_object (g_bytes_get_data (header, NULL), g_bytes_get_size (header));
  jwt->claims = parse_json_object (g_bytes_get_data (claims, NULL), g_bytes_get_size (claims));
  if (jwt->header == NULL || jwt->claims == NULL)
    return NULL;
  jwt->signing_input = g_strconcat (parts[0], ".", parts[1], NULL);

  return g_steal_pointer (&jwt);
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node;

  if (!json_object_has_member (object, name))
    return -1;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return -1;

  return json_node_get_int (node);
}

/* Finds the certificate of @app's keyCredentials whose thumbprint matches.
 * Returns 0 and the certificate, or an AADSTS description. */
static gnutls_x509_crt_t
find_key_credential (JsonObject  *app,
                     const char  *x5t,
                     const char  *x5t_s256,
                     JsonObject **credential_out)
{
  JsonArray *creds;

  if (!json_object_has_member (app, "keyCredentials") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (app, "keyCredentials")))
    return NULL;
  creds = json_object_get_array_member (app, "keyCredentials");

  for (guint i = 0; i < json_array_get_length (creds); i++)
    {
      JsonObject *cred = json_array_get_object_element (creds, i);
      const char *key = get_string (cred, "key");
      g_autofree guchar *der = NULL;
      gsize der_len = 0;
      gnutls_datum_t datum;
      gnutls_x509_crt_t crt = NULL;
      guint8 fp[32];
      size_t fp_len;
      g_autofree char *thumb = NULL;

      if (key == NULL)
        continue;
      der = g_base64_decode (key, &der_len);
      datum.data = der;
      datum.size = der_len;
      if (gnutls_x509_crt_init (&crt) < 0)
        continue;
      if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
        {
          gnutls_x509_crt_deinit (crt);
          continue;
        }

      fp_len = sizeof fp;
      if (x5t_s256 != NULL)
        {
          if (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, fp, &fp_len) == 0)
            thumb = ba_base64url_encode (fp, fp_len);
          if (g_strcmp0 (thumb, x5t_s256) == 0)
            {
              *credential_out = cred;
              return crt;
            }
        }
      else if (x5t != NULL)
        {
          if (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA1, fp, &fp_len) == 0)
            thumb = ba_base64url_encode (fp, fp_len);
          if (g_strcmp0 (thumb, x5t) == 0)
            {
              *credential_out = cred;
              return crt;
            }
        }
      gnutls_x509_crt_deinit (crt);
    }

  return NULL;
}

static gboolean
credential_in_date (JsonObject *credential)
{
  const char *end = get_string (credential, "endDateTime");
  const char *start = get_string (credential, "startDateTime");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (end != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (end, NULL);

      if (when != NULL && g_date_time_compare (now, when) > 0)
        return FALSE;
    }
  if (start != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (start, NULL);

      /* A little skew, as Entra allows */
      if (when != NULL && g_date_time_difference (when, now) > 5 * 60 * G_USEC_PER_SEC)
        return FALSE;
    }

  return TRUE;
}

static char **
roles_for (BaGraphEmulator *self,
           JsonObject      *sp,
           const char      *resource)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *sp_id = get_string (sp, "id");
  char **extra = g_hash_table_lookup (self->granted_roles, sp_id);
  const char *resource_app_id = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (g_strcmp0 (resource, GRAPH_RESOURCE) == 0)
    resource_app_id = GRAPH_APP_ID;
  else if (g_str_has_suffix (resource, ".sharepoint.com"))
    resource_app_id = SHAREPOINT_APP_ID;
  else if (g_strcmp0 (resource, "https://outlook.office365.com") == 0 ||
           g_strcmp0 (resource, "https://outlook.office.com") == 0)
    resource_app_id = EXCHANGE_APP_ID;

  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      if (g_hash_table_add (seen, extra[i]))
        g_strv_builder_add (builder, extra[i]);
    }

  for (guint i = 0; i < self->assignments->len; i++)
    {
      JsonObject *assignment = g_ptr_array_index (self->assignments, i);
      JsonObject *resource_sp;
      JsonArray *roles;

      if (g_strcmp0 (get_string (assignment, "principalId"), sp_id) != 0 || !is_visible (self, assignment))
        continue;
      resource_sp = find_by (self->service_principals, "id", get_string (assignment, "resourceId"));
      if (resource_sp == NULL || g_strcmp0 (get_string (resource_sp, "appId"), resource_app_id) != 0)
        continue;
      roles = json_object_get_array_member (resource_sp, "appRoles");
      for (guint j = 0; roles != NULL && j < json_array_get_length (roles); j++)
        {
          JsonObject *role = json_array_get_object_element (roles, j);

          if (g_strcmp0 (get_string (role, "id"), get_string (assignment, "appRoleId")) == 0 &&
              g_hash_table_add (seen, (gpointer) get_string (role, "value")))
            g_strv_builder_add (builder, get_string (role, "value"));
        }
    }

  return g_strv_builder_end (builder);
}

static void
handle_client_credentials (Ctx        *ctx,
                           GHashTable *form,
                           const char *tenant)
{
  BaGraphEmulator *self = ctx->self;
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *scope = g_hash_table_lookup (form, "scope");
  const char *assertion_type = g_hash_table_lookup (form, "client_assertion_type");
  const char *assertion = g_hash_table_lookup (form, "client_assertion");
  g_autoptr(Jwt) jwt = NULL;
  JsonObject *app;
  JsonObject *sp;
  JsonObject *credential = NULL;
  gnutls_x509_crt_t crt = NULL;
  g_autofree char *aud_tenant = NULL;
  g_autofree char *aud_id = NULL;
  const char *alg;
  gnutls_sign_algorithm_t sign_algo;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 exp, nbf;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *access_text = NULL;
  Token *token;

  if (g_strcmp0 (tenant, "organizations") == 0 || g_strcmp0 (tenant, "common") == 0)
    {
      respond_token_error (ctx, 400, "invalid_request", 90009,
                           "Application is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier; use a tenant-specific endpoint.");
      return;
    }
  if (client_id == NULL)
    {
      respond_token_error (ctx, 400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'client_id'.");
      return;
    }
  if (g_hash_table_contains (form, "client_secret"))
    {
      respond_token_error (ctx, 401, "invalid_client", 7000215, "Invalid client secret provided.");
      return;
    }
  if (assertion == NULL || g_strcmp0 (assertion_type, ASSERTION_TYPE) != 0)
    {
      respond_token_error (ctx, 401, "invalid_client", 7000218,
                           "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      return;
    }

  app = find_visible (self, self->applications, "appId", client_id);
  if (app == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant.",
                                               client_id, self->tenant_name);

      respond_token_error (ctx, 400, "unauthorized_client", 700016, text);
      return;
    }

  if (scope == NULL || !g_str_has_suffix (scope, "/.default") || strchr (scope, ' ') != NULL)
    {
      respond_token_error (ctx, 400, "invalid_scope", 1002012,
                           "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
      return;
    }

  jwt = jwt_parse (assertion);
  if (jwt == NULL)
    {
      respond_token_error (ctx, 400, "invalid_request", 50027, "JWT token is invalid or malformed.");
      return;
    }

  alg = get_string (jwt->header, "alg");
  if (g_strcmp0 (alg, "RS256") == 0)
    sign_algo = GNUTLS_SIGN_RSA_SHA256;
  else if (g_strcmp0 (alg, "PS256") == 0)
    sign_algo = GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
  else
    {
      respond_token_error (ctx, 401, "invalid_client", 700027,
                           "Client assertion failed signature validation: unsupported algorithm.");
      return;
    }

  crt = find_key_credential (app, get_string (jwt->header, "x5t"), get_string (jwt->header, "x5t#S256"), &credential);
  if (crt == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '%s']",
                                               get_string (jwt->header, "x5t") != NULL ? get_string (jwt->header, "x5t")
                                                                                       : (get_string (jwt->header, "x5t#S256") != NULL ? get_string (jwt->header, "x5t#S256") : ""));

      respond_token_error (ctx, 401, "invalid_client", 700027, text);
      return;
    }

  if (self->key_replication_delay_ms > 0)
    {
      gint64 *added = g_hash_table_lookup (self->keys_added_us, get_string (credential, "keyId") != NULL
                                                                  ? get_string (credential, "keyId") : "");

      if (added != NULL && g_get_monotonic_time () - *added < (gint64) self->key_replication_delay_ms * 1000)
        {
          gnutls_x509_crt_deinit (crt);
          respond_token_error (ctx, 401, "invalid_client", 700027,
                               "Client assertion failed signature validation. [Reason - The key was not found.]");
          return;
        }
    }

  {
    gnutls_pubkey_t pubkey = NULL;
    gnutls_datum_t data = { (unsigned char *) jwt->signing_input, strlen (jwt->signing_input) };
    gnutls_datum_t sig = { (unsigned char *) g_bytes_get_data (jwt->signature, NULL), g_bytes_get_size (jwt->signature) };
    int ret;
    time_t not_after = gnutls_x509_crt_get_expiration_time (crt);
    time_t not_before = gnutls_x509_crt_get_activation_time (crt);

    gnutls_pubkey_init (&pubkey);
    ret = gnutls_pubkey_import_x509 (pubkey, crt, 0);
    if (ret >= 0)
      ret = gnutls_pubkey_verify_data2 (pubkey, sign_algo, 0, &data, &sig);
    gnutls_pubkey_deinit (pubkey);
    gnutls_x509_crt_deinit (crt);

    if (ret < 0)
      {
        respond_token_error (ctx, 401, "invalid_client", 700027,
                             "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]");
        return;
      }
    if (not_after < now || not_before > now + 300 || !credential_in_date (credential))
      {
        respond_token_error (ctx, 401, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The key used is expired.]");
        return;
      }
  }

  aud_tenant = g_strdup_printf ("%s/%s/oauth2/v2.0/token", self->url, tenant);
  aud_id = g_strdup_printf ("%s/%s/oauth2/v2.0/token", self->url, self->tenant_id);
  if (g_strcmp0 (get_string (jwt->claims, "aud"), aud_tenant) != 0 &&
      g_strcmp0 (get_string (jwt->claims, "aud"), aud_id) != 0)
    {
      respond_token_error (ctx, 401, "invalid_client", 700027,
                           "Client assertion audience claim does not match Realm issuer.");
      return;
    }
  if (g_strcmp0 (get_string (jwt->claims, "iss"), client_id) != 0 ||
      g_strcmp0 (get_string (jwt->claims, "sub"), client_id) != 0)
    {
      respond_token_error (ctx, 401, "invalid_client", 700021,
                           "Client assertion application identifier doesn't match 'client_id' parameter.");
      return;
    }
  exp = get_int (jwt->claims, "exp");
  nbf = get_int (jwt->claims, "nbf");
  if (exp < 0 || exp <= now || (nbf >= 0 && nbf > now + 300) ||
      (nbf >= 0 && exp - nbf > 15 * 60) || (nbf < 0 && exp > now + 15 * 60))
    {
      respond_token_error (ctx, 401, "invalid_client", 700024,
                           "Client assertion is not within its valid time range.");
      return;
    }

  sp = find_visible (self, self->service_principals, "appId", client_id);
  if (sp == NULL)
    {
      g_autofree char *text = g_strdup_printf ("The client application %s is missing service principal in the tenant %s.",
                                               client_id, self->tenant_id);

      respond_token_error (ctx, 401, "invalid_client", 7000229, text);
      return;
    }

  token = g_new0 (Token, 1);
  token->kind = TOKEN_APP_ONLY;
  token->app_id = g_strdup (client_id);
  token->resource = g_strndup (scope, strlen (scope) - strlen ("/.default"));
  token->principal_id = g_strdup (get_string (sp, "id"));
  token->roles = roles_for (self, sp, token->resource);
  access_text = issue_access_token (self, token);

  json_object_set_string_member (body, "token_type", "Bearer");
  json_object_set_int_member (body, "expires_in", self->token_lifetime);
  json_object_set_int_member (body, "ext_expires_in", self->token_lifetime);
  json_object_set_string_member (body, "access_token", access_text);
  respond_object (ctx, 200, body);
}

static gboolean
is_known_tenant (BaGraphEmulator *self,
                 const char      *tenant)
{
  return g_strcmp0 (tenant, "organizations") == 0 || g_strcmp0 (tenant, "common") == 0 ||
         g_strcmp0 (tenant, self->tenant_id) == 0 ||
         g_ascii_strcasecmp (tenant, "contoso.com") == 0 ||
         g_ascii_strcasecmp (tenant, "contoso.onmicrosoft.com") == 0;
}

static void
handle_authorize (Ctx        *ctx,
                  const char *tenant)
{
  BaGraphEmulator *self = ctx->self;
  const char *client_id = g_hash_table_lookup (ctx->query, "client_id");
  const char *response_type = g_hash_table_lookup (ctx->query, "response_type");
  const char *redirect_uri = g_hash_table_lookup (ctx->query, "redirect_uri");
  const char *scope = g_hash_table_lookup (ctx->query, "scope");
  const char *state = g_hash_table_lookup (ctx->query, "state");
  const char *challenge = g_hash_table_lookup (ctx->query, "code_challenge");
  const char *method = g_hash_table_lookup (ctx->query, "code_challenge_method");
  g_autofree char *location = NULL;
  g_autofree char *escaped_state = NULL;
  const char *sep;

  if (client_id == NULL || redirect_uri == NULL || g_strcmp0 (response_type, "code") != 0 ||
      (!g_str_has_prefix (redirect_uri, "http://127.0.0.1") && !g_str_has_prefix (redirect_uri, "http://localhost") &&
       !g_str_has_prefix (redirect_uri, "https://")))
    {
      g_autofree char *page = g_strdup_printf ("<html><body><h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS900144: invalid authorization request.</p><p>Request Id: %s</p></body></html>",
                                               ctx->request_id);

      respond_raw (ctx, 400, "text/html; charset=utf-8", page, strlen (page));
      return;
    }

  escaped_state = state != NULL ? g_uri_escape_string (self->wrong_state != NULL ? self->wrong_state : state, NULL, FALSE) : NULL;
  sep = strchr (redirect_uri, '?') != NULL ? "&" : "?";

  if (g_hash_table_contains (self->blocked_clients, client_id))
    {
      location = g_strdup_printf ("%s%serror=unauthorized_client&error_description=%s%s%s", redirect_uri, sep,
                                  "AADSTS700016%3A%20Application%20not%20found%20in%20the%20directory.",
                                  escaped_state != NULL ? "&state=" : "", escaped_state != NULL ? escaped_state : "");
    }
  else if (challenge == NULL || g_strcmp0 (method, "S256") != 0)
    {
      location = g_strdup_printf ("%s%serror=invalid_request&error_description=%s%s%s", redirect_uri, sep,
                                  "AADSTS9002325%3A%20Proof%20Key%20for%20Code%20Exchange%20is%20required.",
                                  escaped_state != NULL ? "&state=" : "", escaped_state != NULL ? escaped_state : "");
    }
  else if (self->deny)
    {
      location = g_strdup_printf ("%s%serror=access_denied&error_description=%s%s%s", redirect_uri, sep,
                                  "AADSTS65004%3A%20User%20declined%20to%20consent%20to%20access%20the%20app.",
                                  escaped_state != NULL ? "&state=" : "", escaped_state != NULL ? escaped_state : "");
    }
  else
    {
      AuthCode *code = g_new0 (AuthCode, 1);
      g_autofree char *hex = random_hex (32);
      char *code_text = g_strconcat ("1.AR", hex, NULL);

      code->client_id = g_strdup (client_id);
      code->redirect_uri = g_strdup (redirect_uri);
      code->code_challenge = g_strdup (challenge);
      code->scope = g_strdup (scope);
      g_hash_table_insert (self->auth_codes, code_text, code);
      location = g_strdup_printf ("%s%scode=%s%s%s", redirect_uri, sep, code_text,
                                  escaped_state != NULL ? "&state=" : "", escaped_state != NULL ? escaped_state : "");
    }

  (void) tenant;
  soup_server_message_set_redirect (ctx->msg, 302, location);
}

static void
route_identity (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  char **s = ctx->segments;
  guint n = g_strv_length (s);
  g_autoptr(GHashTable) form = NULL;
  const char *grant;

  if (n == 1 && g_strcmp0 (s[0], "devicelogin") == 0)
    {
      static const char page[] = "<html><body><h1>Enter code</h1><form><input name=\"otc\"></form></body></html>";

      respond_raw (ctx, 200, "text/html; charset=utf-8", page, strlen (page));
      return;
    }

  if (n != 4 || g_strcmp0 (s[1], "oauth2") != 0 || g_strcmp0 (s[2], "v2.0") != 0)
    {
      respond_raw (ctx, 404, "text/html; charset=utf-8", "<html><body>Not found</body></html>", 35);
      return;
    }

  if (!is_known_tenant (self, s[0]))
    {
      g_autofree char *text = g_strdup_printf ("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", s[0]);

      respond_token_error (ctx, 400, "invalid_request", 90002, text);
      return;
    }

  if (g_strcmp0 (s[3], "authorize") == 0)
    {
      if (g_strcmp0 (ctx->method, "GET") != 0)
        {
          respond_empty (ctx, 405);
          return;
        }
      handle_authorize (ctx, s[0]);
      return;
    }

  if (g_strcmp0 (s[3], "devicecode") != 0 && g_strcmp0 (s[3], "token") != 0)
    {
      respond_raw (ctx, 404, "text/html; charset=utf-8", "<html><body>Not found</body></html>", 35);
      return;
    }

  if (g_strcmp0 (ctx->method, "POST") != 0)
    {
      respond_token_error (ctx, 400, "invalid_request", 900561,
                           "The endpoint only accepts POST requests. Received a GET request.");
      return;
    }
  if (ctx->record->form == NULL)
    {
      respond_token_error (ctx, 400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'grant_type'.");
      return;
    }
  form = g_hash_table_ref (ctx->record->form);

  if (g_strcmp0 (s[3], "devicecode") == 0)
    {
      handle_devicecode (ctx, form);
      return;
    }

  grant = g_hash_table_lookup (form, "grant_type");
  if (g_strcmp0 (grant, DEVICE_CODE_GRANT) == 0)
    handle_device_code_grant (ctx, form);
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    handle_refresh_grant (ctx, form);
  else if (g_strcmp0 (grant, "authorization_code") == 0)
    handle_auth_code_grant (ctx, form);
  else if (g_strcmp0 (grant, "client_credentials") == 0)
    handle_client_credentials (ctx, form, s[0]);
  else if (grant == NULL)
    respond_token_error (ctx, 400, "invalid_request", 900144,
                         "The request body must contain the following parameter: 'grant_type'.");
  else
    respond_token_error (ctx, 400, "unsupported_grant_type", 70003,
                         "The app requested an unsupported grant type.");
}

/* -------------------------------------------------------------------------
 * Graph
 * ------------------------------------------------------------------------- */

static gboolean
authenticate (Ctx *ctx)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (ctx->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  Token *token = NULL;

  soup_message_headers_replace (soup_server_message_get_response_headers (ctx->msg),
                                "WWW-Authenticate",
                                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    {
      respond_graph_error (ctx, 401, "InvalidAuthenticationToken", "Access token is empty.");
      return FALSE;
    }
  token = g_hash_table_lookup (ctx->self->access_tokens, auth + 7);
  if (token == NULL)
    {
      respond_graph_error (ctx, 401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).");
      return FALSE;
    }
  if (token->revoked || g_get_monotonic_time () >= token->expires_us)
    {
      respond_graph_error (ctx, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
      return FALSE;
    }
  if (g_strcmp0 (token->resource, GRAPH_RESOURCE) != 0 && g_strcmp0 (token->resource, GRAPH_APP_ID) != 0)
    {
      respond_graph_error (ctx, 401, "InvalidAuthenticationToken", "Invalid audience.");
      return FALSE;
    }

  soup_message_headers_remove (soup_server_message_get_response_headers (ctx->msg), "WWW-Authenticate");
  ctx->token = token;

  return TRUE;
}

/* App-only tokens need one of the roles with these prefixes. */
static gboolean
require_app_role (Ctx        *ctx,
                  const char *prefix1,
                  const char *prefix2)
{
  if (ctx->token->kind != TOKEN_APP_ONLY)
    return TRUE;
  for (guint i = 0; ctx->token->roles != NULL && ctx->token->roles[i] != NULL; i++)
    {
      if (g_str_has_prefix (ctx->token->roles[i], prefix1) ||
          (prefix2 != NULL && g_str_has_prefix (ctx->token->roles[i], prefix2)))
        return TRUE;
    }
  respond_graph_error (ctx, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

  return FALSE;
}

static gboolean
require_delegated (Ctx *ctx)
{
  if (ctx->token->kind == TOKEN_DELEGATED)
    return TRUE;
  respond_graph_error (ctx, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");

  return FALSE;
}

static gboolean
require_json (Ctx *ctx)
{
  if (ctx->json != NULL)
    return TRUE;
  respond_graph_error (ctx, 400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");

  return FALSE;
}

static JsonObject *
admin_user (BaGraphEmulator *self)
{
  return find_by (self->users, "id", self->admin_oid);
}

static void
handle_me (Ctx *ctx)
{
  if (!require_delegated (ctx))
    return;
  respond_single (ctx, 200, admin_user (ctx->self), "users/$entity", FALSE);
}

static void
handle_member_of (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) filtered = NULL;

  if (!require_delegated (ctx))
    return;
  for (guint i = 0; self->admin_roles != NULL && self->admin_roles[i] != NULL; i++)
    {
      JsonObject *role = json_object_new ();
      const char *template_id = role_template_id (self->admin_roles[i]);
      g_autofree char *id = g_strdup_printf ("%.24s%012x", "d0000000-0000-4000-8000-", i + 1);

      json_object_set_string_member (role, "@odata.type", "#microsoft.graph.directoryRole");
      json_object_set_string_member (role, "id", id);
      json_object_set_string_member (role, "displayName", self->admin_roles[i]);
      json_object_set_string_member (role, "description", self->admin_roles[i]);
      json_object_set_string_member (role, "roleTemplateId", template_id);
      g_ptr_array_add (roles, role);
    }

  if (!apply_query (ctx, roles, &filtered))
    return;
  respond_collection (ctx, filtered, "directoryObjects", FALSE);
}

static void
handle_organization (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  g_autoptr(GPtrArray) orgs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonObject *org = json_object_new ();
  JsonArray *domains = json_array_new ();
  JsonObject *d;

  json_object_set_string_member (org, "id", self->tenant_id);
  json_object_set_string_member (org, "displayName", self->tenant_name);
  json_object_set_string_member (org, "tenantType", "AAD");
  d = json_object_new ();
  json_object_set_string_member (d, "capabilities", "Email, OfficeCommunicationsOnline");
  json_object_set_boolean_member (d, "isDefault", TRUE);
  json_object_set_boolean_member (d, "isInitial", FALSE);
  json_object_set_string_member (d, "name", "contoso.com");
  json_object_set_string_member (d, "type", "Managed");
  json_array_add_object_element (domains, d);
  d = json_object_new ();
  json_object_set_string_member (d, "capabilities", "Email, OfficeCommunicationsOnline");
  json_object_set_boolean_member (d, "isDefault", FALSE);
  json_object_set_boolean_member (d, "isInitial", TRUE);
  json_object_set_string_member (d, "name", "contoso.onmicrosoft.com");
  json_object_set_string_member (d, "type", "Managed");
  json_array_add_object_element (domains, d);
  json_object_set_array_member (org, "verifiedDomains", domains);
  g_ptr_array_add (orgs, org);

  respond_collection (ctx, orgs, "organization", FALSE);
}

static void
handle_sites_root (Ctx *ctx)
{
  g_autoptr(JsonObject) site = json_object_new ();

  if (!require_app_role (ctx, "Sites.", NULL))
    return;
  if (ctx->token->kind == TOKEN_DELEGATED &&
      !scope_has (ctx->token->scope, "Sites.Read.All") && !scope_has (ctx->token->scope, "Sites.ReadWrite.All") &&
      !scope_has (ctx->token->scope, "Sites.FullControl.All"))
    {
      respond_graph_error (ctx, 403, "accessDenied", "Either scp or roles claim need to be present in the token.");
      return;
    }

  json_object_set_string_member (site, "id", "contoso.sharepoint.com,5a58bb09-1fba-41c1-8125-69da264370a0,9f2ec1da-0be4-4a74-9254-973f0add78fd");
  json_object_set_string_member (site, "displayName", "Communication site");
  json_object_set_string_member (site, "name", "");
  json_object_set_string_member (site, "webUrl", "https://contoso.sharepoint.com");
  respond_single (ctx, 200, site, "sites/$entity", FALSE);
}

/* Parses "name(appId='…')"; returns the appId or NULL. */
static char *
parse_alternate_key (const char *segment,
                     const char *name)
{
  g_autofree char *prefix = g_strconcat (name, "(appId='", NULL);

  if (!g_str_has_prefix (segment, prefix) || !g_str_has_suffix (segment, "')"))
    return NULL;

  return g_strndup (segment + strlen (prefix), strlen (segment) - strlen (prefix) - 2);
}

static gboolean
validate_key_credentials (Ctx        *ctx,
                          JsonNode   *node,
                          JsonObject *existing_app,
                          JsonArray **out)
{
  g_autoptr(JsonArray) result = json_array_new ();
  JsonArray *in;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      respond_graph_error (ctx, 400, "Request_BadRequest", "Invalid value specified for property 'keyCredentials'.");
      return FALSE;
    }
  in = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      JsonNode *element = json_array_get_element (in, i);
      JsonObject *cred;
      JsonObject *copy;
      const char *key;
      const char *key_id;
      g_autofree guchar *der = NULL;
      gsize der_len = 0;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(BaCertificate) certificate = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          respond_graph_error (ctx, 400, "Request_BadRequest", "Invalid value specified for property 'keyCredentials'.");
          return FALSE;
        }
      cred = json_node_get_object (element);
      key = get_string (cred, "key");
      key_id = get_string (cred, "keyId");

      if (key == NULL && key_id != NULL && existing_app != NULL)
        {
          JsonArray *old = json_object_get_array_member (existing_app, "keyCredentials");

          for (guint j = 0; old != NULL && j < json_array_get_length (old); j++)
            {
              JsonObject *o = json_array_get_object_element (old, j);

              if (g_strcmp0 (get_string (o, "keyId"), key_id) == 0)
                key = get_string (o, "key");
            }
        }
      if (key == NULL)
        {
          respond_graph_error (ctx, 400, "KeyCredentialsInvalidValue", "Key credential property 'key' is required.");
          return FALSE;
        }
      if (g_strcmp0 (get_string (cred, "type"), "AsymmetricX509Cert") != 0 ||
          g_strcmp0 (get_string (cred, "usage"), "Verify") != 0)
        {
          respond_graph_error (ctx, 400, "KeyCredentialsInvalidValue", "Key credential 'type' must be AsymmetricX509Cert and 'usage' Verify.");
          return FALSE;
        }
      der = g_base64_decode (key, &der_len);
      bytes = g_bytes_new (der, der_len);
      certificate = der_len > 0 ? ba_certificate_new_from_data (bytes, NULL) : NULL;
      if (certificate == NULL)
        {
          respond_graph_error (ctx, 400, "KeyCredentialsInvalidValue", "Key credential 'key' is not a valid certificate.");
          return FALSE;
        }

      copy = json_object_new ();
      json_object_set_string_member (copy, "customKeyIdentifier",
                                     get_string (cred, "customKeyIdentifier") != NULL
                                       ? get_string (cred, "customKeyIdentifier")
                                       : ba_certificate_get_sha1_thumbprint (certificate));
      if (get_string (cred, "displayName") != NULL)
        json_object_set_string_member (copy, "displayName", get_string (cred, "displayName"));
      else
        {
          g_autofree char *name = g_strdup_printf ("CN=%s", ba_certificate_get_common_name (certificate));

          json_object_set_string_member (copy, "displayName", name);
        }
      if (get_string (cred, "endDateTime") != NULL)
        json_object_set_string_member (copy, "endDateTime", get_string (cred, "endDateTime"));
      else
        {
          g_autofree char *end = g_date_time_format (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");

          json_object_set_string_member (copy, "endDateTime", end);
        }
      json_object_set_string_member (copy, "key", key);
      if (key_id != NULL)
        json_object_set_string_member (copy, "keyId", key_id);
      else
        {
          g_autofree char *guid = new_guid ();
          gint64 *when = g_new (gint64, 1);

          *when = g_get_monotonic_time ();
          g_hash_table_insert (ctx->self->keys_added_us, g_strdup (guid), when);
          json_object_set_string_member (copy, "keyId", guid);
        }
      if (get_string (cred, "startDateTime") != NULL)
        json_object_set_string_member (copy, "startDateTime", get_string (cred, "startDateTime"));
      else
        {
          g_autofree char *start = g_date_time_format (ba_certificate_get_not_before (certificate), "%Y-%m-%dT%H:%M:%SZ");

          json_object_set_string_member (copy, "startDateTime", start);
        }
      json_object_set_string_member (copy, "type", "AsymmetricX509Cert");
      json_object_set_string_member (copy, "usage", "Verify");
      json_array_add_object_element (result, copy);
    }

  *out = g_steal_pointer (&result);

  return TRUE;
}

static JsonObject *
new_application (BaGraphEmulator *self,
                 const char      *display_name)
{
  JsonObject *app = json_object_new ();
  g_autofree char *id = new_guid ();
  g_autofree char *app_id = new_guid ();
  g_autofree char *created = now_iso8601 (TRUE);

  json_object_set_string_member (app, "id", id);
  json_object_set_string_member (app, "appId", app_id);
  json_object_set_string_member (app, "displayName", display_name);
  json_object_set_string_member (app, "createdDateTime", created);
  json_object_set_string_member (app, "signInAudience", "AzureADMyOrg");
  json_object_set_string_member (app, "publisherDomain", "contoso.onmicrosoft.com");
  json_object_set_boolean_member (app, "isFallbackPublicClient", FALSE);
  json_object_set_array_member (app, "keyCredentials", json_array_new ());
  json_object_set_array_member (app, "passwordCredentials", json_array_new ());
  json_object_set_array_member (app, "requiredResourceAccess", json_array_new ());

  return app;
}

static JsonObject *
new_service_principal (JsonObject *app)
{
  JsonObject *sp = json_object_new ();
  g_autofree char *id = new_guid ();

  json_object_set_string_member (sp, "id", id);
  json_object_set_string_member (sp, "appId", get_string (app, "appId"));
  json_object_set_string_member (sp, "displayName", get_string (app, "displayName"));
  json_object_set_string_member (sp, "servicePrincipalType", "Application");
  json_object_set_boolean_member (sp, "accountEnabled", TRUE);
  json_object_set_string_member (sp, "appOwnerOrganizationId", get_string (app, "appOwnerOrganizationId"));
  json_object_set_array_member (sp, "appRoles", json_array_new ());
  json_object_set_array_member (sp, "keyCredentials", json_array_new ());

  return sp;
}

/* Copies the writable members of @body onto @object. */
static gboolean
apply_patch (Ctx        *ctx,
             JsonObject *object,
             JsonObject *body,
             gboolean    is_app)
{
  g_autoptr(GList) names = json_object_get_members (body);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (g_strcmp0 (name, "id") == 0 || g_strcmp0 (name, "appId") == 0)
        continue;
      if (is_app && g_strcmp0 (name, "keyCredentials") == 0)
        {
          JsonArray *creds = NULL;

          if (!validate_key_credentials (ctx, json_object_get_member (body, name), object, &creds))
            return FALSE;
          json_object_set_array_member (object, name, creds);
          continue;
        }
      json_object_set_member (object, name, json_node_copy (json_object_get_member (body, name)));
    }

  return TRUE;
}

static void
remove_object (GPtrArray  *objects,
               JsonObject *object)
{
  g_ptr_array_remove (objects, object);
}

static void
handle_applications (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  char **s = ctx->segments + 1;  /* after v1.0 */
  guint n = g_strv_length (s);
  g_autofree char *alt = parse_alternate_key (s[0], "applications");
  JsonObject *app = NULL;
  const char *key;

  if (!require_app_role (ctx, "Application.", "Directory."))
    return;

  if (alt == NULL && n == 1)
    {
      if (g_strcmp0 (ctx->method, "GET") == 0)
        {
          g_autoptr(GPtrArray) filtered = NULL;

          if (apply_query (ctx, self->applications, &filtered))
            respond_collection (ctx, filtered, "applications", FALSE);
        }
      else if (g_strcmp0 (ctx->method, "POST") == 0)
        {
          JsonObject *created;
          const char *name;

          if (!require_json (ctx))
            return;
          name = get_string (ctx->json, "displayName");
          if (name == NULL || *name == '\0')
            {
              respond_graph_error (ctx, 400, "Request_BadRequest", "Property 'displayName' is required.");
              return;
            }
          created = new_application (self, name);
          json_object_set_string_member (created, "appOwnerOrganizationId", self->tenant_id);
          if (!apply_patch (ctx, created, ctx->json, TRUE))
            {
              json_object_unref (created);
              return;
            }
          g_ptr_array_add (self->applications, created);
          mark_created (self, get_string (created, "id"));
          respond_single (ctx, 201, created, "applications/$entity", FALSE);
        }
      else
        respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }

  if (n != (alt != NULL ? 1u : 2u))
    {
      respond_graph_error (ctx, 400, "Request_BadRequest", "Unsupported segment.");
      return;
    }

  key = alt != NULL ? alt : s[1];
  app = find_visible (self, self->applications, alt != NULL ? "appId" : "id", key);
  if (app == NULL)
    {
      respond_not_found (ctx, key);
      return;
    }

  if (g_strcmp0 (ctx->method, "GET") == 0)
    respond_single (ctx, 200, app, "applications/$entity", TRUE);
  else if (g_strcmp0 (ctx->method, "PATCH") == 0)
    {
      if (require_json (ctx) && apply_patch (ctx, app, ctx->json, TRUE))
        respond_empty (ctx, 204);
    }
  else if (g_strcmp0 (ctx->method, "DELETE") == 0)
    {
      remove_object (self->applications, app);
      respond_empty (ctx, 204);
    }
  else
    respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
}

static void
handle_app_role_assigned_to (Ctx        *ctx,
                             JsonObject *resource_sp,
                             const char *assignment_id)
{
  BaGraphEmulator *self = ctx->self;
  const char *resource_id = get_string (resource_sp, "id");

  if (assignment_id != NULL)
    {
      JsonObject *assignment = find_visible (self, self->assignments, "id", assignment_id);

      if (assignment == NULL || g_strcmp0 (get_string (assignment, "resourceId"), resource_id) != 0)
        {
          respond_not_found (ctx, assignment_id);
          return;
        }
      if (g_strcmp0 (ctx->method, "DELETE") == 0)
        {
          remove_object (self->assignments, assignment);
          respond_empty (ctx, 204);
        }
      else if (g_strcmp0 (ctx->method, "GET") == 0)
        respond_single (ctx, 200, assignment, "appRoleAssignments/$entity", FALSE);
      else
        respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }

  if (g_strcmp0 (ctx->method, "GET") == 0)
    {
      g_autoptr(GPtrArray) mine = g_ptr_array_new ();
      g_autoptr(GPtrArray) filtered = NULL;

      for (guint i = 0; i < self->assignments->len; i++)
        {
          JsonObject *a = g_ptr_array_index (self->assignments, i);

          if (g_strcmp0 (get_string (a, "resourceId"), resource_id) == 0)
            g_ptr_array_add (mine, a);
        }
      if (apply_query (ctx, mine, &filtered))
        respond_collection (ctx, filtered, "appRoleAssignments", FALSE);
    }
  else if (g_strcmp0 (ctx->method, "POST") == 0)
    {
      const char *principal_id;
      const char *app_role_id;
      JsonObject *principal;
      JsonArray *roles;
      gboolean role_found = FALSE;
      JsonObject *assignment;
      g_autofree char *id = NULL;
      g_autofree char *created = now_iso8601 (TRUE);

      if (!require_json (ctx))
        return;
      principal_id = get_string (ctx->json, "principalId");
      app_role_id = get_string (ctx->json, "appRoleId");
      if (principal_id == NULL || app_role_id == NULL)
        {
          respond_graph_error (ctx, 400, "Request_BadRequest", "Properties 'principalId' and 'appRoleId' are required.");
          return;
        }
      if (get_string (ctx->json, "resourceId") != NULL &&
          g_strcmp0 (get_string (ctx->json, "resourceId"), resource_id) != 0)
        {
          respond_graph_error (ctx, 400, "Request_BadRequest", "The resourceId of the body does not match the service principal of the path.");
          return;
        }
      principal = find_visible (self, self->service_principals, "id", principal_id);
      if (principal == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist or one of its queried reference-property objects are not present.", principal_id);

          respond_graph_error (ctx, 400, "Request_BadRequest", message);
          return;
        }
      roles = json_object_get_array_member (resource_sp, "appRoles");
      for (guint i = 0; roles != NULL && i < json_array_get_length (roles); i++)
        {
          JsonObject *role = json_array_get_object_element (roles, i);

          if (g_strcmp0 (get_string (role, "id"), app_role_id) == 0)
            role_found = TRUE;
        }
      if (!role_found)
        {
          respond_graph_error (ctx, 400, "Request_BadRequest", "Permission being assigned was not found on application.");
          return;
        }
      for (guint i = 0; i < self->assignments->len; i++)
        {
          JsonObject *a = g_ptr_array_index (self->assignments, i);

          if (g_strcmp0 (get_string (a, "principalId"), principal_id) == 0 &&
              g_strcmp0 (get_string (a, "resourceId"), resource_id) == 0 &&
              g_strcmp0 (get_string (a, "appRoleId"), app_role_id) == 0)
            {
              respond_graph_error (ctx, 400, "Request_BadRequest", "Permission being assigned already exists on the object");
              return;
            }
        }

      id = random_hex (21);
      assignment = json_object_new ();
      json_object_set_string_member (assignment, "id", id);
      json_object_set_string_member (assignment, "appRoleId", app_role_id);
      json_object_set_string_member (assignment, "createdDateTime", created);
      json_object_set_string_member (assignment, "principalDisplayName", get_string (principal, "displayName"));
      json_object_set_string_member (assignment, "principalId", principal_id);
      json_object_set_string_member (assignment, "principalType", "ServicePrincipal");
      json_object_set_string_member (assignment, "resourceDisplayName", get_string (resource_sp, "displayName"));
      json_object_set_string_member (assignment, "resourceId", resource_id);
      g_ptr_array_add (self->assignments, assignment);
      mark_created (self, id);
      respond_single (ctx, 201, assignment, "appRoleAssignments/$entity", FALSE);
    }
  else
    respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
}

static void
handle_app_role_assignments (Ctx        *ctx,
                             JsonObject *sp)
{
  BaGraphEmulator *self = ctx->self;
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  g_autoptr(GPtrArray) filtered = NULL;

  if (g_strcmp0 (ctx->method, "GET") != 0)
    {
      respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }
  for (guint i = 0; i < self->assignments->len; i++)
    {
      JsonObject *a = g_ptr_array_index (self->assignments, i);

      if (g_strcmp0 (get_string (a, "principalId"), get_string (sp, "id")) == 0)
        g_ptr_array_add (mine, a);
    }
  if (apply_query (ctx, mine, &filtered))
    respond_collection (ctx, filtered, "appRoleAssignments", FALSE);
}

static void
respond_no_backing_app (Ctx        *ctx,
                        const char *app_id)
{
  g_autofree char *message = g_strdup_printf ("The appId '%s' of the service principal does not reference a valid application object.",
                                              app_id != NULL ? app_id : "");

  respond_graph_error_full (ctx, 400, "Request_BadRequest", message, "NoBackingApplicationObject");
}

static void
handle_service_principals (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  char **s = ctx->segments + 1;
  guint n = g_strv_length (s);
  g_autofree char *alt = parse_alternate_key (s[0], "servicePrincipals");
  JsonObject *sp;
  const char *key;
  guint rest;

  if (!require_app_role (ctx, "Application.", "Directory."))
    return;

  if (alt == NULL && n == 1)
    {
      if (g_strcmp0 (ctx->method, "GET") == 0)
        {
          g_autoptr(GPtrArray) filtered = NULL;

          if (apply_query (ctx, self->service_principals, &filtered))
            respond_collection (ctx, filtered, "servicePrincipals", FALSE);
        }
      else if (g_strcmp0 (ctx->method, "POST") == 0)
        {
          const char *app_id;
          JsonObject *app;
          JsonObject *created;

          if (!require_json (ctx))
            return;
          app_id = get_string (ctx->json, "appId");
          app = find_visible (self, self->applications, "appId", app_id);
          if (app == NULL)
            {
              respond_no_backing_app (ctx, app_id);
              return;
            }
          if (find_by (self->service_principals, "appId", app_id) != NULL)
            {
              respond_graph_error (ctx, 409, "Request_MultipleObjectsWithSameKeyValue",
                                   "The service principal cannot be created, updated, or restored because the service principal name is already in use.");
              return;
            }
          created = new_service_principal (app);
          if (!apply_patch (ctx, created, ctx->json, FALSE))
            {
              json_object_unref (created);
              return;
            }
          g_ptr_array_add (self->service_principals, created);
          mark_created (self, get_string (created, "id"));
          respond_single (ctx, 201, created, "servicePrincipals/$entity", FALSE);
        }
      else
        respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }

  key = alt != NULL ? alt : (n >= 2 ? s[1] : NULL);
  rest = alt != NULL ? 1 : 2;
  if (key == NULL || n > rest + 2)
    {
      respond_graph_error (ctx, 400, "Request_BadRequest", "Unsupported segment.");
      return;
    }
  sp = find_visible (self, self->service_principals, alt != NULL ? "appId" : "id", key);

  /* Upsert */
  if (alt != NULL && n == 1 && g_strcmp0 (ctx->method, "PATCH") == 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_request_headers (ctx->msg);
      const char *prefer = soup_message_headers_get_one (headers, "Prefer");

      if (!require_json (ctx))
        return;
      if (sp == NULL && prefer != NULL && strstr (prefer, "create-if-missing") != NULL)
        {
          JsonObject *app = find_visible (self, self->applications, "appId", alt);
          JsonObject *created;

          if (app == NULL)
            {
              respond_no_backing_app (ctx, alt);
              return;
            }
          if (find_by (self->service_principals, "appId", alt) != NULL)
            {
              /* Exists but not yet replicated here */
              respond_not_found (ctx, alt);
              return;
            }
          created = new_service_principal (app);
          if (!apply_patch (ctx, created, ctx->json, FALSE))
            {
              json_object_unref (created);
              return;
            }
          g_ptr_array_add (self->service_principals, created);
          mark_created (self, get_string (created, "id"));
          respond_single (ctx, 201, created, "servicePrincipals/$entity", FALSE);
          return;
        }
      if (sp == NULL)
        {
          respond_not_found (ctx, alt);
          return;
        }
      if (apply_patch (ctx, sp, ctx->json, FALSE))
        respond_empty (ctx, 204);
      return;
    }

  if (sp == NULL)
    {
      respond_not_found (ctx, key);
      return;
    }

  if (n == rest)
    {
      if (g_strcmp0 (ctx->method, "GET") == 0)
        respond_single (ctx, 200, sp, "servicePrincipals/$entity", TRUE);
      else if (g_strcmp0 (ctx->method, "PATCH") == 0)
        {
          if (require_json (ctx) && apply_patch (ctx, sp, ctx->json, FALSE))
            respond_empty (ctx, 204);
        }
      else if (g_strcmp0 (ctx->method, "DELETE") == 0)
        {
          remove_object (self->service_principals, sp);
          respond_empty (ctx, 204);
        }
      else
        respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }

  if (g_strcmp0 (s[rest], "appRoleAssignedTo") == 0)
    handle_app_role_assigned_to (ctx, sp, n == rest + 2 ? s[rest + 1] : NULL);
  else if (g_strcmp0 (s[rest], "appRoleAssignments") == 0 && n == rest + 1)
    handle_app_role_assignments (ctx, sp);
  else
    respond_graph_error (ctx, 400, "Request_BadRequest", "Unsupported segment.");
}

static void
handle_groups (Ctx *ctx)
{
  BaGraphEmulator *self = ctx->self;
  char **s = ctx->segments + 1;
  guint n = g_strv_length (s);
  JsonObject *group;
  GPtrArray *members;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  g_autoptr(GPtrArray) filtered = NULL;
  gboolean users_only;

  if (!require_app_role (ctx, "Group", "Directory."))
    return;
  if (g_strcmp0 (ctx->method, "GET") != 0)
    {
      respond_graph_error (ctx, 405, "Request_BadRequest", "The HTTP method is not allowed.");
      return;
    }

  if (n == 1)
    {
      if (apply_query (ctx, self->groups, &filtered))
        respond_collection (ctx, filtered, "groups", FALSE);
      return;
    }

  group = find_visible (self, self->groups, "id", s[1]);
  if (group == NULL)
    {
      respond_not_found (ctx, s[1]);
      return;
    }
  if (n == 2)
    {
      respond_single (ctx, 200, group, "groups/$entity", FALSE);
      return;
    }
  if (g_strcmp0 (s[2], "members") != 0 || n > 4 ||
      (n == 4 && g_strcmp0 (s[3], "microsoft.graph.user") != 0))
    {
      respond_graph_error (ctx, 400, "Request_UnsupportedQuery", "Unsupported segment or cast.");
      return;
    }
  users_only = n == 4;
  members = g_hash_table_lookup (self->members, get_string (group, "id"));
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      JsonObject *m = g_ptr_array_index (members, i);

      if (!users_only || g_strcmp0 (get_string (m, "@odata.type"), "#microsoft.graph.user") == 0)
        g_ptr_array_add (candidates, m);
    }
  if (apply_query (ctx, candidates, &filtered))
    respond_collection (ctx, filtered, "directoryObjects", FALSE);
}

static void
route_graph (Ctx *ctx)
{
  char **s = ctx->segments;
  guint n = g_strv_length (s);
  SoupMessageHeaders *req = soup_server_message_get_request_headers (ctx->msg);
  const char *client_request_id = soup_message_headers_get_one (req, "client-request-id");

  if (client_request_id != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (ctx->msg),
                                  "client-request-id", client_request_id);

  if (n < 2 || g_strcmp0 (s[0], "v1.0") != 0)
    {
      respond_graph_error (ctx, 400, "BadRequest", "Invalid version.");
      return;
    }
  if (!authenticate (ctx))
    return;

  if (g_strcmp0 (s[1], "me") == 0 && n == 2 && g_strcmp0 (ctx->method, "GET") == 0)
    handle_me (ctx);
  else if (g_strcmp0 (s[1], "me") == 0 && n >= 3 && g_strcmp0 (s[2], "memberOf") == 0 &&
           (n == 3 || (n == 4 && g_strcmp0 (s[3], "microsoft.graph.directoryRole") == 0)) &&
           g_strcmp0 (ctx->method, "GET") == 0)
    handle_member_of (ctx);
  else if (g_strcmp0 (s[1], "organization") == 0 && n == 2 && g_strcmp0 (ctx->method, "GET") == 0)
    handle_organization (ctx);
  else if (g_strcmp0 (s[1], "sites") == 0 && n == 3 && g_strcmp0 (s[2], "root") == 0 &&
           g_strcmp0 (ctx->method, "GET") == 0)
    handle_sites_root (ctx);
  else if (g_str_has_prefix (s[1], "applications"))
    handle_applications (ctx);
  else if (g_str_has_prefix (s[1], "servicePrincipals"))
    handle_service_principals (ctx);
  else if (g_strcmp0 (s[1], "groups") == 0)
    handle_groups (ctx);
  else
    {
      g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", s[1]);

      respond_graph_error (ctx, 400, "BadRequest", message);
    }
}

/* -------------------------------------------------------------------------
 * Knobs
 * ------------------------------------------------------------------------- */

static Knob *
take_knob (BaGraphEmulator *self,
           const char      *path)
{
  for (guint i = 0; i < self->knobs->len; i++)
    {
      Knob *knob = g_ptr_array_index (self->knobs, i);

      if (knob->count > 0 && prefix_matches (knob->prefix, path))
        {
          knob->count--;
          return knob;
        }
    }

  return NULL;
}

static void
prune_knobs (BaGraphEmulator *self)
{
  for (guint i = self->knobs->len; i > 0; i--)
    {
      Knob *knob = g_ptr_array_index (self->knobs, i - 1);

      if (knob->count == 0)
        g_ptr_array_remove_index (self->knobs, i - 1);
    }
}

static void
add_knob (BaGraphEmulator *self,
          Knob            *knob)
{
  if (knob->count == 0)
    {
      knob_free (knob);
      return;
    }
  g_ptr_array_add (self->knobs, knob);
}

static const char *
status_code_name (guint status)
{
  switch (status)
    {
    case 429: return "TooManyRequests";
    case 500: return "InternalServerError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    case 401: return "InvalidAuthenticationToken";
    case 403: return "Authorization_RequestDenied";
    case 404: return "Request_ResourceNotFound";
    default: return "UnknownError";
    }
}

static void
apply_knob (Ctx  *ctx,
            Knob *knob)
{
  switch (knob->kind)
    {
    case KNOB_STATUS:
      if (knob->retry_after > 0)
        {
          g_autofree char *value = g_strdup_printf ("%u", knob->retry_after);

          soup_message_headers_replace (soup_server_message_get_response_headers (ctx->msg), "Retry-After", value);
        }
      if (is_graph_path (ctx->record->path))
        respond_graph_error (ctx, knob->status, status_code_name (knob->status),
                             knob->status == 429 ? "Too many requests. Retry after the time in the Retry-After header."
                                                 : "The service is temporarily unavailable.");
      else
        respond_token_error (ctx, knob->status,
                             knob->status == 429 || knob->status >= 500 ? "temporarily_unavailable" : "invalid_request",
                             knob->status == 429 ? 90055 : 90033,
                             "The service is temporarily unavailable. Retry after the time in the Retry-After header.");
      break;

    case KNOB_GARBAGE:
      if (knob->truncate)
        respond_raw (ctx, 200, "application/json; charset=utf-8", "{\"value\":[{\"id\":\"abc", 20);
      else
        {
          static const char html[] = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Proxy login required</body></html>";

          respond_raw (ctx, 200, "text/html; charset=utf-8", html, strlen (html));
        }
      break;

    case KNOB_GRAPH_ERROR:
      respond_graph_error (ctx, knob->status, knob->code, "Injected error.");
      break;

    case KNOB_DROP:
    case KNOB_LOSE:
    default:
      g_assert_not_reached ();
    }
}

/* -------------------------------------------------------------------------
 * The handler
 * ------------------------------------------------------------------------- */

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  g_clear_pointer (&delayed->source, g_source_unref);
  soup_server_message_unpause (delayed->msg);
  g_ptr_array_remove (delayed->self->delayed, delayed);

  return G_SOURCE_REMOVE;
}

static void
delayed_free (Delayed *delayed)
{
  if (delayed->source != NULL)
    g_source_destroy (delayed->source);
  g_clear_pointer (&delayed->source, g_source_unref);
  g_clear_object (&delayed->msg);
  g_free (delayed);
}

static char **
split_path (const char *path)
{
  g_auto(GStrv) raw = g_strsplit (path + (path[0] == '/' ? 1 : 0), "/", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; raw[i] != NULL; i++)
    {
      g_autofree char *unescaped = NULL;

      if (raw[i][0] == '\0' && raw[i + 1] == NULL && i > 0)
        break; /* trailing slash */
      unescaped = g_uri_unescape_string (raw[i], NULL);
      g_strv_builder_add (builder, unescaped != NULL ? unescaped : raw[i]);
    }

  return g_strv_builder_end (builder);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  BaGraphEmulator *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  BaEmulatorRequest *record = g_new0 (BaEmulatorRequest, 1);
  g_auto(Ctx) ctx = { 0, };
  const char *content_type;
  Knob *knob;

  record->time_us = g_get_monotonic_time ();
  record->method = g_strdup (soup_server_message_get_method (msg));
  record->path = g_strdup (g_uri_get_path (uri));
  record->query = g_strdup (g_uri_get_query (uri));
  record->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  content_type = soup_message_headers_get_content_type (headers, NULL);
  record->content_type = g_strdup (content_type);
  record->body = soup_message_body_flatten (request_body);
  if (g_strcmp0 (content_type, "application/x-www-form-urlencoded") == 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (record->body, NULL), g_bytes_get_size (record->body));

      record->form = soup_form_decode (text);
    }
  g_ptr_array_add (self->requests, record);

  ctx.self = self;
  ctx.msg = msg;
  ctx.record = record;
  ctx.method = record->method;
  ctx.segments = split_path (record->path);
  ctx.query = record->query != NULL ? soup_form_decode (record->query)
                                    : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx.request_id = new_guid ();
  if (content_type != NULL && g_str_has_prefix (content_type, "application/json"))
    ctx.json = parse_json_object (g_bytes_get_data (record->body, NULL), g_bytes_get_size (record->body));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "request-id", ctx.request_id);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "x-ms-ags-diagnostic",
                                "{\"ServerInfo\":{\"DataCenter\":\"Loopback\"}}");

  knob = take_knob (self, record->path);
  if (knob == NULL && self->fault_percent > 0 && prefix_matches (self->fault_prefix, record->path) &&
      g_rand_int_range (self->fault_rand, 0, 100) < (gint32) self->fault_percent)
    {
      /* A one-shot knob, freed by prune_knobs (). */
      knob = g_new0 (Knob, 1);
      knob->kind = self->fault_status == 0 ? KNOB_DROP : KNOB_STATUS;
      knob->status = self->fault_status;
      knob->retry_after = self->fault_retry_after;
      knob->count = 0;
      g_ptr_array_add (self->knobs, knob);
    }
  if (knob != NULL && knob->kind == KNOB_DROP)
    {
      GIOStream *stream;

      prune_knobs (self);
      record->status = 0;
      stream = soup_server_message_steal_connection (msg);
      if (stream != NULL)
        {
          g_io_stream_close (stream, NULL, NULL);
          g_object_unref (stream);
        }
      return;
    }

  if (knob != NULL && knob->kind != KNOB_LOSE)
    apply_knob (&ctx, knob);
  else if (is_graph_path (record->path))
    route_graph (&ctx);
  else
    route_identity (&ctx);
  prune_knobs (self);

  record->status = soup_server_message_get_status (msg);

  if (knob != NULL && knob->kind == KNOB_LOSE)
    {
      GIOStream *stream;

      /* Done, but the answer never reaches the client. */
      stream = soup_server_message_steal_connection (msg);
      if (stream != NULL)
        {
          g_io_stream_close (stream, NULL, NULL);
          g_object_unref (stream);
        }
      return;
    }

  if (self->latency_ms > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->self = self;
      delayed->msg = g_object_ref (msg);
      soup_server_message_pause (msg);
      /* The server answers on the context it was made on, which a
       * benchmark may give a thread of its own. */
      delayed->source = g_timeout_source_new (self->latency_ms);
      g_source_set_callback (delayed->source, delayed_cb, delayed, NULL);
      g_source_attach (delayed->source, g_main_context_get_thread_default ());
      g_ptr_array_add (self->delayed, delayed);
      self->peak_in_flight = MAX (self->peak_in_flight, self->delayed->len);
    }
}

/* -------------------------------------------------------------------------
 * Seed data
 * ------------------------------------------------------------------------- */

static void
add_app_role (JsonArray  *roles,
              const char *id,
              const char *value)
{
  JsonObject *role = json_object_new ();
  JsonArray *types = json_array_new ();

  json_array_add_string_element (types, "Application");
  json_object_set_array_member (role, "allowedMemberTypes", types);
  json_object_set_string_member (role, "description", value);
  json_object_set_string_member (role, "displayName", value);
  json_object_set_string_member (role, "id", id);
  json_object_set_boolean_member (role, "isEnabled", TRUE);
  json_object_set_string_member (role, "origin", "Application");
  json_object_set_string_member (role, "value", value);
  json_array_add_object_element (roles, role);
}

static void
add_resource_sp (BaGraphEmulator *self,
                 const char      *id,
                 const char      *app_id,
                 const char      *display_name,
                 const char      * const *roles)
{
  JsonObject *sp = json_object_new ();
  JsonArray *app_roles = json_array_new ();

  for (guint i = 0; roles[i] != NULL; i += 2)
    add_app_role (app_roles, roles[i], roles[i + 1]);
  json_object_set_string_member (sp, "id", id);
  json_object_set_string_member (sp, "appId", app_id);
  json_object_set_string_member (sp, "displayName", display_name);
  json_object_set_string_member (sp, "servicePrincipalType", "Application");
  json_object_set_string_member (sp, "appOwnerOrganizationId", "f8cdef31-a31e-4b4a-93e4-5f571e91255a");
  json_object_set_boolean_member (sp, "accountEnabled", TRUE);
  json_object_set_array_member (sp, "appRoles", app_roles);
  g_ptr_array_add (self->service_principals, sp);
}

static void
seed_directory (BaGraphEmulator *self)
{
  static const char * const graph_roles[] = {
    "a82116e5-55eb-4c41-a434-62fe8a61c773", "Sites.FullControl.All",
    "332a536c-c7ef-4017-ab91-336970924f0d", "Sites.Read.All",
    "9492366f-7969-46a4-8d15-ed1a20078fff", "Sites.ReadWrite.All",
    "df021288-bdef-4463-88db-98f22de89214", "User.Read.All",
    "5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All",
    "62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All",
    "98830695-27a2-44f7-8c18-0c3ebc9698f6", "GroupMember.Read.All",
    "7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All",
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All",
    "e2a3a72e-5f79-4c64-b1b1-878b674786c9", "Mail.ReadWrite",
    "75359482-378d-4052-8f01-80520e7db3cd", "Files.ReadWrite.All",
    "7b2449af-6ccd-4f4d-9f78-e550c193f0d1", "ChannelMessage.Read.All",
    "6b7d71aa-70aa-4810-a8d9-5d9fb2830017", "Chat.Read.All",
    "3b55498e-47ec-484f-8136-9013221c06a9", "ChannelMember.Read.All",
    "35930dcf-aceb-4bd1-b99a-8ffed403c974", "ChannelMember.ReadWrite.All",
    "bdd80a03-d9bc-451d-b7c4-ce7c63fe3c8f", "TeamSettings.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All",
    "06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All",
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "RoleManagement.ReadWrite.Directory",
    NULL
  };
  static const char * const sharepoint_roles[] = {
    "678536fe-1083-478a-9c59-b99265e6b0d3", "Sites.FullControl.All",
    "fbcd29d2-fcca-4405-aded-518d457caae4", "Sites.ReadWrite.All",
    "d13f72ca-a275-4b96-b789-48ebcc4da984", "Sites.Read.All",
    "9bff6588-13f2-4c48-bbf2-ddab62256b36", "Sites.Manage.All",
    "df021288-bdef-4463-88db-98f22de89214", "User.Read.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All",
    NULL
  };
  static const char * const exchange_roles[] = {
    "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "full_access_as_app",
    "dc50a0fb-09a3-484d-be87-e023b12c6440", "Exchange.ManageAsApp",
    NULL
  };
  JsonObject *user = json_object_new ();

  add_resource_sp (self, "5a0f5c1e-0000-4000-8000-00000000a001", GRAPH_APP_ID, "Microsoft Graph", graph_roles);
  add_resource_sp (self, "5a0f5c1e-0000-4000-8000-00000000a002", SHAREPOINT_APP_ID, "Office 365 SharePoint Online", sharepoint_roles);
  add_resource_sp (self, "5a0f5c1e-0000-4000-8000-00000000a003", EXCHANGE_APP_ID, "Office 365 Exchange Online", exchange_roles);

  json_object_set_string_member (user, "@odata.type", "#microsoft.graph.user");
  json_object_set_string_member (user, "id", self->admin_oid);
  json_object_set_array_member (user, "businessPhones", json_array_new ());
  json_object_set_string_member (user, "displayName", self->admin_name);
  json_object_set_string_member (user, "givenName", "Adele");
  json_object_set_null_member (user, "jobTitle");
  json_object_set_string_member (user, "mail", self->admin_upn);
  json_object_set_null_member (user, "mobilePhone");
  json_object_set_null_member (user, "officeLocation");
  json_object_set_string_member (user, "preferredLanguage", "en-US");
  json_object_set_string_member (user, "surname", "Vance");
  json_object_set_string_member (user, "userPrincipalName", self->admin_upn);
  json_object_set_boolean_member (user, "accountEnabled", TRUE);
  g_ptr_array_add (self->users, user);
}

/* -------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------- */

static void
ba_graph_emulator_dispose (GObject *object)
{
  BaGraphEmulator *self = (BaGraphEmulator *) object;

  if (self->delayed != NULL)
    g_ptr_array_set_size (self->delayed, 0);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (ba_graph_emulator_parent_class)->dispose (object);
}

static void
ba_graph_emulator_finalize (GObject *object)
{
  BaGraphEmulator *self = (BaGraphEmulator *) object;

  g_free (self->url);
  g_free (self->tenant_id);
  g_free (self->tenant_name);
  g_free (self->admin_upn);
  g_free (self->admin_name);
  g_free (self->admin_oid);
  g_strfreev (self->admin_roles);
  g_hash_table_unref (self->device_codes);
  g_queue_clear (&self->poll_script);
  g_free (self->poll_aadsts_error);
  g_free (self->last_user_code);
  g_hash_table_unref (self->blocked_clients);
  g_hash_table_unref (self->access_tokens);
  g_hash_table_unref (self->refresh_tokens);
  g_free (self->granted_scopes);
  g_free (self->wrong_state);
  g_hash_table_unref (self->auth_codes);
  g_ptr_array_unref (self->applications);
  g_ptr_array_unref (self->service_principals);
  g_ptr_array_unref (self->assignments);
  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->users);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->created_us);
  g_hash_table_unref (self->granted_roles);
  g_ptr_array_unref (self->knobs);
  g_hash_table_unref (self->keys_added_us);
  g_free (self->fault_prefix);
  g_rand_free (self->fault_rand);
  g_ptr_array_unref (self->delayed);
  g_ptr_array_unref (self->requests);

  G_OBJECT_CLASS (ba_graph_emulator_parent_class)->finalize (object);
}

static void
ba_graph_emulator_class_init (BaGraphEmulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_graph_emulator_dispose;
  object_class->finalize = ba_graph_emulator_finalize;
}

static void
ba_graph_emulator_init (BaGraphEmulator *self)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  static const char * const default_roles[] = { "Global Administrator", NULL };

  self->tenant_id = g_strdup ("72f988bf-0000-4000-8000-00000000c0de");
  self->tenant_name = g_strdup ("Contoso");
  self->admin_upn = g_strdup ("admin@contoso.onmicrosoft.com");
  self->admin_name = g_strdup ("Adele Vance");
  self->admin_oid = g_strdup ("a1b2c3d4-0000-4000-8000-0000000ad111");
  self->admin_roles = g_strdupv ((char **) default_roles);

  self->device_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) device_code_free);
  g_queue_init (&self->poll_script);
  self->device_expires_in = 900;
  self->device_interval = 5;
  self->blocked_clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_free);
  self->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_free);
  self->token_lifetime = 3599;
  self->auth_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) auth_code_free);

  self->applications = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->service_principals = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->assignments = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->users = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->created_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->granted_roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  self->knobs = g_ptr_array_new_with_free_func ((GDestroyNotify) knob_free);
  self->keys_added_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Which answers fail is test data, not a secret: a fixed seed makes a
   * failing run repeat exactly. */
  self->fault_rand = g_rand_new_with_seed (20260301);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) ba_emulator_request_free);

  seed_directory (self);

  self->server = soup_server_new ("server-header", "ba-graph-emulator", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Cannot start the Graph emulator: %s", error->message);

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* -------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------- */

BaGraphEmulator *
ba_graph_emulator_new (void)
{
  return g_object_new (BA_TYPE_GRAPH_EMULATOR, NULL);
}

const char *
ba_graph_emulator_get_url (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return self->url;
}

const char *
ba_graph_emulator_get_tenant_id (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return self->tenant_id;
}

void
ba_graph_emulator_set_admin (BaGraphEmulator    *self,
                             const char         *upn,
                             const char         *display_name,
                             const char * const *role_names)
{
  JsonObject *user;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));
  g_return_if_fail (upn != NULL);

  g_free (self->admin_upn);
  self->admin_upn = g_strdup (upn);
  g_free (self->admin_name);
  self->admin_name = g_strdup (display_name != NULL ? display_name : upn);
  g_strfreev (self->admin_roles);
  self->admin_roles = g_strdupv ((char **) role_names);

  user = admin_user (self);
  json_object_set_string_member (user, "displayName", self->admin_name);
  json_object_set_string_member (user, "mail", self->admin_upn);
  json_object_set_string_member (user, "userPrincipalName", self->admin_upn);
}

void
ba_graph_emulator_script_polls (BaGraphEmulator *self,
                                BaEmulatorPoll   first,
                                ...)
{
  va_list args;
  int next;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_queue_push_tail (&self->poll_script, GINT_TO_POINTER (first));
  va_start (args, first);
  while ((next = va_arg (args, int)) != 0)
    g_queue_push_tail (&self->poll_script, GINT_TO_POINTER (next));
  va_end (args);
}

void
ba_graph_emulator_set_poll_aadsts (BaGraphEmulator *self,
                                   guint            aadsts,
                                   const char      *error)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->poll_aadsts = aadsts;
  g_free (self->poll_aadsts_error);
  self->poll_aadsts_error = g_strdup (error);
}

void
ba_graph_emulator_set_device_code_times (BaGraphEmulator *self,
                                         guint            expires_in,
                                         guint            interval)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->device_expires_in = expires_in;
  self->device_interval = interval;
}

const char *
ba_graph_emulator_get_last_user_code (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return self->last_user_code;
}

void
ba_graph_emulator_expire_device_codes (BaGraphEmulator *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_hash_table_iter_init (&iter, self->device_codes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((DeviceCode *) value)->expires_us = 0;
}

void
ba_graph_emulator_block_client (BaGraphEmulator *self,
                                const char      *client_id)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));
  g_return_if_fail (client_id != NULL);

  g_hash_table_add (self->blocked_clients, g_strdup (client_id));
}

void
ba_graph_emulator_set_granted_scopes (BaGraphEmulator *self,
                                      const char      *scopes)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_free (self->granted_scopes);
  self->granted_scopes = g_strdup (scopes);
}

void
ba_graph_emulator_set_token_lifetime (BaGraphEmulator *self,
                                      guint            seconds)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->token_lifetime = seconds;
}

void
ba_graph_emulator_expire_access_tokens (BaGraphEmulator *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((Token *) value)->revoked = TRUE;
}

void
ba_graph_emulator_revoke_refresh_tokens (BaGraphEmulator *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_hash_table_iter_init (&iter, self->refresh_tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((Token *) value)->revoked = TRUE;
}

void
ba_graph_emulator_set_authorize_outcome (BaGraphEmulator *self,
                                         gboolean         deny,
                                         const char      *wrong_state)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->deny = deny;
  g_free (self->wrong_state);
  self->wrong_state = g_strdup (wrong_state);
}

char *
ba_graph_emulator_add_application (BaGraphEmulator    *self,
                                   const char         *display_name,
                                   GBytes             *certificate_der,
                                   gboolean            with_service_principal,
                                   const char * const *roles)
{
  JsonObject *app;

  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  app = new_application (self, display_name);
  json_object_set_string_member (app, "appOwnerOrganizationId", self->tenant_id);

  if (certificate_der != NULL)
    {
      g_autoptr(BaCertificate) certificate = ba_certificate_new_from_data (certificate_der, NULL);
      g_autofree char *key = g_base64_encode (g_bytes_get_data (certificate_der, NULL), g_bytes_get_size (certificate_der));
      g_autofree char *key_id = new_guid ();
      g_autofree char *name = NULL;
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;
      JsonObject *cred = json_object_new ();
      JsonArray *creds = json_object_get_array_member (app, "keyCredentials");

      g_return_val_if_fail (certificate != NULL, NULL);
      name = g_strdup_printf ("CN=%s", ba_certificate_get_common_name (certificate));
      start = g_date_time_format (ba_certificate_get_not_before (certificate), "%Y-%m-%dT%H:%M:%SZ");
      end = g_date_time_format (ba_certificate_get_not_after (certificate), "%Y-%m-%dT%H:%M:%SZ");
      json_object_set_string_member (cred, "customKeyIdentifier", ba_certificate_get_sha1_thumbprint (certificate));
      json_object_set_string_member (cred, "displayName", name);
      json_object_set_string_member (cred, "endDateTime", end);
      json_object_set_string_member (cred, "key", key);
      json_object_set_string_member (cred, "keyId", key_id);
      json_object_set_string_member (cred, "startDateTime", start);
      json_object_set_string_member (cred, "type", "AsymmetricX509Cert");
      json_object_set_string_member (cred, "usage", "Verify");
      json_array_add_object_element (creds, cred);
    }
  g_ptr_array_add (self->applications, app);

  if (with_service_principal)
    {
      JsonObject *sp = new_service_principal (app);

      g_ptr_array_add (self->service_principals, sp);
      if (roles != NULL)
        g_hash_table_insert (self->granted_roles, g_strdup (get_string (sp, "id")), g_strdupv ((char **) roles));
    }

  return g_strdup (get_string (app, "appId"));
}

JsonObject *
ba_graph_emulator_lookup_application (BaGraphEmulator *self,
                                      const char      *app_id)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return find_by (self->applications, "appId", app_id);
}

JsonObject *
ba_graph_emulator_lookup_service_principal (BaGraphEmulator *self,
                                            const char      *app_id)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return find_by (self->service_principals, "appId", app_id);
}

guint
ba_graph_emulator_count_applications (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), 0);

  return self->applications->len;
}

guint
ba_graph_emulator_count_app_role_assignments (BaGraphEmulator *self,
                                              const char      *principal_id)
{
  guint count = 0;

  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), 0);

  for (guint i = 0; i < self->assignments->len; i++)
    {
      JsonObject *a = g_ptr_array_index (self->assignments, i);

      if (principal_id == NULL || g_strcmp0 (get_string (a, "principalId"), principal_id) == 0)
        count++;
    }

  return count;
}

void
ba_graph_emulator_add_groups (BaGraphEmulator *self,
                              guint            n_groups,
                              guint            members_each)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  for (guint i = 0; i < n_groups; i++)
    {
      guint index = self->groups->len + 1;
      JsonObject *group = json_object_new ();
      g_autofree char *id = new_guid ();
      g_autofree char *name = g_strdup_printf ("Backup Group %03u", index);
      GPtrArray *members = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      JsonObject *device;
      g_autofree char *device_id = new_guid ();

      json_object_set_string_member (group, "@odata.type", "#microsoft.graph.group");
      json_object_set_string_member (group, "id", id);
      json_object_set_string_member (group, "displayName", name);
      json_object_set_string_member (group, "description", name);
      json_object_set_boolean_member (group, "securityEnabled", TRUE);
      json_object_set_boolean_member (group, "mailEnabled", FALSE);
      json_object_set_array_member (group, "groupTypes", json_array_new ());
      g_ptr_array_add (self->groups, group);

      for (guint j = 0; j < members_each; j++)
        {
          JsonObject *user = json_object_new ();
          g_autofree char *user_id = new_guid ();
          g_autofree char *upn = g_strdup_printf ("user%03u.g%03u@contoso.onmicrosoft.com", j + 1, index);
          g_autofree char *display = g_strdup_printf ("User %03u of group %03u", j + 1, index);

          json_object_set_string_member (user, "@odata.type", "#microsoft.graph.user");
          json_object_set_string_member (user, "id", user_id);
          json_object_set_string_member (user, "displayName", display);
          json_object_set_string_member (user, "userPrincipalName", upn);
          json_object_set_string_member (user, "mail", upn);
          json_object_set_boolean_member (user, "accountEnabled", TRUE);
          g_ptr_array_add (members, user);
        }

      /* One member that is not a user, which the cast filters out. */
      device = json_object_new ();
      json_object_set_string_member (device, "@odata.type", "#microsoft.graph.device");
      json_object_set_string_member (device, "id", device_id);
      json_object_set_string_member (device, "displayName", "Meeting room tablet");
      json_object_set_boolean_member (device, "accountEnabled", TRUE);
      g_ptr_array_add (members, device);

      g_hash_table_insert (self->members, g_strdup (id), members);
    }
}

void
ba_graph_emulator_set_latency (BaGraphEmulator *self,
                               guint            ms)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->latency_ms = ms;
}

void
ba_graph_emulator_set_page_size (BaGraphEmulator *self,
                                 guint            n)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->page_size = n;
}

void
ba_graph_emulator_inject_status (BaGraphEmulator *self,
                                 const char      *path_prefix,
                                 guint            status,
                                 guint            retry_after,
                                 guint            count)
{
  Knob *knob;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_STATUS;
  knob->prefix = g_strdup (path_prefix);
  knob->status = status;
  knob->retry_after = retry_after;
  knob->count = count;
  add_knob (self, knob);
}

void
ba_graph_emulator_drop_connections (BaGraphEmulator *self,
                                    const char      *path_prefix,
                                    guint            count)
{
  Knob *knob;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_DROP;
  knob->prefix = g_strdup (path_prefix);
  knob->count = count;
  add_knob (self, knob);
}

void
ba_graph_emulator_lose_answers (BaGraphEmulator *self,
                                const char      *path_prefix,
                                guint            count)
{
  Knob *knob;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_LOSE;
  knob->prefix = g_strdup (path_prefix);
  knob->count = count;
  add_knob (self, knob);
}

void
ba_graph_emulator_inject_garbage (BaGraphEmulator *self,
                                  const char      *path_prefix,
                                  gboolean         truncate,
                                  guint            count)
{
  Knob *knob;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_GARBAGE;
  knob->prefix = g_strdup (path_prefix);
  knob->truncate = truncate;
  knob->count = count;
  add_knob (self, knob);
}

void
ba_graph_emulator_inject_graph_error (BaGraphEmulator *self,
                                      const char      *path_prefix,
                                      guint            status,
                                      const char      *code,
                                      guint            count)
{
  Knob *knob;

  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));
  g_return_if_fail (code != NULL);

  knob = g_new0 (Knob, 1);
  knob->kind = KNOB_GRAPH_ERROR;
  knob->prefix = g_strdup (path_prefix);
  knob->status = status;
  knob->code = g_strdup (code);
  knob->count = count;
  add_knob (self, knob);
}

void
ba_graph_emulator_set_replication_delay (BaGraphEmulator *self,
                                         guint            ms)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->replication_delay_ms = ms;
}

void
ba_graph_emulator_set_fault_rate (BaGraphEmulator *self,
                                  const char      *path_prefix,
                                  guint            status,
                                  guint            retry_after,
                                  guint            percent)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));
  g_return_if_fail (percent <= 100);

  g_free (self->fault_prefix);
  self->fault_prefix = g_strdup (path_prefix);
  self->fault_status = status;
  self->fault_retry_after = retry_after;
  self->fault_percent = percent;
}

void
ba_graph_emulator_set_key_replication_delay (BaGraphEmulator *self,
                                             guint            ms)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  self->key_replication_delay_ms = ms;
}

guint
ba_graph_emulator_count_key_credentials (BaGraphEmulator *self,
                                         const char      *app_id)
{
  JsonObject *app;

  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), 0);

  app = find_by (self->applications, "appId", app_id);
  if (app == NULL || !json_object_has_member (app, "keyCredentials"))
    return 0;

  return json_array_get_length (json_object_get_array_member (app, "keyCredentials"));
}

GPtrArray *
ba_graph_emulator_get_requests (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  return self->requests;
}

static gboolean
request_matches (const BaEmulatorRequest *request,
                 const char              *method,
                 const char              *path_prefix)
{
  return (method == NULL || g_strcmp0 (request->method, method) == 0) &&
         prefix_matches (path_prefix, request->path);
}

guint
ba_graph_emulator_count_requests (BaGraphEmulator *self,
                                  const char      *method,
                                  const char      *path_prefix)
{
  guint count = 0;

  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), 0);

  for (guint i = 0; i < self->requests->len; i++)
    {
      if (request_matches (g_ptr_array_index (self->requests, i), method, path_prefix))
        count++;
    }

  return count;
}

const BaEmulatorRequest *
ba_graph_emulator_last_request (BaGraphEmulator *self,
                                const char      *method,
                                const char      *path_prefix)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), NULL);

  for (guint i = self->requests->len; i > 0; i--)
    {
      const BaEmulatorRequest *request = g_ptr_array_index (self->requests, i - 1);

      if (request_matches (request, method, path_prefix))
        return request;
    }

  return NULL;
}

void
ba_graph_emulator_clear_requests (BaGraphEmulator *self)
{
  g_return_if_fail (BA_IS_GRAPH_EMULATOR (self));

  g_ptr_array_set_size (self->requests, 0);
  self->peak_in_flight = self->delayed->len;
}

/* How many requests were being answered at once, at most, since the last
 * ba_graph_emulator_clear_requests(): how a client's concurrency is seen
 * from outside. Counts only while a latency is set, which is what makes
 * requests overlap. */
guint
ba_graph_emulator_get_peak_in_flight (BaGraphEmulator *self)
{
  g_return_val_if_fail (BA_IS_GRAPH_EMULATOR (self), 0);

  return self->peak_in_flight;
}
