/* ba-provisioner.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <glib/gi18n.h>

#include "ba-app-sign-in.h"
#include "ba-json-utils.h"
#include "ba-provisioner.h"
#include "ba-random.h"
#include "ba-session.h"

/* The provisioning engine (reference §6.3–§6.11, §7, §11.2, §11.3).
 *
 * The organization's applications are a journal of what exists in the
 * tenant: an application is recorded (state "creating", with a random
 * creation tag that the POST also carries in `tags`) and the store saved
 * before POST /applications is sent; every later step records its object
 * id and saves again before the next one starts. A resume therefore
 * continues from recorded ids, and an application whose creation answer
 * was lost is found again by its tag, never by its name.
 *
 * Requests that are sent are never cancelled: whatever Graph does with them
 * gets recorded. Cancel stops every application at its next step. */

#define MAX_APPLICATIONS 100
#define TAG_PREFIX "BackupAccess-"

struct _BaProvisioner
{
  GObject parent_instance;

  /* Owned */
  BaGraphClient *client;
  BaStore *store;
  BaOrganization *organization;
  GListStore *run;
  GHashTable *resource_sp_ids; /* resource appId → its service principal id */
  GHashTable *role_ids;        /* "resource appId\nvalue" → appRole id */
  GHashTable *busy;            /* BaBackupApplication * being worked on (borrowed) */
  GArray *save_waiters;        /* SaveWaiter, for the save after the current one */
  GArray *saving_waiters;      /* SaveWaiter, for the save in flight */

  guint concurrency;
  guint replication_timeout_ms;
  guint retry_base_delay_ms;
  gboolean saving;
  gboolean run_active;
};

G_DEFINE_FINAL_TYPE (BaProvisioner, ba_provisioner, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-provisioner-error-quark, ba_provisioner_error)

enum {
  PROP_0,
  PROP_CONCURRENCY,
  PROP_REPLICATION_TIMEOUT,
  PROP_RETRY_BASE_DELAY,
  N_PROPS
};

enum {
  APPLICATION_PROGRESS,
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* -------------------------------------------------------------------------
 * Permissions
 * ------------------------------------------------------------------------- */

static const BaPermission backup_application_permissions[] = {
  { BA_RESOURCE_SHAREPOINT, "Sites.FullControl.All" },
  { BA_RESOURCE_SHAREPOINT, "User.Read.All" },
  { BA_RESOURCE_GRAPH, "Sites.Read.All" },
};

static const BaPermission backup_application_permissions_china[] = {
  { BA_RESOURCE_SHAREPOINT, "Sites.FullControl.All" },
  { BA_RESOURCE_SHAREPOINT, "User.Read.All" },
  { BA_RESOURCE_GRAPH, "Sites.ReadWrite.All" },
};

static const char *
resource_display_name (const char *resource_app_id)
{
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_GRAPH) == 0)
    return "Microsoft Graph";
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_SHAREPOINT) == 0)
    return "Office 365 SharePoint Online";
  if (g_strcmp0 (resource_app_id, BA_RESOURCE_EXCHANGE) == 0)
    return "Office 365 Exchange Online";

  return resource_app_id;
}

/* A resolved permission of a run. */
typedef struct
{
  char *resource_app_id;
  char *resource_sp_id;
  char *role_id;
  char *value;
} Grant;

static void
grant_clear (gpointer data)
{
  Grant *grant = data;

  g_free (grant->resource_app_id);
  g_free (grant->resource_sp_id);
  g_free (grant->role_id);
  g_free (grant->value);
}

static char *
role_key (const char *resource_app_id,
          const char *value)
{
  return g_strconcat (resource_app_id, "\n", value, NULL);
}

/* -------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------- */

static char *
new_creation_tag (void)
{
  guint8 bytes[16];
  g_autoptr(GError) error = NULL;
  GString *tag = g_string_new (TAG_PREFIX);

  if (!ba_random_bytes (bytes, sizeof bytes, FALSE, &error))
    g_error ("%s(): %s", G_STRFUNC, error->message);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (tag, "%02x", bytes[i]);

  return g_string_free (tag, FALSE);
}

static JsonObject *
node_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
format_utc (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The SHA-1 of a keyCredential's DER, as uppercase hex, or NULL. */
static char *
key_credential_sha1 (JsonObject *credential)
{
  const char *key = ba_json_get_string (credential, "key");
  g_autofree guchar *der = NULL;
  g_autofree char *hex = NULL;
  gsize der_len = 0;

  if (key == NULL)
    return NULL;
  der = g_base64_decode (key, &der_len);
  if (der_len == 0)
    return NULL;
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA1, der, der_len);

  return g_ascii_strup (hex, -1);
}

static gboolean
credential_is_certificate (JsonObject *credential,
                           const char *thumbprint)
{
  g_autofree char *sha1 = NULL;

  if (thumbprint == NULL)
    return FALSE;
  sha1 = key_credential_sha1 (credential);

  return sha1 != NULL && g_ascii_strcasecmp (sha1, thumbprint) == 0;
}

static JsonNode *
key_credential_for (BaCertificate *certificate)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *key = ba_certificate_get_base64 (certificate);
  g_autofree char *start = format_utc (ba_certificate_get_not_before (certificate));
  g_autofree char *end = format_utc (ba_certificate_get_not_after (certificate));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "AsymmetricX509Cert");
  json_builder_set_member_name (builder, "usage");
  json_builder_add_string_value (builder, "Verify");
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, ba_certificate_get_subject (certificate));
  json_builder_set_member_name (builder, "startDateTime");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "endDateTime");
  json_builder_add_string_value (builder, end);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* One operation at a time per application: the organization holds one
 * object per application, so the object is the key. */
static gboolean
try_lock (BaProvisioner       *self,
          BaBackupApplication *app)
{
  return g_hash_table_add (self->busy, app);
}

static void
unlock (BaProvisioner       *self,
        BaBackupApplication *app)
{
  g_hash_table_remove (self->busy, app);
}

static GError *
busy_error (BaBackupApplication *app)
{
  const char *name = ba_backup_application_get_display_name (app);

  return g_error_new (BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_BUSY,
                      /* Translators: %s is the name of an application */
                      _("“%s” is being changed by another operation. Wait until it has finished."),
                      name != NULL ? name : ba_backup_application_get_app_id (app));
}

/* A translated failure reason with the Graph details a support case
 * needs; the technical part goes to the debug log too. */
static char *
describe_failure (BaProvisioner *self,
                  const GError  *error)
{
  const BaGraphFailure *failure = NULL;

  if (error->domain == BA_GRAPH_ERROR)
    failure = ba_graph_client_get_last_failure (self->client);

  if (failure != NULL && (failure->code != NULL || failure->request_id != NULL))
    {
      g_debug ("%s(): HTTP %u, code %s, request-id %s", G_STRFUNC, failure->status,
               failure->code ? failure->code : "-", failure->request_id ? failure->request_id : "-");
      /* Translators: a message, then the error code and request ID of Microsoft Graph */
      return g_strdup_printf (_("%s (error %s, request ID %s)"), error->message,
                              failure->code != NULL ? failure->code : "-",
                              failure->request_id != NULL ? failure->request_id : "-");
    }

  return g_strdup (error->message);
}

static gboolean
last_failure_mentions (BaProvisioner *self,
                       const char    *text)
{
  const BaGraphFailure *failure = ba_graph_client_get_last_failure (self->client);

  return failure != NULL && failure->message != NULL && strstr (failure->message, text) != NULL;
}

static GHashTable *
upsert_headers (void)
{
  GHashTable *headers = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (headers, (gpointer) "Prefer", (gpointer) "create-if-missing");

  return headers;
}

/* -------------------------------------------------------------------------
 * The journal: group-committed saves of the store
 * ------------------------------------------------------------------------- */

typedef void (*SavedFunc) (gpointer      data,
                           const GError *error);

typedef struct
{
  SavedFunc func;
  gpointer data;
} SaveWaiter;

static void start_save (BaProvisioner *self);

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(BaProvisioner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) waiters = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    g_warning ("Cannot record the backup applications: %s", error->message);

  waiters = g_steal_pointer (&self->saving_waiters);
  self->saving = FALSE;

  /* Those who asked while this one was written need another. */
  if (self->save_waiters->len > 0)
    start_save (self);

  for (guint i = 0; i < waiters->len; i++)
    {
      SaveWaiter *waiter = &g_array_index (waiters, SaveWaiter, i);

      waiter->func (waiter->data, error);
    }
}

static void
start_save (BaProvisioner *self)
{
  g_assert (!self->saving);

  self->saving = TRUE;
  self->saving_waiters = g_steal_pointer (&self->save_waiters);
  self->save_waiters = g_array_new (FALSE, FALSE, sizeof (SaveWaiter));
  ba_store_save_async (self->store, NULL, save_cb, g_object_ref (self));
}

/* Saves the store with what it holds now, then calls @func; saves asked
 * for while one is written are joined into the next. */
static void
journal_save (BaProvisioner *self,
              SavedFunc      func,
              gpointer       data)
{
  SaveWaiter waiter = { func, data };

  g_array_append_val (self->save_waiters, waiter);
  if (!self->saving)
    start_save (self);
}

/* -------------------------------------------------------------------------
 * Resolving the resource service principals and their app roles
 * ------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *resources; /* char *, to look up */
  guint next;
} Resolve;

static void
resolve_free (gpointer data)
{
  Resolve *resolve = data;

  g_ptr_array_unref (resolve->resources);
  g_free (resolve);
}

static void resolve_next (GTask *task);

