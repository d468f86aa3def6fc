#!/usr/bin/env bash
# Installs the Ontology Access Kit (oaklib) in its own virtual environment, apart from ontosync's,
# and prints the path of its `runoak`: tests/test_oak.py reads it from ONTOSYNC_RUNOAK.
# The venv is reused when it already answers, so a second run costs nothing.
set -euo pipefail
venv="${ONTOSYNC_OAK_VENV:-${TMPDIR:-/tmp}/ontosync-oak}"
if ! "$venv/bin/runoak" --help >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "oaklib${ONTOSYNC_OAK_VERSION:+==$ONTOSYNC_OAK_VERSION}" >&2
fi
echo "$venv/bin/runoak"
