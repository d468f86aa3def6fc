"""Strip the symbol tables from the compiled extensions inside the wheels in a folder (default
wheels/), rewriting each wheel's RECORD, so the Action's image built offline from them is smaller.

Why: the image must add less than 35 MB to its base (.ci/docker.sh). Two wheels ship their
extensions with symbol and debug tables the code never reads: pyoxigraph (21.0 MB -> 17.3 MB) and
PyNaCl (3.7 MB -> 0.6 MB). Only files that carry a .symtab or debug section are touched, and never
the libraries auditwheel grafted into a `*.libs` folder (already stripped, and patched by patchelf,
which strip can break). The Dockerfile imports every stripped module before the image is made.
Needs binutils' `strip` on the host; without it the wheels are left as they are (a bigger image).

    python .ci/strip_wheels.py [FOLDER]
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def has_symbols(path: Path) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True).stdout
    return ".symtab" in out or ".debug_" in out


def record_line(root: Path, name: str) -> str:
    data = (root / name).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def strip_wheel(wheel: Path) -> int:
    """Strip the wheel in place; returns the bytes saved (0 when nothing needed stripping)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            z.extractall(root)
        targets = [n for n in names if n.endswith(".so") or ".so." in n.rsplit("/", 1)[-1]]
        targets = [n for n in targets if ".libs/" not in n and has_symbols(root / n)]
        if not targets:
            return 0
        before = sum((root / n).stat().st_size for n in targets)
        subprocess.run(["strip", "--strip-unneeded", *[str(root / n) for n in targets]], check=True)
        saved = before - sum((root / n).stat().st_size for n in targets)
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        lines = [record_line(root, n) if n in targets else line
                 for n, line in ((ln.split(",", 1)[0], ln) for ln in (root / record).read_text().splitlines() if ln)]
        (root / record).write_text("\n".join(lines) + "\n")
        out = wheel.with_suffix(".tmp")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for n in names:
                z.write(root / n, n)
        out.replace(wheel)
        return saved


def main(folder: str = "wheels") -> int:
    if not shutil.which("strip") or not shutil.which("readelf"):
        print("strip_wheels: no strip/readelf (binutils) here: wheels left unstripped", file=sys.stderr)
        return 0
    for wheel in sorted(Path(folder).glob("*.whl")):
        saved = strip_wheel(wheel)
        if saved:
            print(f"strip_wheels: {wheel.name}: {saved / 1e6:.1f} MB of symbols removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
