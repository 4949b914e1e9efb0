/* ba-test-emulator-utils.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include <libsoup/soup.h>

#include "ba-test-emulator-utils.h"
#include "ba-test-utils.h"

/* A new emulator, with sign-in and Graph pointed at it (BA_AUTHORITY_URL,
 * BA_GRAPH_URL); in @cloud, if given, the global cloud, which then resolves
 * to the emulator. */
BaGraphEmulator *
ba_test_emulator_new (BaCloud **cloud)
{
  BaGraphEmulator *emulator = ba_graph_emulator_new ();
  g_autoptr(GError) error = NULL;

  g_setenv ("BA_AUTHORITY_URL", ba_graph_emulator_get_url (emulator), TRUE);
  g_setenv ("BA_GRAPH_URL", ba_graph_emulator_get_url (emulator), TRUE);
  if (cloud != NULL)
    {
      *cloud = ba_cloud_new_from_settings (BA_CLOUD_KIND_GLOBAL, NULL, &error);
      g_assert_no_error (error);
    }

  return emulator;
}

static JsonObject *
post_form (const char *url,
           ...)
{
  g_autoptr(SoupSession) soup = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  char *form;
  va_list args;

  va_start (args, url);
  form = soup_form_encode_valist (va_arg (args, const char *), args);
  va_end (args);

  message = soup_message_new_from_encoded_form ("POST", url, form);
  soup_session_send_and_read_async (soup, message, G_PRIORITY_DEFAULT, NULL,
                                    ba_test_store_result_cb, &result);
  bytes = soup_session_send_and_read_finish (soup, ba_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The token response of a device-code sign-in the emulator approves at the
 * first poll. */
JsonObject *
ba_test_emulator_sign_in_tokens (BaGraphEmulator *emulator)
{
  g_autoptr(JsonObject) code = NULL;
  g_autofree char *devicecode_url = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *scope = g_strjoinv (" ", (char **) ba_session_default_scopes ());

  devicecode_url = g_strconcat (ba_graph_emulator_get_url (emulator), "/organizations/oauth2/v2.0/devicecode", NULL);
  token_url = g_strconcat (ba_graph_emulator_get_url (emulator), "/organizations/oauth2/v2.0/token", NULL);

  code = post_form (devicecode_url, "client_id", BA_TEST_CLIENT_ID, "scope", scope, NULL);
  ba_graph_emulator_script_polls (emulator, BA_EMULATOR_POLL_APPROVED, NULL);

  return post_form (token_url,
                    "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                    "client_id", BA_TEST_CLIENT_ID,
                    "device_code", json_object_get_string_member (code, "device_code"),
                    NULL);
}

/* A signed-in admin, the way a device-code sign-in makes one. */
BaSession *
ba_test_emulator_sign_in (BaGraphEmulator *emulator,
                          BaCloud         *cloud)
{
  g_autoptr(BaSession) session = ba_session_new (cloud, BA_TEST_CLIENT_ID);
  g_autoptr(JsonObject) tokens = ba_test_emulator_sign_in_tokens (emulator);
  g_autoptr(GError) error = NULL;

  g_assert_true (ba_session_take_token_response (session, tokens, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&session);
}

/* One request of @client, waited for on the main context. */
JsonNode *
ba_test_graph_request (BaGraphClient  *client,
                       const char     *method,
                       const char     *path,
                       JsonNode       *body,
                       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ba_graph_client_request_async (client, method, path, body, NULL, NULL, ba_test_store_result_cb, &result);
  return ba_graph_client_request_finish (client, ba_test_wait_for_result (&result), error);
}
