#!/usr/bin/env bash
# Checks po/POTFILES against the sources: every file with a translatable
# string is listed (else its strings never reach translators), and every
# listed file exists (else xgettext fails).  One TAP case each.
# Usage: test-potfiles.sh SOURCE_ROOT
set -u
root=$1
cd "$root" || exit 1
echo "1..2"

listed=$(grep -v '^#' po/POTFILES | sed '/^$/d' | sort)
# C files that call _(), N_(), C_() or ngettext; .ui files with
# translatable properties; the desktop, metainfo and schema sources.
found=$( { grep -lE '(^|[^A-Za-z0-9_])(N?_|C_|g_dngettext|ngettext) ?\(' app/*.c io/*.c io/*.cpp planner/*.c render/*.c 2>/dev/null;
           grep -l 'translatable="yes"' data/ui/*.ui 2>/dev/null;
           ls data/*.desktop.in data/*.metainfo.xml.in 2>/dev/null;
           grep -l '<summary>\|<description>' data/*.gschema.xml 2>/dev/null; } | sort -u)

missing=$(comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "$found"))
if [ -z "$missing" ]; then
  echo "ok 1 - every file with translatable strings is in po/POTFILES"
else
  echo "not ok 1 - files with translatable strings missing from po/POTFILES"
  printf '%s\n' "$missing" | sed 's/^/# /'
fi

gone=$(printf '%s\n' "$listed" | while read -r f; do [ -e "$f" ] || echo "$f"; done)
if [ -z "$gone" ]; then
  echo "ok 2 - every file in po/POTFILES exists"
else
  echo "not ok 2 - po/POTFILES lists files that do not exist"
  printf '%s\n' "$gone" | sed 's/^/# /'
fi
