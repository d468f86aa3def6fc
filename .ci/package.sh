#!/usr/bin/env bash
# .ci/package.sh -- the built packages work with no source tree: `python -m build` gives a wheel and
# an sdist; each is installed into a fresh virtual environment in $TMPDIR (outside the checkout),
# then, from a folder outside the checkout, the bundled example is synced and `verify` must exit 0.
# The example is synced twice, the second run finding every file unchanged, and `migrate` must find
# nothing to do: the installed package carries every migration. .ci/package_contents.py checks what
# else ships: the licence text in both, and no test modules in the sdist without what they import.
# Environment: PYTHON (default .venv/bin/python, else python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ontosync-package.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PYTHON" -m build --outdir "$WORK/dist" . > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
wheel=$(ls "$WORK"/dist/*.whl)
sdist=$(ls "$WORK"/dist/*.tar.gz)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB), $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB)"
"$PYTHON" - "$wheel" <<'PY'
import pathlib, sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
expected = {"ontosync/migrations/" + p.relative_to("migrations").as_posix() for p in pathlib.Path("migrations").rglob("*.sql")}
missing = sorted(expected - names)
assert not missing, f"package.sh: migrations missing from the wheel: {missing}"
print(f"the wheel holds all {len(expected)} migration files")
PY
"$PYTHON" .ci/package_contents.py "$wheel" "$sdist"

for kind in wheel sdist; do
  artifact=$wheel; [ "$kind" = sdist ] && artifact=$sdist
  venv="$WORK/venv-$kind"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$artifact"
  run="$WORK/run-$kind"
  mkdir -p "$run"
  cd "$run"  # no source tree here: the package must find its migrations itself
  "$venv/bin/python" -c 'import ontosync, sys; assert "'"$ROOT"'" not in ontosync.__file__, ontosync.__file__'
  "$venv/bin/ontosync" sync "$ROOT/examples/ontology" --db example.db --quiet
  "$venv/bin/ontosync" sync "$ROOT/examples/ontology" --db example.db --quiet
  "$venv/bin/ontosync" verify --db example.db
  "$venv/bin/ontosync" migrate --db example.db
  "$venv/bin/python" - <<'PY'
import json, sqlite3
db = sqlite3.connect("example.db")
classes = db.execute("SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL").fetchone()[0]
files = db.execute("SELECT count(*) FROM source_files WHERE status = 'ok'").fetchone()[0]
assert classes > 0 and files > 0, (classes, files)
print(f"  {files} files, {classes} classes in the database")
PY
  cd "$ROOT"
  echo "package.sh: the $kind installs, syncs the example and verifies"
done
