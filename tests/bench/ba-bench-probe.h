/* ba-bench-probe.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How a window fares while work runs: the longest gap between two frames of
 * a widget, and the longest the main loop went without running a 1 ms
 * timeout, in microseconds. */
typedef struct
{
  gint64     longest_tick;
  guint      n_ticks;
  gint64     longest_turn;

  /*< private >*/
  GtkWidget *widget;
  gint64     last_tick;
  gint64     last_turn;
  guint      tick_id;
  guint      turn_id;
} BaBenchProbe;

void        ba_bench_probe_start        (BaBenchProbe *probe,
                                         GtkWidget    *widget);
void        ba_bench_probe_stop         (BaBenchProbe *probe);

G_END_DECLS
