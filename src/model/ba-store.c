/* ba-store.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ba-enum-types.h"
#include "ba-model-private.h"
#include "ba-store.h"

/* The backup configuration on disk:
 *
 *   { "formatVersion": 1, "organizations": [ … ] }
 *
 * Format policy: formatVersion changes only for incompatible changes, ones
 * an older reader would misunderstand (a member that changes meaning, a new
 * enum value, a new required member). Additive members do not bump it, so
 * every reader keeps the members it does not know, at every level, and writes
 * them back: a file that went through an older version loses nothing. A file
 * with a greater formatVersion is shown read-only, never rewritten.
 *
 * The file is an admin's only record of which applications exist in Entra
 * ID, so it is never lost by us: writes are atomic and durable, the previous
 * good file is kept as configuration.json.bak, a damaged file is renamed
 * aside (never overwritten or deleted) and a file we cannot read is left
 * alone and the store made read-only. */

#define BACKUP_SUFFIX ".bak"

struct _BaStore
{
  GObject parent_instance;

  char *path;
  GListStore *organizations;
  gint64 format_version;
  JsonObject *unknown;
  GError *load_error;
  char *set_aside_path;
  gboolean read_only;
  gboolean backup_available;

  /* Numbers the snapshots taken for saving; main thread only. */
  guint64 save_serial;

  /* Shared with the saving threads, under lock. */
  GMutex lock;
  guint64 written_serial;
  GBytes *known_good;
};

G_DEFINE_FINAL_TYPE (BaStore, ba_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ba-store-error-quark, ba_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_ORGANIZATIONS,
  PROP_READ_ONLY,
  PROP_LOAD_ERROR,
  PROP_SET_ASIDE_PATH,
  PROP_BACKUP_AVAILABLE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const known_members[] = {
  "formatVersion",
  "organizations",
  NULL
};

/* -------------------------------------------------------------------------
 * JSON helpers shared by the model objects (ba-model-private.h)
 * ------------------------------------------------------------------------- */

gboolean
_ba_set_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

gboolean
_ba_set_date_time (GDateTime **field,
                   GDateTime  *value)
{
  if (*field == value)
    return FALSE;

  if (*field != NULL && value != NULL && g_date_time_equal (*field, value))
    return FALSE;

  g_clear_pointer (field, g_date_time_unref);
  if (value != NULL)
    *field = g_date_time_ref (value);

  return TRUE;
}

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
_ba_json_get_string (JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     char       **out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  if (node_is_null (node))
    {
      if (required)
        {
          g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                       /* Translators: %s is the name of a member in the configuration file */
                       _("“%s” is missing"), member);
          return FALSE;
        }

      g_clear_pointer (out, g_free);
      return TRUE;
    }

  if (!node_is_string (node))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be a string"), member);
      return FALSE;
    }

  value = json_node_get_string (node);
  if (required && (value == NULL || *value == '\0'))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must not be empty"), member);
      return FALSE;
    }

  g_free (*out);
  *out = g_strdup (value);

  return TRUE;
}

gboolean
_ba_json_get_boolean (JsonObject  *object,
                      const char  *member,
                      gboolean    *out,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node_is_null (node))
    {
      *out = FALSE;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be true or false"), member);
      return FALSE;
    }

  *out = json_node_get_boolean (node);

  return TRUE;
}

/* Sets *out to -1 when the member is absent or null, so the caller keeps its
 * default; every enum of ours has only non-negative values. */
gboolean
_ba_json_get_enum (JsonObject  *object,
                   const char  *member,
                   GType        enum_type,
                   int         *out,
                   GError     **error)
{
  g_autoptr(GEnumClass) klass = NULL;
  JsonNode *node = json_object_get_member (object, member);
  const char *nick;
  GEnumValue *value;

  if (node_is_null (node))
    {
      *out = -1;
      return TRUE;
    }

  if (!node_is_string (node))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be a string"), member);
      return FALSE;
    }

  nick = json_node_get_string (node);
  klass = g_type_class_ref (enum_type);
  value = g_enum_get_value_by_nick (klass, nick);

  if (value == NULL)
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   /* Translators: the first %s is a member of the configuration file, the second its value */
                   _("“%s” has an unknown value “%s”"), member, nick);
      return FALSE;
    }

  *out = value->value;

  return TRUE;
}

