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
    # the runtime dependencies and the PostgreSQL driver (psycopg2-binary; its size is cut below)
    python -c "import tomllib; p = tomllib.load(open('/build/pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgres']))" > /build/requirements.txt; \
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
    # edn_format requires pytz (2.8 MB, mostly its time-zone files) but no longer imports it: its
    # #inst dates go through pyRFC3339, which uses the standard library's time zones.
    /opt/venv/bin/pip uninstall -y -q cryptography pycparser pytz pip setuptools wheel 2>/dev/null || true; \
    find /opt/venv \( -name '__pycache__' -o -name 'tests' -o -name 'test' \) -type d -prune -exec rm -rf {} +; \
    find /opt/venv \( -name '*.pyi' -o -name 'py.typed' \) -delete; \
    # PyYAML's C speed-up (2.7 MB) only speeds up reading the one small config file: without it
    # PyYAML uses its pure-Python reader. playhouse holds peewee's extensions, never imported, and
    # pwiz.py its model generator. cffi's Python package (0.4 MB) builds bindings: PyNaCl's compiled
    # one loads only _cffi_backend, which stays. The RECORDs list files for pip, which is gone.
    site=$(echo /opt/venv/lib/python3*/site-packages); \
    rm -rf "$site"/yaml/_yaml.*.so "$site"/playhouse "$site"/pwiz.py "$site"/peewee-stubs "$site"/cffi "$site"/*.dist-info/RECORD; \
    # psycopg2-binary bundles 11 MB of libraries; OpenSSL (7.7 MB) and Kerberos (1.7 MB) are in the
    # base image already, same sonames, and libpq asks only for their base symbol versions
    # (OPENSSL_3.0.0, *_MIT): each bundled copy becomes a link to the base's library (one OpenSSL in
    # the process, the one the base keeps patched). libldap, liblber, libsasl2 and libcrypt stay.
    # Then SELinux and PCRE, which only the bundled krb5support needed, go.
    libs=$(echo /opt/venv/lib/python3*/site-packages/psycopg2_binary.libs); \
    for pair in libssl:libssl.so.3 libcrypto:libcrypto.so.3 libgssapi_krb5:libgssapi_krb5.so.2 libkrb5:libkrb5.so.3 \
                libkrb5support:libkrb5support.so.0 libk5crypto:libk5crypto.so.3 libcom_err:libcom_err.so.2 \
                libkeyutils:libkeyutils.so.1; do \
        system=$(ldconfig -p | awk -v s="${pair#*:}" '$1 == s {print $NF; exit}'); \
        for f in "$libs"/"${pair%%:*}"-*.so*; do \
            if [ -f "$f" ] && [ -n "$system" ]; then ln -sf "$system" "$f"; fi; \
        done; \
    done; \
    if [ -L "$(ls "$libs"/libkrb5support-*.so* 2>/dev/null | head -1)" ]; then rm -f "$libs"/libselinux-* "$libs"/libpcre-*; fi; \
    # symbol tables out of the compiled extensions (pyoxigraph 21 -> 17.3 MB, PyNaCl 3.7 -> 0.6 MB):
    # .ci/wheels.sh strips them in the wheels for the offline build; here when binutils is at hand
    if ! command -v strip >/dev/null && ! ls /build/*.whl >/dev/null 2>&1; then \
        (apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils) >/dev/null 2>&1 || true; \
    fi; \
    if command -v strip >/dev/null; then \
        find /opt/venv -name '*.so' -not -path '*.libs/*' -exec strip --strip-unneeded {} +; \
    fi; \
    # everything that was cut must still load (and an EDN date parse, pytz gone)
    /opt/venv/bin/python -c "import psycopg2, psycopg2.extras, pyoxigraph, nacl.bindings, github, peewee, edn_format; \
print('imports ok', psycopg2.__libpq_version__, edn_format.loads('#inst \"2020-01-01T00:00:00+02:00\"').utcoffset())"

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="ontosync" \
      org.opencontainers.image.description="Sync an ontology repository into a SQLite database or a PostgreSQL server (GitHub Action)" \
      org.opencontainers.image.licenses="MIT"
COPY --from=deps /opt/venv /opt/venv
COPY pyproject.toml entrypoint.py LICENSE /app/
COPY migrations/ /app/migrations/
COPY ontosync/ /app/ontosync/
# Bytecode for what a run imports, written once here: the container runs with
# PYTHONDONTWRITEBYTECODE (below), so without it every Action step compiled ontosync and the GitHub
# client again (~0.4 s of CPU a run; tests/test_image_registry.py). Importing every ontosync module
# writes the .pyc of exactly the modules a run can import, not the whole venv's; the second line
# names the dependencies ontosync imports inside functions. peewee's (0.6 MB) is removed again:
# only PostgreSQL runs read it, and the image must stay under its 35 MB budget. A base image may
# set PYTHONDONTWRITEBYTECODE itself (Debian-based ones do): unset for this one step.
RUN env -u PYTHONDONTWRITEBYTECODE PYTHONPATH=/app /opt/venv/bin/python -c "import importlib, pathlib, ontosync; \
import backoff, edn_format, github, github.Auth, multiprocessing.connection, psycopg2.extensions, psycopg2.extras, requests, resource, wcmatch.glob, yaml; \
root = pathlib.Path(ontosync.__file__).parent; \
[importlib.import_module('.'.join(('ontosync',) + p.relative_to(root).with_suffix('').parts).removesuffix('.__init__')) \
 for p in sorted(root.rglob('*.py')) if p.name != '__main__.py']" \
    && rm -f /opt/venv/lib/python3*/site-packages/__pycache__/peewee.*.pyc
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