static void
resolve_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Resolve *resolve = g_task_get_task_data (task);
  const char *resource = g_ptr_array_index (resolve->resources, resolve->next);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *sp;
  JsonArray *roles;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (node == NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_SERVICE_UNAVAILABLE,
                                 /* Translators: %s is a service, e.g. Office 365 SharePoint Online */
                                 _("%s is not available in this tenant. Check the tenant’s subscriptions, or choose services that it has."),
                                 resource_display_name (resource));
      else if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                 _("Microsoft Graph sent an answer that could not be read. Try again later."));
      return;
    }

  sp = node_object (node);
  if (ba_json_get_string (sp, "id") == NULL || !json_object_has_member (sp, "appRoles") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (sp, "appRoles")))
    {
      g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                               _("Microsoft Graph sent an answer that could not be read. Try again later."));
      return;
    }

  g_hash_table_replace (self->resource_sp_ids, g_strdup (resource), g_strdup (ba_json_get_string (sp, "id")));
  roles = json_object_get_array_member (sp, "appRoles");
  for (guint i = 0; i < json_array_get_length (roles); i++)
    {
      JsonObject *role = node_object (json_array_get_element (roles, i));
      JsonNode *types = role != NULL && json_object_has_member (role, "allowedMemberTypes")
                          ? json_object_get_member (role, "allowedMemberTypes") : NULL;
      JsonNode *enabled = role != NULL && json_object_has_member (role, "isEnabled")
                            ? json_object_get_member (role, "isEnabled") : NULL;
      gboolean for_applications = FALSE;

      if (ba_json_get_string (role, "id") == NULL || ba_json_get_string (role, "value") == NULL ||
          types == NULL || !JSON_NODE_HOLDS_ARRAY (types) ||
          enabled == NULL || !JSON_NODE_HOLDS_VALUE (enabled) ||
          json_node_get_value_type (enabled) != G_TYPE_BOOLEAN || !json_node_get_boolean (enabled))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (types)); j++)
        {
          JsonNode *type = json_array_get_element (json_node_get_array (types), j);

          if (JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (type), "Application") == 0)
            for_applications = TRUE;
        }
      if (for_applications)
        g_hash_table_replace (self->role_ids,
                              role_key (resource, ba_json_get_string (role, "value")),
                              g_strdup (ba_json_get_string (role, "id")));
    }

  resolve->next++;
  resolve_next (g_steal_pointer (&task));
}

static void
resolve_next (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Resolve *resolve = g_task_get_task_data (task);
  g_autofree char *path = NULL;
  GCancellable *cancellable;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (resolve->next >= resolve->resources->len)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  path = g_strdup_printf ("/servicePrincipals(appId='%s')?$select=id,appId,displayName,appRoles",
                          (const char *) g_ptr_array_index (resolve->resources, resolve->next));
  cancellable = g_task_get_cancellable (task);
  ba_graph_client_request_async (self->client, "GET", path, NULL, NULL, cancellable,
                                 resolve_cb, g_steal_pointer (&task));
}

/* Looks up, once per provisioner, each resource of @permissions that is not
 * known yet. */
static void
resolve_roles_async (BaProvisioner       *self,
                     const BaPermission  *permissions,
                     guint                n_permissions,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Resolve *resolve = g_new0 (Resolve, 1);

  g_task_set_source_tag (task, resolve_roles_async);
  resolve->resources = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, resolve, resolve_free);

  for (guint i = 0; i < n_permissions; i++)
    {
      const char *resource = permissions[i].resource_app_id;
      gboolean listed = FALSE;

      for (guint j = 0; j < resolve->resources->len; j++)
        listed = listed || g_strcmp0 (g_ptr_array_index (resolve->resources, j), resource) == 0;
      if (!listed && !g_hash_table_contains (self->resource_sp_ids, resource))
        g_ptr_array_add (resolve->resources, g_strdup (resource));
    }

  resolve_next (g_steal_pointer (&task));
}

/* The resolved grants of @permissions, or NULL with an error. */
static GArray *
resolve_roles_finish (BaProvisioner       *self,
                      GAsyncResult        *result,
                      const BaPermission  *permissions,
                      guint                n_permissions,
                      GError             **error)
{
  g_autoptr(GArray) grants = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  grants = g_array_new (FALSE, TRUE, sizeof (Grant));
  g_array_set_clear_func (grants, grant_clear);
  for (guint i = 0; i < n_permissions; i++)
    {
      g_autofree char *key = role_key (permissions[i].resource_app_id, permissions[i].value);
      const char *role_id = g_hash_table_lookup (self->role_ids, key);
      Grant grant;

      if (role_id == NULL)
        {
          g_set_error (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_SERVICE_UNAVAILABLE,
                       /* Translators: the first %s is a permission, the second a service */
                       _("The permission %s of %s is not offered in this tenant. Check the tenant’s subscriptions."),
                       permissions[i].value, resource_display_name (permissions[i].resource_app_id));
          return NULL;
        }
      grant.resource_app_id = g_strdup (permissions[i].resource_app_id);
      grant.resource_sp_id = g_strdup (g_hash_table_lookup (self->resource_sp_ids, permissions[i].resource_app_id));
      grant.role_id = g_strdup (role_id);
      grant.value = g_strdup (permissions[i].value);
      g_array_append_val (grants, grant);
    }

  return g_steal_pointer (&grants);
}

/* -------------------------------------------------------------------------
 * Runs and jobs: create, resume, configure an existing application
 * ------------------------------------------------------------------------- */

typedef enum
{
  RUN_CREATE,
  RUN_RESUME,
  RUN_CONFIGURE,
} RunKind;

typedef struct _Job Job;

typedef struct
{
  GTask *task;               /* borrowed: each job and pending step holds a ref */
  RunKind kind;
  BaCertificate *certificate;
  BaPermission *permissions; /* strings owned by `strings` */
  guint n_permissions;
  GPtrArray *strings;
  GArray *grants;            /* Grant */
  char *name;
  BaApplicationOrigin origin;
  GPtrArray *queue;          /* BaBackupApplication, resume: to continue */
  char *app_id;              /* configure */
  BaBackupApplication *configured;

  guint total;
  guint started;
  guint done;
  guint failed;
  guint in_flight;
  GPtrArray *jobs;           /* Job *, live */
  gboolean stopping;
  gboolean finishing;
  GError *fatal;             /* ends the whole run */
  GError *last_error;        /* of the last failed application */
  GCancellable *cancellable;
  gulong cancelled_id;
} Run;

struct _Job
{
  Run *run;
  GTask *task;               /* owned ref, keeps the run alive */
  BaBackupApplication *app;
  gboolean look_before_create; /* the POST may have been sent already */
  gboolean use_upsert;
  gboolean list_grants;
  GHashTable *existing;      /* "resourceId\nappRoleId" of grants held */
  guint grant_index;
  gint64 step_started_us;
  guint attempt;
  guint timeout_id;
  gboolean stopped;
};

static void
run_free (gpointer data)
{
  Run *run = data;

  g_assert (run->jobs->len == 0);

  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->certificate);
  g_free (run->permissions);
  g_ptr_array_unref (run->strings);
  g_clear_pointer (&run->grants, g_array_unref);
  g_free (run->name);
  g_clear_pointer (&run->queue, g_ptr_array_unref);
  g_free (run->app_id);
  g_clear_object (&run->configured);
  g_ptr_array_unref (run->jobs);
  g_clear_error (&run->fatal);
  g_clear_error (&run->last_error);
  g_free (run);
}

static Run *
run_new (RunKind             kind,
         BaCertificate      *certificate,
         const BaPermission *permissions,
         guint               n_permissions)
{
  Run *run = g_new0 (Run, 1);

  run->kind = kind;
  run->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  run->strings = g_ptr_array_new_with_free_func (g_free);
  run->permissions = g_new0 (BaPermission, MAX (n_permissions, 1));
  run->n_permissions = n_permissions;
  for (guint i = 0; i < n_permissions; i++)
    {
      char *resource = g_strdup (permissions[i].resource_app_id);
      char *value = g_strdup (permissions[i].value);

      g_ptr_array_add (run->strings, resource);
      g_ptr_array_add (run->strings, value);
      run->permissions[i].resource_app_id = resource;
      run->permissions[i].value = value;
    }
  run->jobs = g_ptr_array_new ();

  return run;
}

static void run_pump (Run *run);
static void job_start (Job *job);

static void
job_free (Job *job)
{
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  g_clear_object (&job->app);
  g_clear_pointer (&job->existing, g_hash_table_unref);
  g_clear_object (&job->task);
  g_free (job);
}

static void
emit_step (Job        *job,
           const char *step)
{
  BaProvisioner *self = g_task_get_source_object (job->task);

  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, job->app, step);
}

/* The job leaves the run: finished (ready or failed) or stopped. */
static void
job_end (Job      *job,
         gboolean  finished)
{
  Run *run = job->run;
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(GTask) task = g_object_ref (job->task);

  unlock (self, job->app);
  g_ptr_array_remove (run->jobs, job);
  run->in_flight--;
  if (finished)
    {
      run->done++;
      g_signal_emit (self, signals[PROGRESS], 0, run->done, run->total);
    }
  job_free (job);

  run_pump (run);
}

static void
job_saved_cb (gpointer      data,
              const GError *error)
{
  Job *job = data;
  Run *run = job->run;

  if (error != NULL)
    {
      /* Without a journal, nothing more may be created. */
      if (run->fatal == NULL)
        run->fatal = g_error_new (BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_FAILED,
                                  /* Translators: %s says why the configuration could not be saved */
                                  _("The backup configuration cannot be saved, so no more applications are created: %s"),
                                  error->message);
      run->stopping = TRUE;
      job_end (job, FALSE);
      return;
    }

  job_start (job);
}

