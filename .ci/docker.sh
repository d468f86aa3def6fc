#!/usr/bin/env bash
# .ci/docker.sh -- build the Action's image offline and run it as GitHub's runner does.
#
# Called by .ci/run from the project root (works from anywhere). Steps:
#   1. start the Docker engine and the local base image (../shared/container/engine.sh up, base)
#   2. download the runtime dependencies as wheels on the host, for the base image's Python
#   3. docker build --network none --build-arg BASE_IMAGE=... -t ontosync:test . (legacy builder)
#   4. print the image size and what ontosync adds to the base; fail at 35 MB or more
#   5. pytest -m docker with ONTOSYNC_REQUIRE_DOCKER=1 (so a missing engine fails, not skips) and
#      ONTOSYNC_REQUIRE_REGISTRY=1 (docker-registry installed here: push, pull by digest, cold starts)
#   6. engine.sh down, always (trap), unless ONTOSYNC_KEEP_ENGINE=1
# Environment: PYTHON (default .venv/bin/python, else python3), ONTOSYNC_SHARED (default ../shared),
# ONTOSYNC_IMAGE (default ontosync:test), extra pytest arguments as "$@".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SHARED=${ONTOSYNC_SHARED:-../shared}
ENGINE="$SHARED/container/engine.sh"
IMAGE=${ONTOSYNC_IMAGE:-ontosync:test}
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
[ -f "$ENGINE" ] || { echo "docker.sh: $ENGINE not found (shared/ must sit beside the project)" >&2; exit 1; }

# ONTOSYNC_KEEP_ENGINE=1: leave a Docker engine that was already running alone (a shared machine).
if [ "${ONTOSYNC_KEEP_ENGINE:-}" != 1 ]; then
  trap 'bash "$ENGINE" down || true' EXIT
fi
bash "$ENGINE" up
bash "$ENGINE" base
eval "$(bash "$ENGINE" env)"            # ONTOSYNC_BASE_IMAGE
BASE=${ONTOSYNC_BASE_IMAGE:?engine.sh env did not name the base image}

# 2. wheels for the interpreter inside the base image (not the host's)
PYTHON="$PYTHON" bash .ci/wheels.sh "$BASE"

# 3. build with the legacy builder, no network
start=$(date +%s)
DOCKER_BUILDKIT=0 docker build --network none --build-arg "BASE_IMAGE=$BASE" -t "$IMAGE" .
echo "built $IMAGE in $(( $(date +%s) - start )) s"

# 4. size
size=$(docker image inspect "$IMAGE" --format '{{.Size}}')
base_size=$(docker image inspect "$BASE" --format '{{.Size}}')
added=$(( size - base_size ))
echo "image $IMAGE: $(( size / 1000000 )) MB (base $BASE: $(( base_size / 1000000 )) MB, ontosync adds $(( added / 1000 )) kB)"
MAX_ADDED=${ONTOSYNC_MAX_IMAGE_ADDED:-35000000}  # bytes ontosync may add to the base image
if [ "$added" -ge "$MAX_ADDED" ]; then
  echo "docker.sh: the image adds $added bytes to its base, over the $MAX_ADDED allowed" >&2
  exit 1
fi

# 5. the docker tests, required to run, with a local registry for the published-image test
if ! command -v docker-registry >/dev/null; then
  apt-get install -y -q --no-install-recommends docker-registry >/dev/null 2>&1 \
    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-registry; }
fi
COLD_START=${ONTOSYNC_COLD_START_FILE:-${TMPDIR:-/tmp}/ontosync-cold-start.json}
set +e
ONTOSYNC_REQUIRE_DOCKER=1 ONTOSYNC_REQUIRE_REGISTRY=1 ONTOSYNC_IMAGE="$IMAGE" ONTOSYNC_BASE_IMAGE="$BASE" \
  ONTOSYNC_COLD_START_FILE="$COLD_START" "$PYTHON" -m pytest -m docker -p no:cacheprovider "$@"
status=$?
set -e
[ -f "$COLD_START" ] && echo "cold start (pull-and-run against build-and-run): $(tr -d '\n' < "$COLD_START")"
if [ "$status" -eq 5 ]; then echo "docker.sh: no docker test was collected" >&2; exit 1; fi
exit "$status"