gboolean
_ba_json_get_flags (JsonObject  *object,
                    const char  *member,
                    GType        flags_type,
                    guint       *out,
                    GError     **error)
{
  g_autoptr(GFlagsClass) klass = NULL;
  JsonArray *array = NULL;
  guint length;
  guint flags = 0;

  if (!_ba_json_get_array (object, member, &array, error))
    return FALSE;

  if (array == NULL)
    {
      *out = 0;
      return TRUE;
    }

  klass = g_type_class_ref (flags_type);
  length = json_array_get_length (array);

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      GFlagsValue *value;

      if (!node_is_string (node))
        {
          g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                       _("“%s” must be a list of strings"), member);
          return FALSE;
        }

      value = g_flags_get_value_by_nick (klass, json_node_get_string (node));
      if (value == NULL)
        {
          g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                       _("“%s” has an unknown value “%s”"), member, json_node_get_string (node));
          return FALSE;
        }

      flags |= value->value;
    }

  *out = flags;

  return TRUE;
}

gboolean
_ba_json_get_date_time (JsonObject  *object,
                        const char  *member,
                        GDateTime  **out,
                        GError     **error)
{
  g_autoptr(GDateTime) parsed = NULL;
  JsonNode *node = json_object_get_member (object, member);

  if (node_is_null (node))
    {
      g_clear_pointer (out, g_date_time_unref);
      return TRUE;
    }

  /* Without a time zone in the text the instant would depend on where the
   * file is read, so NULL (no default zone) makes such a value an error. */
  if (!node_is_string (node) ||
      !(parsed = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL)))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be a date and time in ISO 8601 format with a time zone, or null"),
                   member);
      return FALSE;
    }

  g_clear_pointer (out, g_date_time_unref);
  *out = g_date_time_to_utc (parsed);

  return TRUE;
}

gboolean
_ba_json_get_array (JsonObject  *object,
                    const char  *member,
                    JsonArray  **out,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node_is_null (node))
    {
      *out = NULL;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be a list"), member);
      return FALSE;
    }

  *out = json_node_get_array (node);

  return TRUE;
}

JsonObject *
_ba_json_get_object (JsonNode  *node,
                     GError   **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                           _("must be a JSON object"));
      return NULL;
    }

  return json_node_get_object (node);
}

JsonObject *
_ba_json_collect_unknown (JsonObject         *object,
                          const char * const *known)
{
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;

      if (g_strv_contains (known, member))
        continue;

      if (unknown == NULL)
        unknown = json_object_new ();

      json_object_set_member (unknown, member, json_node_copy (json_object_get_member (object, member)));
    }

  return g_steal_pointer (&unknown);
}

void
_ba_json_set_string (JsonObject *object,
                     const char *member,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

void
_ba_json_set_enum (JsonObject *object,
                   const char *member,
                   GType       enum_type,
                   int         value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  g_return_if_fail (enum_value != NULL);

  json_object_set_string_member (object, member, enum_value->value_nick);
}

void
_ba_json_set_flags (JsonObject *object,
                    const char *member,
                    GType       flags_type,
                    guint       value)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (flags_type);
  g_autoptr(JsonArray) array = json_array_new ();

  /* In declaration order, so the same flags always give the same text. */
  for (guint i = 0; i < klass->n_values; i++)
    {
      const GFlagsValue *flag = &klass->values[i];

      if (flag->value != 0 && (value & flag->value) == flag->value)
        json_array_add_string_element (array, flag->value_nick);
    }

  json_object_set_array_member (object, member, g_steal_pointer (&array));
}

void
_ba_json_set_date_time (JsonObject *object,
                        const char *member,
                        GDateTime  *value)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *text = NULL;

  if (value == NULL)
    {
      json_object_set_null_member (object, member);
      return;
    }

  utc = g_date_time_to_utc (value);
  text = g_date_time_format_iso8601 (utc);
  json_object_set_string_member (object, member, text);
}

void
_ba_json_add_unknown (JsonObject *object,
                      JsonObject *unknown)
{
  g_autoptr(GList) members = NULL;

  if (unknown == NULL)
    return;

  members = json_object_get_members (unknown);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;

      if (!json_object_has_member (object, member))
        json_object_set_member (object, member, json_node_copy (json_object_get_member (unknown, member)));
    }
}

/* -------------------------------------------------------------------------
 * The document
 * ------------------------------------------------------------------------- */

typedef struct
{
  gint64 version;
  GPtrArray *organizations;
  JsonObject *unknown;
} Document;