static void
job_failed_saved_cb (gpointer      data,
                     const GError *error)
{
  job_end (data, TRUE);
}

/* Records the failure of the application (with its reason) and ends it. */
static void
job_fail (Job    *job,
          GError *error_in)
{
  g_autoptr(GError) error = error_in;
  Run *run = job->run;
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autofree char *reason = describe_failure (self, error);

  g_debug ("%s(): %s: %s", G_STRFUNC,
           ba_backup_application_get_app_id (job->app) ? ba_backup_application_get_app_id (job->app) : "-",
           error->message);

  run->failed++;
  if (g_error_matches (error, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INSUFFICIENT_ROLE))
    {
      /* Every other application would fail the same way. */
      run->stopping = TRUE;
      if (run->fatal == NULL)
        run->fatal = g_error_copy (error);
    }
  g_clear_error (&run->last_error);
  run->last_error = g_steal_pointer (&error);

  ba_backup_application_set_failure_reason (job->app, reason);
  ba_backup_application_set_state (job->app, BA_PROVISIONING_STATE_FAILED);
  journal_save (self, job_failed_saved_cb, job);
}

static void
job_step_done (Job *job)
{
  BaProvisioner *self = g_task_get_source_object (job->task);

  job->attempt = 0;
  job->step_started_us = 0;
  journal_save (self, job_saved_cb, job);
}

static gboolean
job_retry_cb (gpointer data)
{
  Job *job = data;

  job->timeout_id = 0;
  job_start (job);

  return G_SOURCE_REMOVE;
}

/* A fresh object not visible yet: try again after a backoff, for at most
 * the replication timeout of this step. */
static void
job_retry_later (Job    *job,
                 GError *error_in)
{
  g_autoptr(GError) error = error_in;
  BaProvisioner *self = g_task_get_source_object (job->task);
  gint64 now = g_get_monotonic_time ();
  guint delay_ms;

  if (job->step_started_us == 0)
    job->step_started_us = now;
  if (now - job->step_started_us >= (gint64) self->replication_timeout_ms * 1000)
    {
      g_autofree char *reason = describe_failure (self, error);

      job_fail (job, g_error_new (BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_REPLICATION_TIMEOUT,
                                  /* Translators: %s is the last error */
                                  _("A new object stayed invisible in the tenant for too long. Resume later to continue. %s"),
                                  reason));
      return;
    }

  /* 1, 2, 4, 8, then 10 times the base delay (reference §7) */
  delay_ms = self->retry_base_delay_ms * MIN (1u << MIN (job->attempt, 4u), 10u);
  job->attempt++;
  g_debug ("%s(): %s, again in %u ms", G_STRFUNC, error->message, delay_ms);
  job->timeout_id = g_timeout_add (MAX (delay_ms, 1), job_retry_cb, job);
}

/* Step: POST /applications */
static void
create_application_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *app;
  JsonArray *keys;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  app = node_object (node);
  if (app == NULL || ba_json_get_string (app, "id") == NULL || ba_json_get_string (app, "appId") == NULL)
    {
      /* An answer lost on the way may still have created it: look first. */
      job->look_before_create = TRUE;
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAVAILABLE) ||
          g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_THROTTLED))
        {
          /* Transient: find it by its tag, or create it with the same tag. */
          job_retry_later (job, g_steal_pointer (&error));
          return;
        }
      if (error == NULL)
        error = g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                     _("Microsoft Graph sent an answer that could not be read. Try again later."));
      job_fail (job, g_steal_pointer (&error));
      return;
    }

  ba_backup_application_set_object_id (job->app, ba_json_get_string (app, "id"));
  ba_backup_application_set_app_id (job->app, ba_json_get_string (app, "appId"));
  keys = json_object_has_member (app, "keyCredentials") &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (app, "keyCredentials"))
           ? json_object_get_array_member (app, "keyCredentials") : NULL;
  if (keys != NULL && json_array_get_length (keys) == 1)
    ba_backup_application_set_key_id (job->app, ba_json_get_string (json_array_get_object_element (keys, 0), "keyId"));
  ba_backup_application_set_state (job->app, BA_PROVISIONING_STATE_APPLICATION_CREATED);
  job_step_done (job);
}

static JsonNode *
application_body (Run                 *run,
                  BaBackupApplication *app)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, ba_backup_application_get_display_name (app));
  json_builder_set_member_name (builder, "signInAudience");
  json_builder_add_string_value (builder, "AzureADMyOrg");
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, ba_backup_application_get_creation_tag (app));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "keyCredentials");
  json_builder_begin_array (builder);
  json_builder_add_value (builder, key_credential_for (run->certificate));
  json_builder_end_array (builder);

  /* Grouped by resource, in the order of the permissions. */
  json_builder_set_member_name (builder, "requiredResourceAccess");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->grants->len; i++)
    {
      Grant *grant = &g_array_index (run->grants, Grant, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen = seen || g_strcmp0 (g_array_index (run->grants, Grant, j).resource_app_id, grant->resource_app_id) == 0;
      if (seen)
        continue;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "resourceAppId");
      json_builder_add_string_value (builder, grant->resource_app_id);
      json_builder_set_member_name (builder, "resourceAccess");
      json_builder_begin_array (builder);
      for (guint j = i; j < run->grants->len; j++)
        {
          Grant *other = &g_array_index (run->grants, Grant, j);

          if (g_strcmp0 (other->resource_app_id, grant->resource_app_id) != 0)
            continue;
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, other->role_id);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "Role");
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
step_create_application (Job *job)
{
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(JsonNode) body = application_body (job->run, job->app);

  emit_step (job, _("Creating the application…"));
  ba_graph_client_request_async (self->client, "POST", "/applications", body, NULL,
                                 NULL, create_application_cb, job);
}

/* Step: find an application whose creation answer was lost, by its tag */
static void
find_by_tag_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Job *job = user_data;
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(JsonArray) found = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *app;

  found = ba_graph_client_get_all_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (found == NULL)
    {
      job_fail (job, g_steal_pointer (&error));
      return;
    }

  job->look_before_create = FALSE;
  if (json_array_get_length (found) == 0)
    {
      /* Never created: create it now, with the same tag. */
      if (job->run->stopping)
        {
          job_end (job, FALSE);
          return;
        }
      step_create_application (job);
      return;
    }

  /* A request resent after a lost answer may have made more than one:
   * each is recorded, so that a later resume completes it or a delete
   * removes it; none is left unknown. */
  for (guint i = 1; i < json_array_get_length (found); i++)
    {
      JsonObject *extra = json_array_get_object_element (found, i);
      g_autoptr(BaBackupApplication) twin = NULL;

      if (ba_json_get_string (extra, "id") == NULL || ba_json_get_string (extra, "appId") == NULL ||
          ba_organization_find_application (self->organization, ba_json_get_string (extra, "appId")) != NULL)
        continue;
      g_debug ("%s(): %u applications carry one creation tag", G_STRFUNC, json_array_get_length (found));
      twin = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                           "app-id", ba_json_get_string (extra, "appId"),
                           "object-id", ba_json_get_string (extra, "id"),
                           "display-name", ba_backup_application_get_display_name (job->app),
                           "origin", ba_backup_application_get_origin (job->app),
                           "certificate-thumbprint", ba_backup_application_get_certificate_thumbprint (job->app),
                           "certificate-expiry", ba_backup_application_get_certificate_expiry (job->app),
                           "creation-tag", ba_backup_application_get_creation_tag (job->app),
                           "state", BA_PROVISIONING_STATE_APPLICATION_CREATED,
                           NULL);
      ba_organization_add_application (self->organization, twin);
    }

  app = json_array_get_object_element (found, 0);
  if (app == NULL || ba_json_get_string (app, "id") == NULL || ba_json_get_string (app, "appId") == NULL)
    {
      job_fail (job, g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                          _("Microsoft Graph sent an answer that could not be read. Try again later.")));
      return;
    }
  ba_backup_application_set_object_id (job->app, ba_json_get_string (app, "id"));
  ba_backup_application_set_app_id (job->app, ba_json_get_string (app, "appId"));
  ba_backup_application_set_state (job->app, BA_PROVISIONING_STATE_APPLICATION_CREATED);
  job->use_upsert = TRUE;
  job->list_grants = TRUE;
  job_step_done (job);
}

static void
step_find_by_tag (Job *job)
{
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autofree char *filter = g_strdup_printf ("tags/any(t:t eq '%s')", ba_backup_application_get_creation_tag (job->app));
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/applications?$filter=%s&$select=id,appId,displayName", escaped);

  emit_step (job, _("Looking for the application…"));
  ba_graph_client_get_all_async (self->client, path, NULL, NULL, NULL, NULL, find_by_tag_cb, job);
}

/* Step: the service principal */
static void
set_service_principal (Job        *job,
                       const char *id)
{
  ba_backup_application_set_service_principal_id (job->app, id);
  ba_backup_application_set_state (job->app, BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED);
  job_step_done (job);
}

static void
read_service_principal_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  id = ba_json_get_string (node_object (node), "id");
  if (id == NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        job_retry_later (job, g_steal_pointer (&error));
      else
        job_fail (job, error != NULL ? g_steal_pointer (&error)
                                     : g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                                            _("Microsoft Graph sent an answer that could not be read. Try again later.")));
      return;
    }

  set_service_principal (job, id);
}

