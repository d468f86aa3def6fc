"""Build hook: the top-level `migrations/` folder ships inside the package as `ontosync/migrations/`.

The migrations stay where the project's layout puts them (beside the package, where reviewers and
`ONTOSYNC_MIGRATIONS_DIR` find them), yet a wheel must carry them, or an installed ontosync cannot
create a database. Every `migrations/**/*.sql` is copied, so a new migration ships with no edit
here. Everything else (metadata, data files under `ontosync/`) is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithMigrations(build_py):
    """build_py, plus `migrations/**/*.sql` copied to `<build>/ontosync/migrations/`."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads migrations/ from the source tree
        source = HERE / "migrations"
        for sql in sorted(source.rglob("*.sql")):
            target = Path(self.build_lib, "ontosync", "migrations", sql.relative_to(source))
            self.mkpath(str(target.parent))
            self.copy_file(str(sql), str(target))


setup(cmdclass={"build_py": BuildWithMigrations})