static void
document_clear (Document *document)
{
  g_clear_pointer (&document->organizations, g_ptr_array_unref);
  g_clear_pointer (&document->unknown, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Document, document_clear)

/* Runs in saving threads too, so it must touch nothing but its arguments.
 * document->version is set as soon as it is known, even on failure, so the
 * caller can tell a damaged file from a newer one it cannot read. */
static gboolean
parse_document (const char  *data,
                gsize        length,
                Document    *document,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) organizations = NULL;
  JsonNode *root;
  JsonNode *version;
  JsonObject *object;
  JsonArray *array = NULL;

  document->version = 0;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("it is not valid JSON (%s)"), local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                           _("it is empty"));
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                           _("it does not hold a JSON object"));
      return FALSE;
    }

  object = json_node_get_object (root);
  version = json_object_get_member (object, "formatVersion");

  if (node_is_null (version))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” is missing"), "formatVersion");
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) < 1)
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("“%s” must be a whole number from 1"), "formatVersion");
      return FALSE;
    }

  document->version = json_node_get_int (version);

  if (!_ba_json_get_array (object, "organizations", &array, error))
    return FALSE;

  organizations = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autoptr(BaOrganization) organization = NULL;
      const char *tenant_id;

      organization = ba_organization_deserialize (json_array_get_element (array, i), error);
      if (organization == NULL)
        {
          /* Translators: prefixed to what is wrong with the Nth
           * organization in the configuration file. */
          g_prefix_error (error, _("organization %u: "), i + 1);
          return FALSE;
        }

      /* Two entries for one tenant cannot both be right, and a silent pick
       * could drop the applications recorded in the other. */
      tenant_id = ba_organization_get_tenant_id (organization);
      for (guint j = 0; j < organizations->len; j++)
        {
          if (g_ascii_strcasecmp (tenant_id, ba_organization_get_tenant_id (organizations->pdata[j])) == 0)
            {
              g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                           _("organization %u: the tenant “%s” is listed twice"),
                           i + 1, tenant_id);
              return FALSE;
            }
        }

      g_ptr_array_add (organizations, g_steal_pointer (&organization));
    }

  document->organizations = g_steal_pointer (&organizations);
  document->unknown = _ba_json_collect_unknown (object, known_members);

  return TRUE;
}

static gboolean
is_good_configuration (const char *data,
                       gsize       length)
{
  g_auto(Document) document = { 0, };

  return parse_document (data, length, &document, NULL) &&
         document.version <= BA_STORE_FORMAT_VERSION;
}

static char *
generate_document (JsonNode *root,
                   gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  char *data;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  data = g_strconcat (text, "\n", NULL);
  if (length != NULL)
    *length = strlen (data);

  return data;
}

/* Renames a damaged file to <path>.corrupt-YYYYMMDD-HHMMSS, adding -2, -3…
 * when that exists: the admin may need it to recover, so it is never
 * replaced, even by another damaged file set aside in the same second. */
static char *
set_aside (const char  *path,
           GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  int saved_errno = 0;

  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *target = NULL;
      GStatBuf buf;

      if (i == 1)
        target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
      else
        target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, i);

      /* link() fails when the target exists, where rename() would replace it. */
      if (link (path, target) == 0)
        {
          if (g_unlink (path) == 0)
            return g_steal_pointer (&target);

          saved_errno = errno;
          g_unlink (target);
          break;
        }

      saved_errno = errno;
      if (saved_errno == EEXIST)
        continue;

      /* Some file systems have no hard links; fall back to a check and a
       * rename, racy only against another writer in the same directory. */
      if (saved_errno != EPERM && saved_errno != EOPNOTSUPP && saved_errno != ENOSYS)
        break;

      if (g_lstat (target, &buf) == 0)
        continue;

      if (g_rename (path, target) == 0)
        return g_steal_pointer (&target);

      saved_errno = errno;
      break;
    }

  g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FAILED,
               _("Could not set the damaged configuration file aside: %s"),
               g_strerror (saved_errno != 0 ? saved_errno : EEXIST));

  return NULL;
}

static char *
backup_path_for (const char *path)
{
  return g_strconcat (path, BACKUP_SUFFIX, NULL);
}

/* -------------------------------------------------------------------------
 * Saving, on any thread
 * ------------------------------------------------------------------------- */