static void
create_service_principal_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  Job *job = user_data;
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NO_BACKING_APPLICATION) ||
          g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        {
          job_retry_later (job, g_steal_pointer (&error));
        }
      else if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_CONFLICT))
        {
          /* It exists already (an answer lost on the way): read it back. */
          job->use_upsert = TRUE;
          job->list_grants = TRUE;
          job_start (job);
        }
      else if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAVAILABLE) ||
               g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_THROTTLED))
        {
          /* It may or may not have been created: only the upsert is safe. */
          job->use_upsert = TRUE;
          job->list_grants = TRUE;
          job_retry_later (job, g_steal_pointer (&error));
        }
      else
        job_fail (job, g_steal_pointer (&error));
      return;
    }

  id = ba_json_get_string (node_object (node), "id");
  if (id == NULL)
    {
      /* 204 from the upsert: it existed; its id needs a read. */
      g_autofree char *path = g_strdup_printf ("/servicePrincipals(appId='%s')?$select=id",
                                               ba_backup_application_get_app_id (job->app));

      job->list_grants = TRUE;
      ba_graph_client_request_async (self->client, "GET", path, NULL, NULL, NULL,
                                     read_service_principal_cb, job);
      return;
    }

  set_service_principal (job, id);
}

static void
step_service_principal (Job *job)
{
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  emit_step (job, _("Creating the service principal…"));
  json_builder_begin_object (builder);
  if (job->use_upsert)
    {
      g_autofree char *path = g_strdup_printf ("/servicePrincipals(appId='%s')",
                                               ba_backup_application_get_app_id (job->app));
      g_autoptr(GHashTable) headers = upsert_headers ();

      json_builder_set_member_name (builder, "displayName");
      json_builder_add_string_value (builder, ba_backup_application_get_display_name (job->app));
      json_builder_end_object (builder);
      body = json_builder_get_root (builder);
      ba_graph_client_request_async (self->client, "PATCH", path, body, headers, NULL,
                                     create_service_principal_cb, job);
      return;
    }

  json_builder_set_member_name (builder, "appId");
  json_builder_add_string_value (builder, ba_backup_application_get_app_id (job->app));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  ba_graph_client_request_async (self->client, "POST", "/servicePrincipals", body, NULL, NULL,
                                 create_service_principal_cb, job);
}

/* Step: the app role grants */
static void step_grant (Job *job);

static void
list_grants_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(JsonArray) grants = NULL;
  g_autoptr(GError) error = NULL;

  grants = ba_graph_client_get_all_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (grants == NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        job_retry_later (job, g_steal_pointer (&error));
      else
        job_fail (job, g_steal_pointer (&error));
      return;
    }

  job->step_started_us = 0;
  job->attempt = 0;
  job->list_grants = FALSE;
  g_clear_pointer (&job->existing, g_hash_table_unref);
  job->existing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (grants); i++)
    {
      JsonObject *grant = json_array_get_object_element (grants, i);
      const char *resource = ba_json_get_string (grant, "resourceId");
      const char *role = ba_json_get_string (grant, "appRoleId");

      if (resource != NULL && role != NULL)
        g_hash_table_add (job->existing, role_key (resource, role));
    }

  step_grant (job);
}

static void
grant_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Job *job = user_data;
  BaProvisioner *self = g_task_get_source_object (job->task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_BAD_REQUEST) &&
          last_failure_mentions (self, "already exists"))
        {
          /* A duplicate slipped through: it is granted. */
        }
      else if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND) ||
               (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_BAD_REQUEST) &&
                (last_failure_mentions (self, "does not exist") || last_failure_mentions (self, "not present"))))
        {
          job_retry_later (job, g_steal_pointer (&error));
          return;
        }
      else if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_UNAVAILABLE) ||
               g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_THROTTLED))
        {
          /* The client does not resend a POST whose outcome is unknown;
           * granting again is safe, a done grant answers "already exists". */
          job_retry_later (job, g_steal_pointer (&error));
          return;
        }
      else if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_FORBIDDEN))
        {
          g_autofree char *detail = describe_failure (self, error);

          job_fail (job, g_error_new (BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INSUFFICIENT_ROLE,
                                      /* Translators: %s is the technical detail */
                                      _("Your account cannot grant these permissions. Granting Microsoft Graph permissions needs the Global Administrator or Privileged Role Administrator role: sign in with such an account, or ask an administrator to grant them. %s"),
                                      detail));
          return;
        }
      else
        {
          job_fail (job, g_steal_pointer (&error));
          return;
        }
    }

  job->step_started_us = 0;
  job->attempt = 0;
  job->grant_index++;
  step_grant (job);
}

static void
step_grant (Job *job)
{
  BaProvisioner *self = g_task_get_source_object (job->task);
  Run *run = job->run;
  const char *principal = ba_backup_application_get_service_principal_id (job->app);

  if (job->list_grants)
    {
      g_autofree char *path = g_strdup_printf ("/servicePrincipals/%s/appRoleAssignments", principal);

      emit_step (job, _("Reading the granted permissions…"));
      ba_graph_client_get_all_async (self->client, path, NULL, NULL, NULL, NULL, list_grants_cb, job);
      return;
    }

  for (; job->grant_index < run->grants->len; job->grant_index++)
    {
      Grant *grant = &g_array_index (run->grants, Grant, job->grant_index);
      g_autofree char *key = role_key (grant->resource_sp_id, grant->role_id);

      if (job->existing == NULL || !g_hash_table_contains (job->existing, key))
        break;
    }

  if (job->grant_index >= run->grants->len)
    {
      ba_backup_application_set_failure_reason (job->app, NULL);
      ba_backup_application_set_state (job->app, BA_PROVISIONING_STATE_READY);
      job_step_done (job);
      return;
    }

  if (run->stopping)
    {
      job_end (job, FALSE);
      return;
    }

  {
    Grant *grant = &g_array_index (run->grants, Grant, job->grant_index);
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) body = NULL;
    g_autofree char *path = g_strdup_printf ("/servicePrincipals/%s/appRoleAssignedTo", grant->resource_sp_id);
    /* Translators: %s is a permission, e.g. Sites.FullControl.All */
    g_autofree char *step = g_strdup_printf (_("Granting %s…"), grant->value);

    emit_step (job, step);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "principalId");
    json_builder_add_string_value (builder, principal);
    json_builder_set_member_name (builder, "resourceId");
    json_builder_add_string_value (builder, grant->resource_sp_id);
    json_builder_set_member_name (builder, "appRoleId");
    json_builder_add_string_value (builder, grant->role_id);
    json_builder_end_object (builder);
    body = json_builder_get_root (builder);
    ba_graph_client_request_async (self->client, "POST", path, body, NULL, NULL, grant_cb, job);
  }
}

/* Continues the application from what is recorded. */
static void
job_start (Job *job)
{
  BaBackupApplication *app = job->app;

  if (ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_READY)
    {
      job_end (job, TRUE);
      return;
    }

  if (job->run->stopping)
    {
      job_end (job, FALSE);
      return;
    }

  if (ba_backup_application_get_object_id (app) == NULL || ba_backup_application_get_app_id (app) == NULL)
    {
      if (job->look_before_create)
        step_find_by_tag (job);
      else
        step_create_application (job);
    }
  else if (ba_backup_application_get_service_principal_id (app) == NULL)
    step_service_principal (job);
  else
    step_grant (job);
}

static gboolean
run_finish_idle_cb (gpointer data)
{
  GTask *task = data; /* the source holds it */
  BaProvisioner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->kind != RUN_CONFIGURE)
    self->run_active = FALSE;

  if (run->fatal != NULL)
    g_task_return_error (task, g_error_copy (run->fatal));
  else if (g_cancellable_is_cancelled (run->cancellable))
    g_task_return_error_if_cancelled (task);
  else if (run->kind == RUN_CONFIGURE && run->last_error != NULL)
    g_task_return_error (task, g_error_copy (run->last_error));
  else if (run->kind == RUN_CONFIGURE)
    g_task_return_pointer (task, g_object_ref (run->configured), g_object_unref);
  else if (run->failed > 0)
    g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_SOME_FAILED,
                             /* Translators: %u of %u applications */
                             _("%u of %u applications could not be completed. Their failure reasons are in the list; resume to try them again."),
                             run->failed, run->total);
  else
    g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

static gboolean
run_cancelled_idle_cb (gpointer data)
{
  GTask *task = data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) waiting = g_ptr_array_new ();

  run->stopping = TRUE;
  /* Jobs waiting for replication stop now; those with a request in
   * flight stop when it is answered and recorded. */
  for (guint i = 0; i < run->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (run->jobs, i);

      if (job->timeout_id != 0)
        g_ptr_array_add (waiting, job);
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      Job *job = g_ptr_array_index (waiting, i);

      g_clear_handle_id (&job->timeout_id, g_source_remove);
      job_end (job, FALSE);
    }

  return G_SOURCE_REMOVE;
}

static void
on_cancelled_cb (GCancellable *cancellable,
                 GTask        *task)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, run_cancelled_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
job_begin (Run                 *run,
           BaBackupApplication *app,
           gboolean             resuming)
{
  BaProvisioner *self = g_task_get_source_object (run->task);
  Job *job = g_new0 (Job, 1);

  job->run = run;
  job->task = g_object_ref (run->task);
  job->app = g_object_ref (app);
  job->look_before_create = resuming;
  job->use_upsert = resuming;
  job->list_grants = resuming;
  g_ptr_array_add (run->jobs, job);
  run->in_flight++;
  run->started++;

  if (g_list_store_find (self->run, app, NULL) == FALSE)
    g_list_store_append (self->run, app);

  if (run->kind == RUN_CREATE)
    {
      g_autofree char *tag = new_creation_tag ();

      /* The journal knows of it before the request that creates it is sent. */
      try_lock (self, app);
      ba_backup_application_set_creation_tag (app, tag);
      ba_backup_application_set_state (app, BA_PROVISIONING_STATE_CREATING);
      ba_organization_add_application (self->organization, app);
      emit_step (job, _("Recording the application…"));
      journal_save (self, job_saved_cb, job);
      return;
    }

  job_start (job);
}

