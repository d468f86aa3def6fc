#!/usr/bin/env bash
# .ci/wheels.sh [BASE_IMAGE] -- the Action image's runtime dependencies as wheels in ./wheels, for
# the Python inside BASE_IMAGE (default python:3.12-slim, the Dockerfile's), so that
# `docker build --network none --build-arg BASE_IMAGE=... -t ontosync .` installs them with no
# network (the Dockerfile installs from wheels/ when it holds wheels). Needs docker (to ask the base
# image for its Python version and to read pyproject.toml: .ci/image_requirements.sh) and pip (any
# Python 3.10+) with access to a package index on the host. Used by the
# README's docker recipe and by .ci/docker.sh. Environment: PYTHON (default .venv/bin/python, else
# python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BASE=${1:-python:3.12-slim}
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

PYVER=$(docker run --rm --network none --entrypoint python3 "$BASE" -c \
  'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
ABI="cp${PYVER/./}"
echo "base image $BASE: Python $PYVER"
req=$(mktemp)
trap 'rm -f "$req"' EXIT
# the runtime dependencies and the PostgreSQL driver (the image carries it: Dockerfile)
bash .ci/image_requirements.sh "$BASE" > "$req"
mkdir -p wheels
"$PYTHON" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  --python-version "$PYVER" --implementation cp --abi "$ABI" \
  --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_34_x86_64 \
  -d wheels -r "$req" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
"$PYTHON" .ci/strip_wheels.py wheels  # symbol tables out of the extensions (the image's size budget)
echo "wheels: $(find wheels -name '*.whl' | wc -l) files, $(du -sh wheels | cut -f1)"
