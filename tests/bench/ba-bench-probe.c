/* ba-bench-probe.c
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ba-config.h"

#include "ba-bench-probe.h"

#include <time.h>
#include <unistd.h>

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

/* Processor time of the calling thread, in microseconds. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Steal time of all processors, in microseconds, or -1. */
static gint64
steal_time (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  long ticks = sysconf (_SC_CLK_TCK);

  if (ticks <= 0 || !g_file_get_contents ("/proc/stat", &stat, NULL, NULL) ||
      !g_str_has_prefix (stat, "cpu "))
    return -1;
  /* cpu user nice system idle iowait irq softirq steal … */
  fields = g_strsplit_set (stat + 4, " \n", 10);
  for (guint i = 0, n = 0; fields[i] != NULL; i++)
    {
      if (*fields[i] == '\0')
        continue;
      if (n++ == 7)
        return g_ascii_strtoll (fields[i], NULL, 10) * G_USEC_PER_SEC / ticks;
    }
  return -1;
}

static gboolean
turn_cb (gpointer user_data)
{
  BaBenchProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_time ();

  if (probe->last_turn != 0)
    {
      if (now - probe->last_turn > probe->longest_turn)
        {
          probe->longest_turn = now - probe->last_turn;
          probe->longest_turn_cpu = cpu - probe->last_turn_cpu;
        }
      probe->busiest_turn_cpu = MAX (probe->busiest_turn_cpu, cpu - probe->last_turn_cpu);
    }
  probe->last_turn = now;
  probe->last_turn_cpu = cpu;

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
  probe->steal_at_start = steal_time ();
}

void
ba_bench_probe_stop (BaBenchProbe *probe)
{
  gtk_widget_remove_tick_callback (probe->widget, probe->tick_id);
  g_source_remove (probe->turn_id);
  probe->tick_id = 0;
  probe->turn_id = 0;
  probe->steal = probe->steal_at_start >= 0 ? steal_time () - probe->steal_at_start : -1;
}

/* Prints the figures, each line starting with @prefix. */
void
ba_bench_probe_print (BaBenchProbe *probe,
                      const char   *prefix)
{
  g_print ("%s: longest main-loop stall %.1f ms (1 ms timeout probe), the main thread running %.1f ms of it\n",
           prefix, probe->longest_turn / 1000.0, probe->longest_turn_cpu / 1000.0);
  g_print ("%s: most processor time the main thread used in one turn %.1f ms\n",
           prefix, probe->busiest_turn_cpu / 1000.0);
  g_print ("%s: longest gap between frames %.1f ms (%u frames)\n",
           prefix, probe->longest_tick / 1000.0, probe->n_ticks);
  if (probe->steal >= 0)
    g_print ("%s: processor time stolen by the host meanwhile %.1f ms\n",
             prefix, probe->steal / 1000.0);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* One figure over several runs, @samples in microseconds (sorted here):
 * median, least and most, in milliseconds. */
void
ba_bench_print_spread (const char *what,
                       GArray     *samples)
{
  guint n = samples->len;
  gint64 median;

  g_return_if_fail (n > 0);

  g_array_sort (samples, compare_int64);
  median = n % 2 == 1
           ? g_array_index (samples, gint64, n / 2)
           : (g_array_index (samples, gint64, n / 2 - 1) + g_array_index (samples, gint64, n / 2)) / 2;
  g_print ("%s: median %.1f ms, min %.1f ms, max %.1f ms (%u runs)\n", what,
           median / 1000.0,
           g_array_index (samples, gint64, 0) / 1000.0,
           g_array_index (samples, gint64, n - 1) / 1000.0,
           n);
}
