import pytest

from tests.helpers import CORPORA


def pytest_collection_modifyitems(config, items):
    if CORPORA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared corpora not found at {CORPORA}")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)