typedef struct
{
  char *contents;
  gsize length;
  guint64 serial;

  /* Outcome, applied to the properties on the calling thread */
  gboolean backup_written;
  char *set_aside_path;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_pointer (&data->contents, g_free);
  g_clear_pointer (&data->set_aside_path, g_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveData, save_data_free)

static gboolean
write_file (const char  *path,
            const char  *contents,
            gsize        length,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FAILED,
                   _("Could not save the configuration: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* g_file_set_contents_full() syncs the new file but not the directory entry
 * its rename made; without this a power cut could bring the old file back. */
static void
sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;

  if (fsync (fd) != 0)
    g_debug ("%s: %s: %s", G_STRFUNC, dir, g_strerror (errno));

  g_close (fd, NULL);
}

/* Keeps what is on disk now before it is replaced: a good file goes to the
 * .bak, a damaged one (edited by hand since we read it) is set aside. Called
 * with the lock held. */
static gboolean
keep_current_file (BaStore     *self,
                   const char  *new_contents,
                   gsize        new_length,
                   gboolean    *unchanged,
                   gboolean    *backup_written,
                   char       **set_aside_path,
                   GError     **error)
{
  g_autofree char *current = NULL;
  g_autofree char *backup_path = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  *unchanged = FALSE;

  if (!g_file_get_contents (self->path, &current, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;

      /* What we cannot read we cannot keep, so we must not replace it. */
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FAILED,
                   _("Could not save the configuration: %s"), local_error->message);
      return FALSE;
    }

  if (length == new_length && memcmp (current, new_contents, length) == 0)
    {
      *unchanged = TRUE;
      return TRUE;
    }

  if ((self->known_good != NULL &&
       length == g_bytes_get_size (self->known_good) &&
       memcmp (current, g_bytes_get_data (self->known_good, NULL), length) == 0) ||
      is_good_configuration (current, length))
    {
      backup_path = backup_path_for (self->path);
      if (!write_file (backup_path, current, length, error))
        return FALSE;

      *backup_written = TRUE;
      return TRUE;
    }

  *set_aside_path = set_aside (self->path, error);

  return *set_aside_path != NULL;
}

static gboolean
save_worker (BaStore   *self,
             SaveData  *data,
             GError   **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *dir = NULL;
  gboolean unchanged = FALSE;

  /* A newer snapshot is already on disk; writing this one would undo it. */
  if (data->serial <= self->written_serial)
    return TRUE;

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!keep_current_file (self, data->contents, data->length,
                          &unchanged, &data->backup_written, &data->set_aside_path,
                          error))
    return FALSE;

  if (!unchanged)
    {
      if (!write_file (self->path, data->contents, data->length, error))
        return FALSE;

      sync_directory (dir);
    }

  g_clear_pointer (&self->known_good, g_bytes_unref);
  self->known_good = g_bytes_new (data->contents, data->length);
  self->written_serial = data->serial;

  return TRUE;
}

/* -------------------------------------------------------------------------
 * State, on the main thread
 * ------------------------------------------------------------------------- */

static void
set_read_only (BaStore  *self,
               gboolean  read_only)
{
  if (self->read_only == read_only)
    return;

  self->read_only = read_only;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
}

static void
set_load_error (BaStore      *self,
                const GError *error)
{
  if (self->load_error == NULL && error == NULL)
    return;

  g_clear_error (&self->load_error);
  if (error != NULL)
    self->load_error = g_error_copy (error);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_ERROR]);
}

static void
set_set_aside_path (BaStore    *self,
                    const char *set_aside_path)
{
  if (_ba_set_string (&self->set_aside_path, set_aside_path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SET_ASIDE_PATH]);
}

static void
set_backup_available (BaStore  *self,
                      gboolean  backup_available)
{
  if (self->backup_available == backup_available)
    return;

  self->backup_available = backup_available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKUP_AVAILABLE]);
}

static void
update_backup_available (BaStore *self)
{
  g_autofree char *backup_path = backup_path_for (self->path);
  g_autofree char *contents = NULL;
  gsize length = 0;

  set_backup_available (self,
                        g_file_get_contents (backup_path, &contents, &length, NULL) &&
                        is_good_configuration (contents, length));
}

static void
set_known_good (BaStore    *self,
                const char *contents,
                gsize       length)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  g_clear_pointer (&self->known_good, g_bytes_unref);
  if (contents != NULL)
    self->known_good = g_bytes_new (contents, length);
}