static void
run_pump (Run *run)
{
  BaProvisioner *self = g_task_get_source_object (run->task);

  while (!run->stopping && run->in_flight < self->concurrency && run->started < run->total)
    {
      if (run->kind == RUN_CREATE)
        {
          g_autoptr(BaBackupApplication) app = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                                                             "display-name", run->name,
                                                             "origin", run->origin,
                                                             "certificate-thumbprint", ba_certificate_get_sha1_thumbprint (run->certificate),
                                                             "certificate-expiry", ba_certificate_get_not_after (run->certificate),
                                                             NULL);

          job_begin (run, app, FALSE);
        }
      else
        {
          BaBackupApplication *app = g_ptr_array_index (run->queue, run->started);

          if (!try_lock (self, app))
            {
              /* Another operation works on it: leave it for a later resume. */
              run->started++;
              run->done++;
              continue;
            }
          job_begin (run, app, TRUE);
        }
    }

  if (!run->finishing && run->in_flight == 0 && (run->stopping || run->started >= run->total))
    {
      GSource *source;

      if (run->cancelled_id != 0)
        {
          g_cancellable_disconnect (run->cancellable, run->cancelled_id);
          run->cancelled_id = 0;
        }
      /* Finish outside of the job callbacks that got here. */
      source = g_idle_source_new ();
      g_source_set_callback (source, run_finish_idle_cb, g_object_ref (run->task), g_object_unref);
      g_source_attach (source, g_task_get_context (run->task));
      g_source_unref (source);
      run->finishing = TRUE;
      run->stopping = TRUE;
    }
}

static void
run_resolved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = BA_PROVISIONER (object);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  run->grants = resolve_roles_finish (self, result, run->permissions, run->n_permissions, &error);
  if (run->grants == NULL)
    {
      if (run->kind != RUN_CONFIGURE)
        self->run_active = FALSE;
      if (run->kind == RUN_CONFIGURE && run->configured != NULL)
        unlock (self, run->configured);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (run->kind == RUN_CONFIGURE)
    return; /* continued by the configure steps */

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      self->run_active = FALSE;
      g_task_return_error_if_cancelled (task);
      return;
    }

  if (run->cancellable != NULL)
    run->cancelled_id = g_cancellable_connect (run->cancellable, G_CALLBACK (on_cancelled_cb), task, NULL);
  run_pump (run);
}

static void
run_start (BaProvisioner *self,
           GTask         *task)
{
  Run *run = g_task_get_task_data (task);

  run->task = task;
  run->cancellable = g_task_get_cancellable (task) != NULL ? g_object_ref (g_task_get_cancellable (task)) : NULL;
  g_list_store_remove_all (self->run);
  resolve_roles_async (self, run->permissions, run->n_permissions, run->cancellable,
                       run_resolved_cb, g_object_ref (task));
}

/* -------------------------------------------------------------------------
 * configure_existing
 * ------------------------------------------------------------------------- */

static void
configure_continue (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  Job *job;

  /* From here it is an application whose service principal and grants
   * may or may not exist: continue as a resume does. */
  if (ba_organization_find_application (self->organization, run->app_id) == NULL)
    ba_organization_add_application (self->organization, run->configured);

  run->total = 1;
  run->started = 1;
  run->in_flight = 1;
  job = g_new0 (Job, 1);
  job->run = run;
  job->task = g_object_ref (task);
  job->app = g_object_ref (run->configured);
  job->use_upsert = TRUE;
  job->list_grants = TRUE;
  g_ptr_array_add (run->jobs, job);
  /* The lock taken at the start is released by job_end (). */
  journal_save (self, job_saved_cb, job);
}

static void
configure_patched_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      unlock (self, run->configured);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  configure_continue (g_steal_pointer (&task));
}

static void
configure_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) keys = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  const char *thumbprint = ba_certificate_get_sha1_thumbprint (run->certificate);
  BaBackupApplication *app = run->configured;
  JsonObject *object_read;
  JsonArray *read_keys = NULL;
  gboolean present = FALSE;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  object_read = node_object (node);
  if (object_read == NULL || ba_json_get_string (object_read, "id") == NULL)
    {
      unlock (self, app);
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND,
                                 /* Translators: %s is an application id */
                                 _("There is no application with the ID %s in this tenant. Check the ID."),
                                 run->app_id);
      else if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                 _("Microsoft Graph sent an answer that could not be read. Try again later."));
      return;
    }

  ba_backup_application_set_object_id (app, ba_json_get_string (object_read, "id"));
  if (ba_json_get_string (object_read, "displayName") != NULL)
    ba_backup_application_set_display_name (app, ba_json_get_string (object_read, "displayName"));
  ba_backup_application_set_certificate_thumbprint (app, thumbprint);
  ba_backup_application_set_certificate_expiry (app, ba_certificate_get_not_after (run->certificate));
  if (ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_READY ||
      ba_backup_application_get_state (app) == BA_PROVISIONING_STATE_CREATING)
    ba_backup_application_set_state (app, BA_PROVISIONING_STATE_APPLICATION_CREATED);

  /* Every key as read, ours added unless it is there (§6.9). */
  if (json_object_has_member (object_read, "keyCredentials") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object_read, "keyCredentials")))
    read_keys = json_object_get_array_member (object_read, "keyCredentials");
  keys = json_array_new ();
  for (guint i = 0; read_keys != NULL && i < json_array_get_length (read_keys); i++)
    {
      JsonNode *key = json_array_get_element (read_keys, i);

      if (credential_is_certificate (node_object (key), thumbprint))
        {
          present = TRUE;
          ba_backup_application_set_key_id (app, ba_json_get_string (node_object (key), "keyId"));
        }
      json_array_add_element (keys, json_node_copy (key));
    }

  if (present)
    {
      configure_continue (g_steal_pointer (&task));
      return;
    }

  json_array_add_element (keys, key_credential_for (run->certificate));
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keyCredentials");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), keys));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  path = g_strdup_printf ("/applications/%s", ba_json_get_string (object_read, "id"));
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, app, _("Adding the certificate…"));
  ba_graph_client_request_async (self->client, "PATCH", path, body, NULL, NULL,
                                 configure_patched_cb, g_steal_pointer (&task));
}

static void
configure_resolved_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = BA_PROVISIONER (object);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  run->grants = resolve_roles_finish (self, result, run->permissions, run->n_permissions, &error);
  if (run->grants == NULL)
    {
      unlock (self, run->configured);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  path = g_strdup_printf ("/applications(appId='%s')?$select=id,appId,displayName,keyCredentials", run->app_id);
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, run->configured, _("Reading the application…"));
  ba_graph_client_request_async (self->client, "GET", path, NULL, NULL, run->cancellable,
                                 configure_read_cb, g_steal_pointer (&task));
}

/* -------------------------------------------------------------------------
 * update_certificate
 * ------------------------------------------------------------------------- */

typedef struct
{
  BaBackupApplication *app;
  BaCertificate *certificate;
  /* The certificate the application keeps: the new one, or, when only a
   * previous one is removed, the one it is recorded to use */
  char *current_thumbprint;
  char *old_thumbprint;
  char *old_key_id;
  gboolean remove_old;
  gint64 verify_started_us;
  guint attempt;
  guint timeout_id;
  char *verification_error;
} Update;

static void
update_free (gpointer data)
{
  Update *update = data;

  g_clear_handle_id (&update->timeout_id, g_source_remove);
  g_clear_object (&update->app);
  g_clear_object (&update->certificate);
  g_free (update->current_thumbprint);
  g_free (update->old_thumbprint);
  g_free (update->old_key_id);
  g_free (update->verification_error);
  g_free (update);
}

static void
update_return_error (GTask  *task,
                     GError *error)
{
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);

  unlock (self, update->app);
  g_task_return_error (task, error);
}

static char *
application_path (BaBackupApplication *app,
                  const char          *query)
{
  if (ba_backup_application_get_object_id (app) != NULL)
    return g_strdup_printf ("/applications/%s%s", ba_backup_application_get_object_id (app), query);

  return g_strdup_printf ("/applications(appId='%s')%s", ba_backup_application_get_app_id (app), query);
}

/* The keys of an application read with $select=keyCredentials, or NULL. */
static JsonArray *
read_keys (JsonNode *node)
{
  JsonObject *object = node_object (node);

  if (object == NULL || !json_object_has_member (object, "keyCredentials") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "keyCredentials")))
    return NULL;

  return json_object_get_array_member (object, "keyCredentials");
}

static JsonNode *
key_credentials_body (JsonArray *keys)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keyCredentials");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), keys));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
update_done_saved_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  unlock (self, update->app);
  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
update_removed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      update_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  ba_store_save_async (self->store, NULL, update_done_saved_cb, g_steal_pointer (&task));
}

