/* ba-bench-probe.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-bench-probe.h"

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  BaBenchProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_tick != 0)
    probe->longest_tick = MAX (probe->longest_tick, now - probe->last_tick);
  probe->last_tick = now;
  probe->n_ticks++;

  return G_SOURCE_CONTINUE;
}

static gboolean
turn_cb (gpointer user_data)
{
  BaBenchProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_turn != 0)
    probe->longest_turn = MAX (probe->longest_turn, now - probe->last_turn);
  probe->last_turn = now;

  return G_SOURCE_CONTINUE;
}

/* Starts measuring afresh, the frames of @widget and the main loop. */
void
ba_bench_probe_start (BaBenchProbe *probe,
                      GtkWidget    *widget)
{
  *probe = (BaBenchProbe) { 0 };
  probe->widget = widget;
  probe->tick_id = gtk_widget_add_tick_callback (widget, tick_cb, probe, NULL);
  probe->turn_id = g_timeout_add (1, turn_cb, probe);
}

void
ba_bench_probe_stop (BaBenchProbe *probe)
{
  gtk_widget_remove_tick_callback (probe->widget, probe->tick_id);
  g_source_remove (probe->turn_id);
  probe->tick_id = 0;
  probe->turn_id = 0;
}
