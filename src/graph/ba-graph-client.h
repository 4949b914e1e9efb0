/* ba-graph-client.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ba-cloud.h"
#include "ba-session.h"

G_BEGIN_DECLS

#define BA_GRAPH_ERROR (ba_graph_error_quark ())

/* Mapped from the HTTP status and the Graph error body's error.code. */
typedef enum
{
  BA_GRAPH_ERROR_FAILED,            /* anything else */
  BA_GRAPH_ERROR_BAD_REQUEST,       /* 400 */
  BA_GRAPH_ERROR_UNAUTHORIZED,      /* 401 after one refresh and retry */
  BA_GRAPH_ERROR_FORBIDDEN,         /* 403 Authorization_RequestDenied */
  BA_GRAPH_ERROR_NOT_FOUND,         /* 404 Request_ResourceNotFound */
  BA_GRAPH_ERROR_CONFLICT,          /* 409 */
  BA_GRAPH_ERROR_THROTTLED,         /* 429 after the bounded retries */
  BA_GRAPH_ERROR_UNAVAILABLE,       /* 5xx or a dropped connection after the bounded retries */
  BA_GRAPH_ERROR_INVALID_RESPONSE,  /* not JSON, truncated, or not the expected shape */
  BA_GRAPH_ERROR_NO_BACKING_APPLICATION, /* 400 NoBackingApplicationObject (replication) */
} BaGraphError;

/* What a support dialog shows of the last failed request; nothing secret. */
typedef struct
{
  guint status;
  char *code;              /* error.code, or NULL */
  char *message;           /* error.message, or NULL (server text, untranslated) */
  char *request_id;
  char *client_request_id;
  char *date;
} BaGraphFailure;

#define BA_TYPE_GRAPH_FAILURE (ba_graph_failure_get_type ())
GType           ba_graph_failure_get_type (void) G_GNUC_CONST;
BaGraphFailure *ba_graph_failure_copy     (const BaGraphFailure *failure);
void            ba_graph_failure_free     (BaGraphFailure       *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaGraphFailure, ba_graph_failure_free)

/* Called once per page of a collection, in order, on the main context. */
typedef void (*BaGraphPageFunc) (JsonArray *page,
                                 gpointer   user_data);

#define BA_TYPE_GRAPH_CLIENT (ba_graph_client_get_type ())

G_DECLARE_FINAL_TYPE (BaGraphClient, ba_graph_client, BA, GRAPH_CLIENT, GObject)

GQuark          ba_graph_error_quark              (void);

/* Requests go to ba_cloud_get_graph_url (cloud) + "/v1.0" + path; a path
 * that is an absolute URL (an @odata.nextLink) is used as it is, but only
 * on the Graph host. Tokens come from the session. */
BaGraphClient  *ba_graph_client_new               (BaCloud              *cloud,
                                                   BaSession            *session);
BaCloud        *ba_graph_client_get_cloud         (BaGraphClient        *self);
BaSession      *ba_graph_client_get_session       (BaGraphClient        *self);

/* Bounded retries on 429/503 (Retry-After honoured, all requests of this
 * client pause together), on 5xx and dropped connections (exponential
 * backoff with jitter from base_delay_ms, capped at max_delay_ms). The
 * defaults are 5 retries, 1000 ms, 30000 ms; tests shorten them. */
void            ba_graph_client_set_retry_policy  (BaGraphClient        *self,
                                                   guint                 max_retries,
                                                   guint                 base_delay_ms,
                                                   guint                 max_delay_ms);

/* A POST (which creates) is not sent again after a dropped connection or a
 * 5xx other than 503, because the first may have been done: the caller
 * decides (the provisioner looks for the object first). body may be NULL.
 * Returns the response JSON, or NULL without an error for
 * an empty (204) answer. extra_headers (nullable, name → value) are sent
 * too, e.g. ConsistencyLevel: eventual. */
void            ba_graph_client_request_async     (BaGraphClient        *self,
                                                   const char           *method,
                                                   const char           *path,
                                                   JsonNode             *body,
                                                   GHashTable           *extra_headers,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JsonNode       *ba_graph_client_request_finish    (BaGraphClient        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void            ba_graph_client_get_async         (BaGraphClient        *self,
                                                   const char           *path,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JsonNode       *ba_graph_client_get_finish        (BaGraphClient        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Follows @odata.nextLink to the end; page_func (nullable) sees each page
 * as it arrives; the result is every item of every page. */
void            ba_graph_client_get_all_async     (BaGraphClient        *self,
                                                   const char           *path,
                                                   GHashTable           *extra_headers,
                                                   BaGraphPageFunc       page_func,
                                                   gpointer              page_data,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JsonArray      *ba_graph_client_get_all_finish    (BaGraphClient        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* The details of the last failed request of this client whose result was
 * finished, or NULL: read it right after the _finish () that failed, in the
 * same callback, and it is that request's even with others in flight. */
const BaGraphFailure *ba_graph_client_get_last_failure (BaGraphClient   *self);

/* GET /organization: the signed-in tenant's ID and display name (the
 * latter may be NULL). */
void            ba_graph_client_get_organization_async  (BaGraphClient        *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean        ba_graph_client_get_organization_finish (BaGraphClient        *self,
                                                         GAsyncResult         *result,
                                                         char                **tenant_id,
                                                         char                **display_name,
                                                         GError              **error);

G_END_DECLS