static void
update_reread_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) kept = json_array_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  const char *thumbprint = update->current_thumbprint;
  JsonArray *keys;
  gboolean removed = FALSE;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  keys = read_keys (node);
  if (keys == NULL)
    {
      update_return_error (g_steal_pointer (&task),
                           error != NULL ? g_steal_pointer (&error)
                                         : g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                                                _("Microsoft Graph sent an answer that could not be read. Try again later.")));
      return;
    }

  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);

      if (credential_is_certificate (key, thumbprint))
        ba_backup_application_set_key_id (update->app, ba_json_get_string (key, "keyId"));
      else if (credential_is_certificate (key, update->old_thumbprint) ||
               (update->old_key_id != NULL && g_strcmp0 (ba_json_get_string (key, "keyId"), update->old_key_id) == 0))
        {
          removed = TRUE;
          continue;
        }
      json_array_add_element (kept, json_node_copy (json_array_get_element (keys, i)));
    }

  if (!removed)
    {
      ba_store_save_async (self->store, NULL, update_done_saved_cb, g_steal_pointer (&task));
      return;
    }

  body = key_credentials_body (kept);
  path = application_path (update->app, "");
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, update->app, _("Removing the previous certificate…"));
  ba_graph_client_request_async (self->client, "PATCH", path, body, NULL, NULL,
                                 update_removed_cb, g_steal_pointer (&task));
}

static void
update_recorded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    {
      update_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (!update->remove_old || (update->old_thumbprint == NULL && update->old_key_id == NULL))
    {
      unlock (self, update->app);
      g_task_return_boolean (task, TRUE);
      return;
    }

  path = application_path (update->app, "?$select=id,appId,keyCredentials");
  ba_graph_client_request_async (self->client, "GET", path, NULL, NULL, NULL,
                                 update_reread_cb, g_steal_pointer (&task));
}

static void update_verify (GTask *task);

static gboolean
update_verify_again_cb (gpointer data)
{
  GTask *task = data;
  Update *update = g_task_get_task_data (task);

  update->timeout_id = 0;
  update_verify (g_object_ref (task));

  return G_SOURCE_REMOVE;
}

static void
update_verified_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autoptr(BaAppSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;

  sign_in = ba_app_sign_in_verify_finish (result, &error);
  if (sign_in == NULL)
    {
      if (g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_CERTIFICATE_REJECTED) ||
          g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_APPLICATION_NOT_FOUND))
        {
          gint64 elapsed = g_get_monotonic_time () - update->verify_started_us;

          if (g_task_return_error_if_cancelled (task))
            {
              unlock (self, update->app);
              return;
            }
          /* A new key takes a while to be accepted everywhere (§7). */
          if (elapsed < (gint64) self->replication_timeout_ms * 1000)
            {
              guint delay_ms = self->retry_base_delay_ms * MIN (1u << MIN (update->attempt, 4u), 10u);

              update->attempt++;
              g_debug ("%s(): %s, again in %u ms", G_STRFUNC, error->message, delay_ms);
              update->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay_ms, 1),
                                                       update_verify_again_cb,
                                                       g_steal_pointer (&task), g_object_unref);
              return;
            }
        }

      if (!g_error_matches (error, BA_IDENTITY_ERROR, BA_IDENTITY_ERROR_MISSING_PERMISSION))
        {
          /* The new key stays: it is harmless, and the old one still works. */
          update_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }
      /* A token was issued: the certificate works; the permissions are
       * another matter, which the record says. */
      update->verification_error = g_strdup (error->message);
    }

  now = g_date_time_new_now_utc ();
  ba_backup_application_set_certificate_thumbprint (update->app, ba_certificate_get_sha1_thumbprint (update->certificate));
  ba_backup_application_set_certificate_expiry (update->app, ba_certificate_get_not_after (update->certificate));
  ba_backup_application_set_last_verified (update->app, now);
  ba_backup_application_set_verification_error (update->app, update->verification_error);
  if (update->old_thumbprint != NULL)
    ba_backup_application_set_key_id (update->app, NULL);
  ba_store_save_async (self->store, NULL, update_recorded_cb, g_steal_pointer (&task));
}

static void
update_verify (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (update->verify_started_us == 0)
    update->verify_started_us = g_get_monotonic_time ();
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, update->app, _("Signing in with the new certificate…"));
  ba_app_sign_in_verify_async (ba_graph_client_get_cloud (self->client),
                               ba_organization_get_tenant_id (self->organization),
                               ba_backup_application_get_app_id (update->app),
                               update->certificate, NULL, cancellable,
                               update_verified_cb, g_steal_pointer (&task));
}

static void
update_patched_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL)
    {
      update_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  update_verify (g_steal_pointer (&task));
}

static void
update_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) keys = json_array_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  const char *thumbprint = ba_certificate_get_sha1_thumbprint (update->certificate);
  JsonArray *existing;
  gboolean present = FALSE;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  existing = read_keys (node);
  if (existing == NULL)
    {
      if (g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
        update_return_error (g_steal_pointer (&task),
                             g_error_new (BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND,
                                          _("There is no application with the ID %s in this tenant. Check the ID."),
                                          ba_backup_application_get_app_id (update->app)));
      else
        update_return_error (g_steal_pointer (&task),
                             error != NULL ? g_steal_pointer (&error)
                                           : g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                                                  _("Microsoft Graph sent an answer that could not be read. Try again later.")));
      return;
    }

  if (ba_backup_application_get_object_id (update->app) == NULL)
    ba_backup_application_set_object_id (update->app, ba_json_get_string (node_object (node), "id"));

  for (guint i = 0; i < json_array_get_length (existing); i++)
    {
      JsonNode *key = json_array_get_element (existing, i);

      present = present || credential_is_certificate (node_object (key), thumbprint);
      json_array_add_element (keys, json_node_copy (key));
    }

  if (present)
    {
      update_verify (g_steal_pointer (&task));
      return;
    }

  json_array_add_element (keys, key_credential_for (update->certificate));
  body = key_credentials_body (keys);
  path = application_path (update->app, "");
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, update->app, _("Adding the certificate…"));
  ba_graph_client_request_async (self->client, "PATCH", path, body, NULL, NULL,
                                 update_patched_cb, g_steal_pointer (&task));
}

/* -------------------------------------------------------------------------
 * delete
 * ------------------------------------------------------------------------- */

typedef struct
{
  BaBackupApplication *app;
  char *app_id;
  char *object_id;
} Delete;

static void
delete_free (gpointer data)
{
  Delete *delete = data;

  g_clear_object (&delete->app);
  g_free (delete->app_id);
  g_free (delete->object_id);
  g_free (delete);
}

static void
delete_fail (GTask  *task,
             GError *error)
{
  BaProvisioner *self = g_task_get_source_object (task);
  Delete *delete = g_task_get_task_data (task);

  unlock (self, delete->app);
  g_task_return_error (task, error);
}

static void
delete_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_store_save_finish (BA_STORE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
delete_forget (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Delete *delete = g_task_get_task_data (task);

  unlock (self, delete->app);
  ba_organization_remove_application (self->organization, delete->app);
  ba_store_save_async (self->store, NULL, delete_saved_cb, g_steal_pointer (&task));
}

static void
delete_application_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL && !g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
    {
      delete_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  /* Gone from the tenant (a 404 too: an earlier try may have deleted it
   * and lost the answer). The admin keeps a record of what went, saved in
   * the same write that takes it out of the pool; Entra ID can restore it
   * for a while, by its object id. */
  {
    BaProvisioner *self = g_task_get_source_object (task);
    Delete *delete = g_task_get_task_data (task);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(BaDeletedApplication) record = NULL;

    record = ba_deleted_application_new (delete->app_id,
                                         delete->object_id != NULL ? delete->object_id
                                                                   : ba_backup_application_get_object_id (delete->app),
                                         ba_backup_application_get_display_name (delete->app),
                                         now);
    ba_organization_add_deleted_application (self->organization, record);
  }

  delete_forget (g_steal_pointer (&task));
}

static void
delete_service_principal_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaProvisioner *self = g_task_get_source_object (task);
  Delete *delete = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  node = ba_graph_client_request_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (error != NULL && !g_error_matches (error, BA_GRAPH_ERROR, BA_GRAPH_ERROR_NOT_FOUND))
    {
      delete_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  if (delete->object_id != NULL)
    path = g_strdup_printf ("/applications/%s", delete->object_id);
  else
    path = g_strdup_printf ("/applications(appId='%s')", delete->app_id);
  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, delete->app, _("Deleting the application…"));
  ba_graph_client_request_async (self->client, "DELETE", path, NULL, NULL, NULL,
                                 delete_application_cb, g_steal_pointer (&task));
}

static void
delete_in_tenant (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Delete *delete = g_task_get_task_data (task);
  g_autofree char *path = g_strdup_printf ("/servicePrincipals(appId='%s')", delete->app_id);

  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, delete->app, _("Deleting the service principal…"));
  ba_graph_client_request_async (self->client, "DELETE", path, NULL, NULL, NULL,
                                 delete_service_principal_cb, g_steal_pointer (&task));
}

static void
delete_found_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Delete *delete = g_task_get_task_data (task);
  g_autoptr(JsonArray) found = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *app;

  found = ba_graph_client_get_all_finish (BA_GRAPH_CLIENT (object), result, &error);
  if (found == NULL)
    {
      delete_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }
  if (json_array_get_length (found) == 0)
    {
      /* Never created: only the record goes. */
      delete_forget (g_steal_pointer (&task));
      return;
    }

  app = json_array_get_object_element (found, 0);
  delete->object_id = g_strdup (ba_json_get_string (app, "id"));
  delete->app_id = g_strdup (ba_json_get_string (app, "appId"));
  if (delete->app_id == NULL)
    {
      delete_fail (g_steal_pointer (&task),
                   g_error_new_literal (BA_GRAPH_ERROR, BA_GRAPH_ERROR_INVALID_RESPONSE,
                                        _("Microsoft Graph sent an answer that could not be read. Try again later.")));
      return;
    }
  delete_in_tenant (g_steal_pointer (&task));
}

