"""Suite-wide fixtures. Browser fixtures live in tests/browser/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Every test writes its uploads into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "files"
