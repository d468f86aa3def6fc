#!/usr/bin/env bash
# Fetch the W3C RDF syntax test suites (Turtle, N-Triples, RDF/XML) for tests/test_w3c.py.
#
# The suites are public (W3C test suite licence / 3-clause BSD) and ship inside rdflib's source
# distribution on PyPI, under test/data/suites/w3c/. This downloads that sdist with pip (the only
# network access; tests never reach the network), checks its hash, and extracts just the three
# suites to tests/w3c/suites/{turtle,ntriples,rdf-xml}. The folder is not committed (.gitignore).
#
# Usage: bash tests/w3c/fetch.sh          (again: does nothing once the suites are there)
# Env:   PYTHON=/path/to/python           (default: the repository's .venv, else python3)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="7.6.0"
sha256="6c831288d5e4a5a7ece85d0ccde9877d512a3d0f02d7c06455d00d6d0ea379df"
suites=(turtle ntriples rdf-xml)
dest="$here/suites"
marker="$dest/.fetched-rdflib-$version"

if [ -f "$marker" ]; then
  echo "W3C suites already in $dest (rdflib $version)"
  exit 0
fi

python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$repo/.venv/bin/python" ]; then python="$repo/.venv/bin/python"; else python="python3"; fi
fi

cache="$dest/.download"
mkdir -p "$cache"
archive="$cache/rdflib-$version.tar.gz"
if [ ! -f "$archive" ]; then
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "rdflib==$version" -d "$cache"
fi
echo "$sha256  $archive" | sha256sum --check --quiet - || {
  echo "fetch.sh: $archive does not have the expected sha256; removed" >&2
  rm -f "$archive"
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
members=()
for s in "${suites[@]}"; do members+=("rdflib-$version/test/data/suites/w3c/$s"); done
tar -xzf "$archive" -C "$work" "${members[@]}"
for s in "${suites[@]}"; do
  rm -rf "${dest:?}/$s"
  mv "$work/rdflib-$version/test/data/suites/w3c/$s" "$dest/$s"
  test -f "$dest/$s/manifest.ttl"
done
rm -rf "$cache"
touch "$marker"
echo "W3C suites (${suites[*]}) extracted to $dest from rdflib $version"
