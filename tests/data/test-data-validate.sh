#!/usr/bin/env bash
# Validates the desktop file, AppStream metainfo, GSettings schema and the
# icon, reporting each as a TAP test case.
# Usage: test-data-validate.sh DESKTOP METAINFO SCHEMA_DIR ICON
set -u
desktop=$1 metainfo=$2 schemadir=$3 icon=$4
n=0 failed=0
echo "1..4"

check() {
  local name=$1; shift
  local out
  n=$((n + 1))
  if out=$("$@" 2>&1); then
    echo "ok $n - $name"
  else
    failed=1
    echo "not ok $n - $name"
    printf '%s\n' "$out" | sed 's/^/# /'
  fi
}

check "desktop file validates" desktop-file-validate "$desktop"
check "metainfo validates" appstreamcli validate --no-net --pedantic "$metainfo"
check "gsettings schema compiles strictly" glib-compile-schemas --strict --dry-run "$schemadir"
check "icon is a well-formed 128x128 SVG" python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1]).documentElement
assert d.tagName == "svg", "root is not <svg>"
assert d.getAttribute("viewBox") == "0 0 128 128", "viewBox is not 0 0 128 128"
' "$icon"
exit $failed