/* -------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------- */

static void
ba_provisioner_dispose (GObject *object)
{
  BaProvisioner *self = (BaProvisioner *) object;

  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->organization);
  if (self->run != NULL)
    g_list_store_remove_all (self->run);

  G_OBJECT_CLASS (ba_provisioner_parent_class)->dispose (object);
}

static void
ba_provisioner_finalize (GObject *object)
{
  BaProvisioner *self = (BaProvisioner *) object;

  g_clear_object (&self->run);
  g_clear_pointer (&self->resource_sp_ids, g_hash_table_unref);
  g_clear_pointer (&self->role_ids, g_hash_table_unref);
  g_clear_pointer (&self->busy, g_hash_table_unref);
  g_clear_pointer (&self->save_waiters, g_array_unref);
  g_clear_pointer (&self->saving_waiters, g_array_unref);

  G_OBJECT_CLASS (ba_provisioner_parent_class)->finalize (object);
}

static void
ba_provisioner_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BaProvisioner *self = BA_PROVISIONER (object);

  switch (prop_id)
    {
    case PROP_CONCURRENCY:
      g_value_set_uint (value, self->concurrency);
      break;

    case PROP_REPLICATION_TIMEOUT:
      g_value_set_uint (value, self->replication_timeout_ms);
      break;

    case PROP_RETRY_BASE_DELAY:
      g_value_set_uint (value, self->retry_base_delay_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_provisioner_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BaProvisioner *self = BA_PROVISIONER (object);

  switch (prop_id)
    {
    case PROP_CONCURRENCY:
      ba_provisioner_set_concurrency (self, g_value_get_uint (value));
      break;

    case PROP_REPLICATION_TIMEOUT:
      ba_provisioner_set_replication_timeout (self, g_value_get_uint (value));
      break;

    case PROP_RETRY_BASE_DELAY:
      ba_provisioner_set_retry_base_delay (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_provisioner_class_init (BaProvisionerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_provisioner_dispose;
  object_class->finalize = ba_provisioner_finalize;
  object_class->get_property = ba_provisioner_get_property;
  object_class->set_property = ba_provisioner_set_property;

  properties[PROP_CONCURRENCY] =
    g_param_spec_uint ("concurrency", NULL, NULL,
                       1, 16, 4,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_REPLICATION_TIMEOUT] =
    g_param_spec_uint ("replication-timeout", NULL, NULL,
                       0, G_MAXUINT, 180000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RETRY_BASE_DELAY] =
    g_param_spec_uint ("retry-base-delay", NULL, NULL,
                       1, G_MAXUINT, 1000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[APPLICATION_PROGRESS] =
    g_signal_new ("application-progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, BA_TYPE_BACKUP_APPLICATION, G_TYPE_STRING);

  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
ba_provisioner_init (BaProvisioner *self)
{
  self->concurrency = 4;
  self->replication_timeout_ms = 180000;
  self->retry_base_delay_ms = 1000;
  self->run = g_list_store_new (BA_TYPE_BACKUP_APPLICATION);
  self->resource_sp_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->role_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->busy = g_hash_table_new (NULL, NULL);
  self->save_waiters = g_array_new (FALSE, FALSE, sizeof (SaveWaiter));
}

/* -------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------- */

/**
 * ba_permissions_for_backup_application:
 * @cloud: the cloud of the organization
 * @n_permissions: (out): the number of permissions
 *
 * Returns: (transfer none): what a backup application of the pool needs
 */
const BaPermission *
ba_permissions_for_backup_application (BaCloudKind  cloud,
                                       guint       *n_permissions)
{
  g_return_val_if_fail (n_permissions != NULL, NULL);

  if (cloud == BA_CLOUD_KIND_CHINA)
    {
      *n_permissions = G_N_ELEMENTS (backup_application_permissions_china);
      return backup_application_permissions_china;
    }

  *n_permissions = G_N_ELEMENTS (backup_application_permissions);
  return backup_application_permissions;
}

static void
add_permission (GArray     *array,
                const char *resource_app_id,
                const char *value)
{
  BaPermission permission = { resource_app_id, value };

  for (guint i = 0; i < array->len; i++)
    {
      BaPermission *p = &g_array_index (array, BaPermission, i);

      if (g_strcmp0 (p->resource_app_id, resource_app_id) == 0 && g_strcmp0 (p->value, value) == 0)
        return;
    }
  g_array_append_val (array, permission);
}

/**
 * ba_permissions_for_services:
 * @services: the services backed up
 * @cloud: the cloud of the organization
 * @n_permissions: (out): the number of permissions
 *
 * Returns: (transfer full): the permissions (free with g_free (); the
 *   strings are static)
 */
BaPermission *
ba_permissions_for_services (BaServices   services,
                             BaCloudKind  cloud,
                             guint       *n_permissions)
{
  g_autoptr(GArray) array = g_array_new (FALSE, TRUE, sizeof (BaPermission));
  gboolean teams = (services & (BA_SERVICE_TEAMS | BA_SERVICE_TEAMS_CHATS)) != 0;

  g_return_val_if_fail (n_permissions != NULL, NULL);

  /* veeam-wizards §2.3: organization, users and groups for every service */
  add_permission (array, BA_RESOURCE_GRAPH, "Directory.Read.All");
  add_permission (array, BA_RESOURCE_GRAPH, "Group.Read.All");
  if ((services & BA_SERVICE_SHAREPOINT) != 0 || teams)
    add_permission (array, BA_RESOURCE_GRAPH, cloud == BA_CLOUD_KIND_CHINA ? "Sites.ReadWrite.All" : "Sites.Read.All");
  if (teams)
    {
      add_permission (array, BA_RESOURCE_GRAPH, "TeamSettings.ReadWrite.All");
      add_permission (array, BA_RESOURCE_GRAPH, "ChannelMessage.Read.All");
      add_permission (array, BA_RESOURCE_GRAPH, "ChannelMember.Read.All");
    }
  if ((services & BA_SERVICE_EXCHANGE) != 0 || teams)
    {
      add_permission (array, BA_RESOURCE_EXCHANGE, "full_access_as_app");
      add_permission (array, BA_RESOURCE_EXCHANGE, "Exchange.ManageAsApp");
    }
  if ((services & BA_SERVICE_SHAREPOINT) != 0)
    {
      add_permission (array, BA_RESOURCE_SHAREPOINT, "Sites.FullControl.All");
      add_permission (array, BA_RESOURCE_SHAREPOINT, "User.Read.All");
    }

  *n_permissions = array->len;

  return (BaPermission *) g_array_free (g_steal_pointer (&array), FALSE);
}

/**
 * ba_provisioner_new:
 * @client: a signed-in client for the organization's tenant
 * @store: the store that holds @organization
 * @organization: the organization
 *
 * Returns: (transfer full): a new #BaProvisioner
 */
BaProvisioner *
ba_provisioner_new (BaGraphClient  *client,
                    BaStore        *store,
                    BaOrganization *organization)
{
  BaProvisioner *self;

  g_return_val_if_fail (BA_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (BA_IS_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), NULL);

  self = g_object_new (BA_TYPE_PROVISIONER, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  self->organization = g_object_ref (organization);

  return self;
}

guint
ba_provisioner_get_concurrency (BaProvisioner *self)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), 0);

  return self->concurrency;
}

void
ba_provisioner_set_concurrency (BaProvisioner *self,
                                guint          concurrency)
{
  g_return_if_fail (BA_IS_PROVISIONER (self));

  concurrency = CLAMP (concurrency, 1, 16);
  if (self->concurrency == concurrency)
    return;

  self->concurrency = concurrency;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONCURRENCY]);
}

guint
ba_provisioner_get_replication_timeout (BaProvisioner *self)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), 0);

  return self->replication_timeout_ms;
}

void
ba_provisioner_set_replication_timeout (BaProvisioner *self,
                                        guint          timeout_ms)
{
  g_return_if_fail (BA_IS_PROVISIONER (self));

  if (self->replication_timeout_ms == timeout_ms)
    return;

  self->replication_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLICATION_TIMEOUT]);
}

guint
ba_provisioner_get_retry_base_delay (BaProvisioner *self)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), 0);

  return self->retry_base_delay_ms;
}

void
ba_provisioner_set_retry_base_delay (BaProvisioner *self,
                                     guint          delay_ms)
{
  g_return_if_fail (BA_IS_PROVISIONER (self));

  delay_ms = MAX (delay_ms, 1);
  if (self->retry_base_delay_ms == delay_ms)
    return;

  self->retry_base_delay_ms = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_BASE_DELAY]);
}

void
ba_provisioner_create_async (BaProvisioner       *self,
                             const char          *name,
                             BaCertificate       *certificate,
                             guint                count,
                             gboolean             accept_policy,
                             const BaPermission  *permissions,
                             guint                n_permissions,
                             BaApplicationOrigin  origin,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (permissions != NULL || n_permissions == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_create_async);

  if (count == 0 || count > MAX_APPLICATIONS)
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_INVALID_COUNT,
                               /* Translators: %u is the most applications one run creates (100) */
                               _("Choose between 1 and %u applications. To create more, run Create again."),
                               MAX_APPLICATIONS);
      return;
    }
  if (count > 1 && !accept_policy)
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_POLICY_NOT_ACCEPTED,
                               _("Microsoft does not allow several applications for the same job, and they share one throttling budget. To create more than one, acknowledge this first."));
      return;
    }
  if (*name == '\0')
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_FAILED,
                               _("Enter a name for the applications."));
      return;
    }
  if (self->run_active)
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_BUSY,
                               _("Applications are being created already. Wait until that has finished."));
      return;
    }

  run = run_new (RUN_CREATE, certificate, permissions, n_permissions);
  run->name = g_strdup (name);
  run->origin = origin;
  run->total = count;
  g_task_set_task_data (task, run, run_free);
  self->run_active = TRUE;
  run_start (self, task);
}

