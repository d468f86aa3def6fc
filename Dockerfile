# The ontosync GitHub Action image. Legacy-builder compatible (no BuildKit features).
#
#   docker build -t ontosync .                                     # dependencies from PyPI
#   docker build --network none --build-arg BASE_IMAGE=... -t ontosync .   # offline, from ./wheels
#
# When the build context has a wheels/ folder holding wheels (python3 -m pip download
# --only-binary=:all: -d wheels ...), the dependencies are installed from it with --no-index;
# otherwise from the package index. A builder stage installs them into /opt/venv, and only that
# venv and the code reach the final image, so the wheels add nothing to its size.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
# `wheel[s]` is a pattern: it matches nothing (and is skipped) when there is no wheels/ folder.
COPY pyproject.toml wheel[s] /build/
RUN set -eu; \
    python -m venv /opt/venv; \
    # the runtime dependencies only: the PostgreSQL driver (psycopg2-binary, 12 MB with its own
    # libpq, OpenSSL and Kerberos) would break the image's 35 MB budget; README: PostgreSQL
    python -c "import tomllib; p = tomllib.load(open('/build/pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies']))" > /build/requirements.txt; \
    cat /build/requirements.txt; \
    if ls /build/*.whl >/dev/null 2>&1; then \
        echo "installing from the wheels in the build context"; \
        /opt/venv/bin/pip install --no-index --find-links /build --no-compile -r /build/requirements.txt; \
    else \
        echo "no wheels in the build context: installing from the package index"; \
        /opt/venv/bin/pip install --no-compile -r /build/requirements.txt; \
    fi; \
    # PyGithub requires pyjwt[crypto] for GitHub App authentication, which ontosync never uses
    # (a token or none): cryptography is 16 MB of the image. pycparser only serves cffi's cdef
    # parser; PyNaCl's compiled binding needs neither. The image test imports the GitHub stack.
    /opt/venv/bin/pip uninstall -y -q cryptography pycparser pip setuptools wheel 2>/dev/null || true; \
    find /opt/venv \( -name '__pycache__' -o -name 'tests' -o -name 'test' \) -type d -prune -exec rm -rf {} +; \
    find /opt/venv \( -name '*.pyi' -o -name 'py.typed' \) -delete; \
    # PyYAML's C speed-up (2.7 MB) only speeds up reading the one small config file: without it
    # PyYAML uses its pure-Python reader. playhouse holds peewee's extensions, never imported.
    rm -rf /opt/venv/lib/python3*/site-packages/yaml/_yaml.*.so /opt/venv/lib/python3*/site-packages/playhouse

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="ontosync" \
      org.opencontainers.image.description="Sync an ontology repository into a SQLite database (GitHub Action)"
COPY --from=deps /opt/venv /opt/venv
COPY pyproject.toml entrypoint.py /app/
COPY migrations/ /app/migrations/
COPY ontosync/ /app/ontosync/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    ONTOSYNC_MIGRATIONS_DIR=/app/migrations \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LANG=C.UTF-8
# GitHub runs Docker actions as root (the default user) with the workspace mounted at
# /github/workspace and --workdir set to it.
WORKDIR /github/workspace
ENTRYPOINT ["python", "/app/entrypoint.py"]
