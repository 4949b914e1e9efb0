#!/usr/bin/env python3
# check-po.py — translations are complete and nothing translatable is missed.
#
# Copyright 2026 The Backup Access authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-po.py SOURCE_ROOT (potfiles|translations)
#
# potfiles: every file with a translatable string is listed in po/POTFILES.in,
#           and every listed file exists.
# translations: every language in po/LINGUAS translates every message that
#           xgettext finds today, with nothing fuzzy, and msgfmt --check passes.
# Prints TAP.

import os
import re
import subprocess
import sys
import tempfile

root, mode = sys.argv[1], sys.argv[2]

C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)\s*\(')
UI_MARKER = re.compile(r'translatable="yes"')
DATA_FILES = ('.desktop.in.in', '.metainfo.xml.in.in', '.gschema.xml')
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments', '--package-name=backup-access',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dngettext:2,3', '--keyword=ngettext:1,2',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_set_error:4:c-format', '--flag=g_printerr:1:c-format', '--flag=g_print:1:c-format',
]

results = []


def check(ok, name, detail=''):
    results.append((ok, name, detail))


def listed_files():
    with open(os.path.join(root, 'po', 'POTFILES.in')) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith('#')]


def translatable_files():
    found = []
    for top in ('src', 'ui', 'data'):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if name.endswith('.c'):
                    with open(path, encoding='utf-8') as f:
                        if C_MARKERS.search(f.read()):
                            found.append(rel)
                elif name.endswith('.ui'):
                    with open(path, encoding='utf-8') as f:
                        if UI_MARKER.search(f.read()):
                            found.append(rel)
                elif name.endswith(DATA_FILES):
                    found.append(rel)
    return sorted(found)


if mode == 'potfiles':
    listed = listed_files()
    for rel in translatable_files():
        check(rel in listed, f'{rel} is in po/POTFILES.in')
    for rel in listed:
        check(os.path.exists(os.path.join(root, rel)), f'{rel} listed in po/POTFILES.in exists')
    check(listed == sorted(listed), 'po/POTFILES.in is sorted')
elif mode == 'translations':
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'backup-access.pot')
        subprocess.run(['xgettext', '-o', pot, '--files-from=po/POTFILES.in', *XGETTEXT_ARGS],
                       cwd=root, check=True)
        with open(os.path.join(root, 'po', 'LINGUAS')) as f:
            languages = [w for line in f for w in line.split() if not line.startswith('#')]
        check(len(languages) > 0, 'po/LINGUAS names at least one language')
        for lang in languages:
            po = os.path.join(root, 'po', lang + '.po')
            check(os.path.exists(po), f'po/{lang}.po exists')
            if not os.path.exists(po):
                continue
            fmt = subprocess.run(['msgfmt', '--check', '-o', os.devnull, po],
                                 capture_output=True, text=True)
            check(fmt.returncode == 0, f'{lang}: msgfmt --check', fmt.stderr)
            merged = os.path.join(tmp, lang + '.po')
            subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot],
                           check=True)
            missing = subprocess.run(['msgattrib', '--no-wrap', '--untranslated', '--no-obsolete', merged],
                                     capture_output=True, text=True, check=True).stdout
            ids = re.findall(r'^msgid "(.+)"$', missing, re.M)
            check(not ids, f'{lang}: every message is translated',
                  '\n'.join(ids[:40]))
            fuzzy = subprocess.run(['msgattrib', '--no-wrap', '--only-fuzzy', '--no-obsolete', po],
                                   capture_output=True, text=True, check=True).stdout
            ids = re.findall(r'^msgid "(.+)"$', fuzzy, re.M)
            check(not ids, f'{lang}: nothing is fuzzy', '\n'.join(ids[:40]))
else:
    sys.exit(f'unknown mode {mode}')

print(f'1..{len(results)}')
for i, (ok, name, detail) in enumerate(results, 1):
    print(f'{"ok" if ok else "not ok"} {i} - {name}')
    if not ok and detail:
        for line in detail.splitlines():
            print(f'# {line}')
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