gboolean
ba_provisioner_create_finish (BaProvisioner  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_create_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_provisioner_get_run:
 * @self: a #BaProvisioner
 *
 * Returns: (transfer none): a #GListModel of #BaBackupApplication
 */
GListModel *
ba_provisioner_get_run (BaProvisioner *self)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), NULL);

  return G_LIST_MODEL (self->run);
}

/**
 * ba_provisioner_list_incomplete:
 * @self: a #BaProvisioner
 *
 * Returns: (transfer container) (element-type BaBackupApplication): the
 *   applications that are not ready
 */
GPtrArray *
ba_provisioner_list_incomplete (BaProvisioner *self)
{
  GPtrArray *incomplete;
  GListModel *apps;

  g_return_val_if_fail (BA_IS_PROVISIONER (self), NULL);

  incomplete = g_ptr_array_new_with_free_func (g_object_unref);
  apps = ba_organization_get_applications (self->organization);
  for (guint i = 0; i < g_list_model_get_n_items (apps); i++)
    {
      g_autoptr(BaBackupApplication) app = g_list_model_get_item (apps, i);

      if (ba_backup_application_get_state (app) != BA_PROVISIONING_STATE_READY)
        g_ptr_array_add (incomplete, g_steal_pointer (&app));
    }

  return incomplete;
}

void
ba_provisioner_resume_async (BaProvisioner       *self,
                             BaCertificate       *certificate,
                             const BaPermission  *permissions,
                             guint                n_permissions,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (permissions != NULL || n_permissions == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_resume_async);

  if (self->run_active)
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_BUSY,
                               _("Applications are being created already. Wait until that has finished."));
      return;
    }

  run = run_new (RUN_RESUME, certificate, permissions, n_permissions);
  run->queue = ba_provisioner_list_incomplete (self);
  run->total = run->queue->len;
  g_task_set_task_data (task, run, run_free);

  /* The step to continue from is what the recorded ids say. */
  for (guint i = 0; i < run->queue->len; i++)
    {
      BaBackupApplication *app = g_ptr_array_index (run->queue, i);
      BaProvisioningState state;

      if (ba_backup_application_get_object_id (app) == NULL || ba_backup_application_get_app_id (app) == NULL)
        state = BA_PROVISIONING_STATE_CREATING;
      else if (ba_backup_application_get_service_principal_id (app) == NULL)
        state = BA_PROVISIONING_STATE_APPLICATION_CREATED;
      else
        state = BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED;
      ba_backup_application_set_state (app, state);
    }

  self->run_active = TRUE;
  run_start (self, task);
}

gboolean
ba_provisioner_resume_finish (BaProvisioner  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_provisioner_configure_existing_async (BaProvisioner       *self,
                                         const char          *app_id,
                                         BaCertificate       *certificate,
                                         const BaPermission  *permissions,
                                         guint                n_permissions,
                                         BaApplicationOrigin  origin,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaBackupApplication *recorded;
  Run *run;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (permissions != NULL || n_permissions == 0);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_configure_existing_async);

  run = run_new (RUN_CONFIGURE, certificate, permissions, n_permissions);
  run->app_id = g_strdup (app_id);
  run->origin = origin;
  run->task = task;
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, run, run_free);

  recorded = ba_organization_find_application (self->organization, app_id);
  if (recorded != NULL)
    run->configured = g_object_ref (recorded);
  else
    run->configured = g_object_new (BA_TYPE_BACKUP_APPLICATION,
                                    "app-id", app_id,
                                    "origin", origin,
                                    "state", BA_PROVISIONING_STATE_APPLICATION_CREATED,
                                    NULL);

  if (!try_lock (self, run->configured))
    {
      g_task_return_error (task, busy_error (run->configured));
      return;
    }

  resolve_roles_async (self, run->permissions, run->n_permissions, cancellable,
                       configure_resolved_cb, g_steal_pointer (&task));
}

/**
 * ba_provisioner_configure_existing_finish:
 *
 * Returns: (transfer full): the application as recorded
 */
BaBackupApplication *
ba_provisioner_configure_existing_finish (BaProvisioner  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_configure_existing_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Both kinds of rotation work on an application that exists, one at a
 * time; NULL when @task has been answered already. */
static Update *
update_start (BaProvisioner       *self,
              GTask               *task,
              BaBackupApplication *application)
{
  Update *update;

  if (ba_backup_application_get_app_id (application) == NULL)
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_APPLICATION_NOT_FOUND,
                               _("This application is still being created. Resume its creation first."));
      return NULL;
    }
  if (!try_lock (self, application))
    {
      g_task_return_error (task, busy_error (application));
      return NULL;
    }

  update = g_new0 (Update, 1);
  update->app = g_object_ref (application);
  g_task_set_task_data (task, update, update_free);

  return update;
}

/* Both kinds of rotation start from the keys the application has now. */
static void
update_read_keys (GTask               *task_in,
                  GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = task_in;
  BaProvisioner *self = g_task_get_source_object (task);
  Update *update = g_task_get_task_data (task);
  g_autofree char *path = application_path (update->app, "?$select=id,appId,keyCredentials");
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_signal_emit (self, signals[APPLICATION_PROGRESS], 0, update->app, _("Reading the certificates…"));
  ba_graph_client_request_async (self->client, "GET", path, NULL, NULL, cancellable,
                                 callback, g_steal_pointer (&task));
}

void
ba_provisioner_update_certificate_async (BaProvisioner       *self,
                                         BaBackupApplication *application,
                                         BaCertificate       *certificate,
                                         gboolean             remove_old,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Update *update;
  const char *old;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (application));
  g_return_if_fail (BA_IS_CERTIFICATE (certificate));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_update_certificate_async);

  update = update_start (self, task, application);
  if (update == NULL)
    return;
  update->certificate = g_object_ref (certificate);
  update->current_thumbprint = g_strdup (ba_certificate_get_sha1_thumbprint (certificate));
  update->remove_old = remove_old;
  old = ba_backup_application_get_certificate_thumbprint (application);
  if (old != NULL && g_ascii_strcasecmp (old, ba_certificate_get_sha1_thumbprint (certificate)) != 0)
    {
      update->old_thumbprint = g_strdup (old);
      update->old_key_id = g_strdup (ba_backup_application_get_key_id (application));
    }

  update_read_keys (g_steal_pointer (&task), update_read_cb);
}

gboolean
ba_provisioner_update_certificate_finish (BaProvisioner  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_update_certificate_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_provisioner_remove_certificate_async (BaProvisioner       *self,
                                         BaBackupApplication *application,
                                         const char          *thumbprint,
                                         const char          *key_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *current;
  Update *update;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (application));
  g_return_if_fail (thumbprint != NULL || key_id != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_remove_certificate_async);

  current = ba_backup_application_get_certificate_thumbprint (application);
  /* Removing the key it signs in with would cut the backup off. */
  if ((thumbprint != NULL && current != NULL && g_ascii_strcasecmp (thumbprint, current) == 0) ||
      (key_id != NULL && g_strcmp0 (key_id, ba_backup_application_get_key_id (application)) == 0))
    {
      g_task_return_new_error (task, BA_PROVISIONER_ERROR, BA_PROVISIONER_ERROR_IN_USE,
                               _("The application signs in with this certificate. Update it to another certificate first."));
      return;
    }

  update = update_start (self, task, application);
  if (update == NULL)
    return;
  update->current_thumbprint = g_strdup (current);
  update->old_thumbprint = g_strdup (thumbprint);
  update->old_key_id = g_strdup (key_id);
  update->remove_old = TRUE;

  update_read_keys (g_steal_pointer (&task), update_reread_cb);
}

gboolean
ba_provisioner_remove_certificate_finish (BaProvisioner  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_remove_certificate_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_provisioner_delete_async (BaProvisioner       *self,
                             BaBackupApplication *application,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Delete *delete;

  g_return_if_fail (BA_IS_PROVISIONER (self));
  g_return_if_fail (BA_IS_BACKUP_APPLICATION (application));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_provisioner_delete_async);

  if (!try_lock (self, application))
    {
      g_task_return_error (task, busy_error (application));
      return;
    }

  delete = g_new0 (Delete, 1);
  delete->app = g_object_ref (application);
  delete->app_id = g_strdup (ba_backup_application_get_app_id (application));
  delete->object_id = g_strdup (ba_backup_application_get_object_id (application));
  g_task_set_task_data (task, delete, delete_free);

  if (delete->app_id != NULL)
    {
      delete_in_tenant (g_steal_pointer (&task));
    }
  else if (ba_backup_application_get_creation_tag (application) != NULL)
    {
      /* Created, maybe, before its answer was recorded: look for it. */
      g_autofree char *filter = g_strdup_printf ("tags/any(t:t eq '%s')",
                                                 ba_backup_application_get_creation_tag (application));
      g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/applications?$filter=%s&$select=id,appId", escaped);

      ba_graph_client_get_all_async (self->client, path, NULL, NULL, NULL, NULL,
                                     delete_found_cb, g_steal_pointer (&task));
    }
  else
    {
      delete_forget (g_steal_pointer (&task));
    }
}

gboolean
ba_provisioner_delete_finish (BaProvisioner  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (BA_IS_PROVISIONER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_provisioner_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
