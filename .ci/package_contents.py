"""What ships besides the code (.ci/package.sh): python .ci/package_contents.py WHEEL SDIST.

- The licence: pyproject.toml declares MIT, whose terms are that its text goes with every copy;
  the wheel (`*.dist-info/licenses/`) and the sdist must carry the repository's LICENSE, byte for
  byte, and the wheel's METADATA must name it (`License-File`).
- No half test suite: MANIFEST.in keeps tests, benchmarks and examples in the repository, yet
  setuptools adds `tests/test*.py` to every sdist by default, without the helpers and conftest they
  import: a user unpacking the sdist found 100-odd test modules that cannot run.
- The new-database snapshot (store/new_database.json): without it every first sync still works,
  replaying the migrations, ~16 ms slower; nothing else would notice it missing.
Exit 1 with one line per problem.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LICENCE = "LICENSE"
SNAPSHOT = "ontosync/store/new_database.json"


def wheel_problems(wheel: Path, licence: bytes) -> list[str]:
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        shipped = [n for n in names if n.split("/")[0].endswith(".dist-info") and n.endswith("/licenses/" + LICENCE)]
        if not shipped:
            return [f"{wheel.name}: no {LICENCE} under *.dist-info/licenses/"]
        problems = [] if whl.read(shipped[0]) == licence else [f"{wheel.name}: {shipped[0]} differs from {LICENCE}"]
        if SNAPSHOT not in names:
            problems.append(f"{wheel.name}: no {SNAPSHOT}")
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        if f"License-File: {LICENCE}" not in whl.read(metadata).decode("utf-8"):
            problems.append(f"{wheel.name}: METADATA names no License-File: {LICENCE}")
    return problems


def sdist_problems(sdist: Path, licence: bytes) -> list[str]:
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        problems = []
        member = f"{top}/{LICENCE}"
        if member not in names:
            problems.append(f"{sdist.name}: no {LICENCE}")
        elif tar.extractfile(member).read() != licence:
            problems.append(f"{sdist.name}: {LICENCE} differs from the repository's")
        tests = [n for n in names if n.startswith(f"{top}/tests/")]
        if tests:
            problems.append(f"{sdist.name}: {len(tests)} entries under tests/ (MANIFEST.in keeps the tests in the "
                            f"repository; without their helpers they cannot run), e.g. {tests[0]}")
    return problems


def main(argv: list[str]) -> int:
    wheel, sdist = map(Path, argv)
    licence = (ROOT / LICENCE).read_bytes() if (ROOT / LICENCE).is_file() else b""
    problems = [] if licence else [f"the repository has no {LICENCE}"]
    problems += wheel_problems(wheel, licence) + sdist_problems(sdist, licence)
    for line in problems:
        print(f"package_contents: {line}", file=sys.stderr)
    if not problems:
        print(f"the wheel and the sdist carry {LICENCE}, the wheel {SNAPSHOT}; the sdist holds no test modules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
