/* ba-bench-emulator.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-bench-emulator.h"
#include "ba-test-emulator-utils.h"

struct _BaBenchEmulator
{
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  BaGraphEmulator *emulator;

  GMutex   lock;
  GCond    cond;
  gboolean ready;
  gboolean parked;
  gboolean held;
};

static gpointer
emulator_thread (gpointer user_data)
{
  BaBenchEmulator *self = user_data;

  g_main_context_push_thread_default (self->context);

  /* Made here, so that its server listens and answers on this context; it
   * also points BA_GRAPH_URL and BA_AUTHORITY_URL at itself, while the main
   * thread waits. */
  g_mutex_lock (&self->lock);
  self->emulator = ba_test_emulator_new (NULL);
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  g_clear_object (&self->emulator);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/* With @own_thread FALSE, the emulator runs on the caller's main loop and
 * holding it costs nothing. */
BaBenchEmulator *
ba_bench_emulator_start (gboolean own_thread)
{
  BaBenchEmulator *self = g_new0 (BaBenchEmulator, 1);

  if (!own_thread)
    {
      self->emulator = ba_test_emulator_new (NULL);
      return self;
    }

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("ba-bench-emulator", emulator_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return self;
}

static gboolean
park_cb (gpointer user_data)
{
  BaBenchEmulator *self = user_data;

  g_mutex_lock (&self->lock);
  self->parked = TRUE;
  g_cond_broadcast (&self->cond);
  while (self->held)
    g_cond_wait (&self->cond, &self->lock);
  self->parked = FALSE;
  g_mutex_unlock (&self->lock);

  return G_SOURCE_REMOVE;
}

/* Parks the emulator's thread between two of its callbacks and returns the
 * emulator, to be used until ba_bench_emulator_release(). */
BaGraphEmulator *
ba_bench_emulator_hold (BaBenchEmulator *self)
{
  if (self->thread == NULL)
    return self->emulator;

  g_mutex_lock (&self->lock);
  g_assert (!self->held);
  self->held = TRUE;
  g_mutex_unlock (&self->lock);

  g_main_context_invoke (self->context, park_cb, self);

  g_mutex_lock (&self->lock);
  while (!self->parked)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return self->emulator;
}

void
ba_bench_emulator_release (BaBenchEmulator *self)
{
  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->held = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
ba_bench_emulator_stop (BaBenchEmulator *self)
{
  if (self->thread == NULL)
    {
      g_clear_object (&self->emulator);
      g_free (self);
      return;
    }

  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
