#!/usr/bin/env bash
# .ci/image_requirements.sh BASE_IMAGE -- print the Action image's requirements, one a line: the
# runtime dependencies and the PostgreSQL extra from pyproject.toml (the Dockerfile installs the same).
# Read by the base image's Python (3.11 or later, which the image needs anyway), not the host's:
# tomllib is 3.11's, and the package itself runs on 3.10 (requires-python), so a clone set up on
# Ubuntu 22.04 (python3 is 3.10) failed the README's docker recipe with a traceback here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BASE=${1:?usage: .ci/image_requirements.sh BASE_IMAGE}
docker run --rm -i --network none --entrypoint python3 "$BASE" -c '
import sys, tomllib
p = tomllib.load(sys.stdin.buffer)["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["postgres"]))' < pyproject.toml
