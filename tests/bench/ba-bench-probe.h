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
 * timeout, in microseconds. A stall is wall time; on a shared or virtual
 * machine the main thread may simply not have been running for part of it,
 * so the probe also keeps the processor time the main thread used in that
 * turn, the most it used in any one turn, and the time the machine's
 * processors were taken away (steal, from /proc/stat, when it has it). */
typedef struct
{
  gint64     longest_tick;
  guint      n_ticks;
  gint64     longest_turn;
  gint64     longest_turn_cpu;
  gint64     busiest_turn_cpu;
  gint64     steal;

  /*< private >*/
  GtkWidget *widget;
  gint64     last_tick;
  gint64     last_turn;
  gint64     last_turn_cpu;
  gint64     steal_at_start;
  guint      tick_id;
  guint      turn_id;
} BaBenchProbe;

void        ba_bench_probe_start        (BaBenchProbe *probe,
                                         GtkWidget    *widget);
void        ba_bench_probe_stop         (BaBenchProbe *probe);
void        ba_bench_probe_print        (BaBenchProbe *probe,
                                         const char   *prefix);
void        ba_bench_print_spread       (const char   *what,
                                         GArray       *samples);

G_END_DECLS
