/* ba-bench-emulator.h
 *
 * Copyright 2026 The Backup Access authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-graph-emulator.h"

G_BEGIN_DECLS

/* The emulator on a thread and main context of its own, as Microsoft's
 * services are in another place: what it costs to answer is then not part
 * of what the window's main loop is measured to do. Its knobs may only be
 * touched between hold() and release(), while its thread is parked. */
typedef struct _BaBenchEmulator BaBenchEmulator;

BaBenchEmulator *ba_bench_emulator_start   (gboolean         own_thread);
BaGraphEmulator *ba_bench_emulator_hold    (BaBenchEmulator *self);
void             ba_bench_emulator_release (BaBenchEmulator *self);
void             ba_bench_emulator_stop    (BaBenchEmulator *self);

G_END_DECLS