static void
on_organization_changed_cb (BaStore        *self,
                            BaOrganization *organization)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
connect_organization (BaStore        *self,
                      BaOrganization *organization)
{
  g_signal_connect_object (organization,
                           "changed",
                           G_CALLBACK (on_organization_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
}

static void
disconnect_organization (BaStore        *self,
                         BaOrganization *organization)
{
  g_signal_handlers_disconnect_by_func (organization, on_organization_changed_cb, self);
}

static void
replace_organizations (BaStore   *self,
                       GPtrArray *organizations)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->organizations));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaOrganization) organization = g_list_model_get_item (G_LIST_MODEL (self->organizations), i);

      disconnect_organization (self, organization);
    }

  if (organizations != NULL)
    {
      for (guint i = 0; i < organizations->len; i++)
        connect_organization (self, organizations->pdata[i]);

      g_list_store_splice (self->organizations, 0, n_items,
                           organizations->pdata, organizations->len);
    }
  else
    {
      g_list_store_remove_all (self->organizations);
    }
}

static void
apply_save_outcome (BaStore  *self,
                    SaveData *data)
{
  if (data->backup_written)
    set_backup_available (self, TRUE);

  if (data->set_aside_path != NULL)
    {
      g_message ("The configuration file was damaged since it was read and was set aside as %s",
                 data->set_aside_path);
      set_set_aside_path (self, data->set_aside_path);
    }
}

static gboolean
check_writable (BaStore  *self,
                GError  **error)
{
  if (!self->read_only)
    return TRUE;

  if (self->load_error != NULL &&
      g_error_matches (self->load_error, BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION))
    g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY,
                         _("The configuration was written by a newer version of Backup Access and cannot be changed by this one"));
  else
    g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_READ_ONLY,
                         _("The configuration is read-only because the file could not be read"));

  return FALSE;
}

static SaveData *
save_data_new (BaStore *self)
{
  g_autoptr(JsonNode) root = ba_store_serialize (self, TRUE);
  SaveData *data = g_new0 (SaveData, 1);

  data->contents = generate_document (root, &data->length);
  data->serial = ++self->save_serial;

  return data;
}

/* -------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------- */

static void
ba_store_dispose (GObject *object)
{
  BaStore *self = (BaStore *)object;

  if (self->organizations != NULL)
    replace_organizations (self, NULL);

  g_clear_object (&self->organizations);

  G_OBJECT_CLASS (ba_store_parent_class)->dispose (object);
}

static void
ba_store_finalize (GObject *object)
{
  BaStore *self = (BaStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->unknown, json_object_unref);
  g_clear_error (&self->load_error);
  g_clear_pointer (&self->set_aside_path, g_free);
  g_clear_pointer (&self->known_good, g_bytes_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ba_store_parent_class)->finalize (object);
}

static void
ba_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  BaStore *self = BA_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_ORGANIZATIONS:
      g_value_set_object (value, self->organizations);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;

    case PROP_LOAD_ERROR:
      g_value_set_boxed (value, self->load_error);
      break;

    case PROP_SET_ASIDE_PATH:
      g_value_set_string (value, self->set_aside_path);
      break;

    case PROP_BACKUP_AVAILABLE:
      g_value_set_boolean (value, self->backup_available);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  BaStore *self = BA_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_store_class_init (BaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_store_dispose;
  object_class->finalize = ba_store_finalize;
  object_class->get_property = ba_store_get_property;
  object_class->set_property = ba_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ORGANIZATIONS] =
    g_param_spec_object ("organizations", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* Set when saving would destroy something: a file we could not read, or
   * one written by a newer version. Nothing clears it but a new load. */
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LOAD_ERROR] =
    g_param_spec_boxed ("load-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SET_ASIDE_PATH] =
    g_param_spec_string ("set-aside-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BACKUP_AVAILABLE] =
    g_param_spec_boolean ("backup-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BaStore::changed:
   *
   * Emitted when an organization is added or removed or one of them
   * changes: the moment to save. Loading and restoring do not emit it, as
   * what they put in the store is already on disk.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
ba_store_init (BaStore *self)
{
  g_mutex_init (&self->lock);
  self->organizations = g_list_store_new (BA_TYPE_ORGANIZATION);
  self->format_version = BA_STORE_FORMAT_VERSION;
}

/* -------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------- */

/**
 * ba_store_new:
 * @path: the configuration file
 *
 * The store starts empty; call ba_store_load() to read @path.
 *
 * Returns: (transfer full): a new #BaStore
 */
BaStore *
ba_store_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (BA_TYPE_STORE,
                       "path", path,
                       NULL);
}

/**
 * ba_store_new_default:
 *
 * Returns: (transfer full): a store for
 *   `$XDG_CONFIG_HOME/backup-access/configuration.json`
 */
BaStore *
ba_store_new_default (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (),
                                            "backup-access",
                                            "configuration.json",
                                            NULL);

  return ba_store_new (path);
}

const char *
ba_store_get_path (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  return self->path;
}

/**
 * ba_store_dup_backup_path:
 * @self: a #BaStore
 *
 * Returns: (transfer full): where the previous good configuration is kept
 */
char *
ba_store_dup_backup_path (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  return backup_path_for (self->path);
}

/**
 * ba_store_get_organizations:
 * @self: a #BaStore
 *
 * Returns: (transfer none): a #GListModel of #BaOrganization, in the order
 *   they are saved
 */
GListModel *
ba_store_get_organizations (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  return G_LIST_MODEL (self->organizations);
}

gboolean
ba_store_get_read_only (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), FALSE);

  return self->read_only;
}

