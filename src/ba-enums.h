/* ba-enums.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The nicks are what the configuration file and `--json` output carry: they
 * are a contract with admins' scripts, so never rename one. */

typedef enum
{
  BA_CLOUD_KIND_GLOBAL,     /*< nick=global >*/
  BA_CLOUD_KIND_US_GOV_L4,  /*< nick=us-government-l4 >*/
  BA_CLOUD_KIND_US_GOV_L5,  /*< nick=us-government-l5 >*/
  BA_CLOUD_KIND_CHINA,      /*< nick=china >*/
} BaCloudKind;

typedef enum
{
  BA_AUTH_TYPE_MODERN_APP_ONLY, /*< nick=modern-app-only >*/
  BA_AUTH_TYPE_MODERN_LEGACY,   /*< nick=modern-legacy-protocols >*/
  BA_AUTH_TYPE_BASIC,           /*< nick=basic >*/
} BaAuthType;

typedef enum /*< flags >*/
{
  BA_SERVICE_NONE        = 0,       /*< skip >*/
  BA_SERVICE_EXCHANGE    = 1 << 0,  /*< nick=exchange-online >*/
  BA_SERVICE_SHAREPOINT  = 1 << 1,  /*< nick=sharepoint-online >*/
  BA_SERVICE_TEAMS       = 1 << 2,  /*< nick=teams >*/
  BA_SERVICE_TEAMS_CHATS = 1 << 3,  /*< nick=teams-chats >*/
} BaServices;

typedef enum
{
  BA_APPLICATION_ORIGIN_ORGANIZATION, /*< nick=organization >*/
  BA_APPLICATION_ORIGIN_CREATED,      /*< nick=created >*/
  BA_APPLICATION_ORIGIN_ADDED,        /*< nick=added >*/
} BaApplicationOrigin;

/* Steps of the provisioning journal, in the order they happen, so that a
 * resumed run can continue from the recorded step. */
typedef enum
{
  BA_PROVISIONING_STATE_READY,                     /*< nick=ready >*/
  BA_PROVISIONING_STATE_APPLICATION_CREATED,       /*< nick=application-created >*/
  BA_PROVISIONING_STATE_SERVICE_PRINCIPAL_CREATED, /*< nick=service-principal-created >*/
  BA_PROVISIONING_STATE_PERMISSIONS_GRANTED,       /*< nick=permissions-granted >*/
  BA_PROVISIONING_STATE_FAILED,                    /*< nick=failed >*/
  /* Recorded before POST /applications is sent, with the creation tag that
   * the request carries, so that a crash before its answer leaves a record
   * by which a resume finds the application. */
  BA_PROVISIONING_STATE_CREATING,                  /*< nick=creating >*/
} BaProvisioningState;

G_END_DECLS