/**
 * ba_store_get_load_error:
 * @self: a #BaStore
 *
 * Returns: (transfer none) (nullable): why the last load or restore could not
 *   use the file as it is, or %NULL
 */
const GError *
ba_store_get_load_error (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  return self->load_error;
}

/**
 * ba_store_get_set_aside_path:
 * @self: a #BaStore
 *
 * Returns: (nullable): where a damaged configuration file was moved, or %NULL
 */
const char *
ba_store_get_set_aside_path (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  return self->set_aside_path;
}

gboolean
ba_store_get_backup_available (BaStore *self)
{
  g_return_val_if_fail (BA_IS_STORE (self), FALSE);

  return self->backup_available;
}

/**
 * ba_store_load:
 * @self: a #BaStore
 * @error: return location for a #BaStoreError
 *
 * Replaces the organizations with those in the file. A missing file gives
 * an empty store. A damaged file is set aside and the store is left empty
 * and writable (see #BaStore:set-aside-path, #BaStore:backup-available); a
 * file that cannot be read makes the store read-only. A file from a newer
 * version is loaded read-only and this returns %TRUE, with
 * #BaStore:load-error saying why.
 *
 * Returns: %TRUE if the organizations are those in the file
 */
gboolean
ba_store_load (BaStore  *self,
               GError  **error)
{
  g_auto(Document) document = { 0, };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gboolean shown = FALSE;

  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_object_freeze_notify (G_OBJECT (self));

  set_read_only (self, FALSE);
  set_set_aside_path (self, NULL);
  g_clear_pointer (&self->unknown, json_object_unref);
  self->format_version = BA_STORE_FORMAT_VERSION;

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      replace_organizations (self, NULL);
      set_known_good (self, NULL, 0);

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          shown = TRUE;
        }
      else
        {
          /* Whatever is there may be the only copy: we must not replace it. */
          g_debug ("%s: %s", G_STRFUNC, local_error->message);
          load_error = g_error_new (BA_STORE_ERROR, BA_STORE_ERROR_UNREADABLE,
                                    _("The configuration file cannot be read, so it is shown read-only: %s"),
                                    local_error->message);
          set_read_only (self, TRUE);
        }
    }
  else if (!parse_document (contents, length, &document, &local_error))
    {
      replace_organizations (self, NULL);
      set_known_good (self, NULL, 0);

      if (document.version > BA_STORE_FORMAT_VERSION)
        {
          /* A newer layout we cannot read at all is not damaged, and not
           * ours to set aside. */
          g_debug ("%s: formatVersion %" G_GINT64_FORMAT ": %s",
                   G_STRFUNC, document.version, local_error->message);
          load_error = g_error_new_literal (BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION,
                                            _("The configuration was written by a newer version of Backup Access and cannot be read by this one; update Backup Access to use it"));
          set_read_only (self, TRUE);
        }
      else
        {
          g_autoptr(GError) aside_error = NULL;
          g_autofree char *aside = set_aside (self->path, &aside_error);

          load_error = g_error_new (BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                                    _("The configuration file is damaged: %s"),
                                    local_error->message);

          if (aside != NULL)
            {
              set_set_aside_path (self, aside);
            }
          else
            {
              /* It could not be moved out of the way, so saving would
               * overwrite it. */
              g_message ("%s", aside_error->message);
              set_read_only (self, TRUE);
            }
        }
    }
  else
    {
      replace_organizations (self, document.organizations);
      self->unknown = g_steal_pointer (&document.unknown);
      self->format_version = document.version;
      set_known_good (self, contents, length);
      shown = TRUE;

      /* Shown, but not ours to rewrite: we would drop what we do not
       * understand of its meaning, even with its members kept. */
      if (document.version > BA_STORE_FORMAT_VERSION)
        {
          load_error = g_error_new_literal (BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION,
                                            _("The configuration was written by a newer version of Backup Access, so it is shown read-only; update Backup Access to change it"));
          set_read_only (self, TRUE);
        }
    }

  set_load_error (self, load_error);
  update_backup_available (self);

  g_object_thaw_notify (G_OBJECT (self));

  if (!shown)
    {
      g_propagate_error (error, g_steal_pointer (&load_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * ba_store_serialize:
 * @self: a #BaStore
 * @include_unknown: whether to write back members this version does not know
 *
 * Returns: (transfer full): the whole configuration document
 */
JsonNode *
ba_store_serialize (BaStore  *self,
                    gboolean  include_unknown)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;
  guint n_items;

  g_return_val_if_fail (BA_IS_STORE (self), NULL);

  object = json_object_new ();
  json_object_set_int_member (object, "formatVersion", self->format_version);

  array = json_array_new ();
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->organizations));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaOrganization) organization = g_list_model_get_item (G_LIST_MODEL (self->organizations), i);

      json_array_add_element (array, ba_organization_serialize (organization, include_unknown));
    }
  json_object_set_array_member (object, "organizations", g_steal_pointer (&array));

  if (include_unknown)
    _ba_json_add_unknown (object, self->unknown);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
}

/**
 * ba_store_save:
 * @self: a #BaStore
 * @error: return location for a #BaStoreError
 *
 * Writes the configuration, atomically and durably, with mode 0600 in a
 * folder created with mode 0700, after keeping the file it replaces as the
 * backup. Blocks on disk I/O; the window uses ba_store_save_async().
 *
 * Returns: %TRUE if the file now holds the organizations
 */
gboolean
ba_store_save (BaStore  *self,
               GError  **error)
{
  g_autoptr(SaveData) data = NULL;
  gboolean ret;

  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;

  data = save_data_new (self);
  ret = save_worker (self, data, error);
  apply_save_outcome (self, data);

  return ret;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BaStore *self = source_object;
  SaveData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!save_worker (self, data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_thread_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  BaStore *self = BA_STORE (object);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* Properties change here, on the caller's thread, before its callback runs. */
  apply_save_outcome (self, g_task_get_task_data (G_TASK (result)));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * ba_store_save_async:
 * @self: a #BaStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is written
 * @user_data: data for @callback
 *
 * Like ba_store_save(), in a thread. The configuration is taken when this is
 * called, so later changes do not leak into this save; saves finish in the
 * order they were started, and an older one never replaces a newer one.
 */
void
ba_store_save_async (BaStore             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  GError *error = NULL;

  g_return_if_fail (BA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_store_save_async);

  if (!check_writable (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  thread_task = g_task_new (self, cancellable, save_thread_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, save_thread);
  g_task_set_task_data (thread_task, save_data_new (self), (GDestroyNotify) save_data_free);
  g_task_run_in_thread (thread_task, save_thread);
}

gboolean
ba_store_save_finish (BaStore       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_store_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ba_store_restore_backup:
 * @self: a #BaStore
 * @error: return location for a #BaStoreError
 *
 * Makes the kept previous configuration the current one, on disk and in the
 * store. A good current file takes the backup's place, so a restore can be
 * undone by restoring again; a damaged one is set aside.
 *
 * Returns: %TRUE if the backup was restored
 */
gboolean
ba_store_restore_backup (BaStore  *self,
                         GError  **error)
{
  g_auto(Document) document = { 0, };
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *backup_path = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *current = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *aside = NULL;
  gsize backup_length = 0;
  gsize current_length = 0;

  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;

  backup_path = backup_path_for (self->path);

  if (!g_file_get_contents (backup_path, &backup, &backup_length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_NO_BACKUP,
                             _("There is no backup of the configuration to restore"));
      else
        g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_NO_BACKUP,
                     _("The backup of the configuration cannot be read: %s"),
                     local_error->message);
      set_backup_available (self, FALSE);
      return FALSE;
    }

  if (!parse_document (backup, backup_length, &document, &local_error))
    {
      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_CORRUPT,
                   _("The backup of the configuration is damaged: %s"),
                   local_error->message);
      set_backup_available (self, FALSE);
      return FALSE;
    }

  if (document.version > BA_STORE_FORMAT_VERSION)
    {
      g_set_error_literal (error, BA_STORE_ERROR, BA_STORE_ERROR_FUTURE_VERSION,
                           _("The backup of the configuration was written by a newer version of Backup Access"));
      set_backup_available (self, FALSE);
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_file_get_contents (self->path, &current, &current_length, NULL) &&
      (current_length != backup_length || memcmp (current, backup, backup_length) != 0))
    {
      if (is_good_configuration (current, current_length))
        {
          if (!write_file (backup_path, current, current_length, error))
            return FALSE;
        }
      else if (!(aside = set_aside (self->path, error)))
        {
          return FALSE;
        }
    }

  if (!write_file (self->path, backup, backup_length, error))
    return FALSE;

  sync_directory (dir);

  g_clear_pointer (&self->known_good, g_bytes_unref);
  self->known_good = g_bytes_new (backup, backup_length);

  /* Saves started before the restore must not bring the old state back. */
  self->written_serial = ++self->save_serial;

  g_clear_pointer (&locker, g_mutex_locker_free);

  g_object_freeze_notify (G_OBJECT (self));

  replace_organizations (self, document.organizations);
  g_clear_pointer (&self->unknown, json_object_unref);
  self->unknown = g_steal_pointer (&document.unknown);
  self->format_version = document.version;
  set_load_error (self, NULL);
  set_set_aside_path (self, aside);
  update_backup_available (self);

  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

/**
 * ba_store_add_organization:
 * @self: a #BaStore
 * @organization: a #BaOrganization
 * @error: return location for a #BA_STORE_ERROR_DUPLICATE error
 *
 * Returns: %TRUE if added; %FALSE if the store already has an organization
 *   with the same tenant id
 */
gboolean
ba_store_add_organization (BaStore         *self,
                           BaOrganization  *organization,
                           GError         **error)
{
  BaOrganization *existing;

  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), FALSE);
  g_return_val_if_fail (ba_organization_get_tenant_id (organization) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  existing = ba_store_find_organization (self, ba_organization_get_tenant_id (organization));
  if (existing != NULL)
    {
      const char *name = ba_organization_get_name (existing);

      g_set_error (error, BA_STORE_ERROR, BA_STORE_ERROR_DUPLICATE,
                   _("The organization “%s” (tenant %s) is already in the configuration"),
                   name != NULL ? name : ba_organization_get_tenant_id (existing),
                   ba_organization_get_tenant_id (existing));
      return FALSE;
    }

  connect_organization (self, organization);
  g_list_store_append (self->organizations, organization);
  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

/**
 * ba_store_remove_organization:
 * @self: a #BaStore
 * @organization: a #BaOrganization
 *
 * Returns: %TRUE if @organization was in the store and was removed
 */
gboolean
ba_store_remove_organization (BaStore        *self,
                              BaOrganization *organization)
{
  guint position;

  g_return_val_if_fail (BA_IS_STORE (self), FALSE);
  g_return_val_if_fail (BA_IS_ORGANIZATION (organization), FALSE);

  if (!g_list_store_find (self->organizations, organization, &position))
    return FALSE;

  disconnect_organization (self, organization);
  g_list_store_remove (self->organizations, position);
  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

/**
 * ba_store_find_organization:
 * @self: a #BaStore
 * @tenant_id: a tenant id, compared without regard to case
 *
 * Returns: (transfer none) (nullable): the organization, or %NULL
 */
BaOrganization *
ba_store_find_organization (BaStore    *self,
                            const char *tenant_id)
{
  guint n_items;

  g_return_val_if_fail (BA_IS_STORE (self), NULL);
  g_return_val_if_fail (tenant_id != NULL, NULL);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->organizations));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(BaOrganization) organization = g_list_model_get_item (G_LIST_MODEL (self->organizations), i);
      const char *id = ba_organization_get_tenant_id (organization);

      if (id != NULL && g_ascii_strcasecmp (id, tenant_id) == 0)
        return organization;
    }

  return NULL;
}
