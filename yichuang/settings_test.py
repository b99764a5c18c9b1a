"""Settings for the test suite: the real settings, with a throwaway key and data folder."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "yichuang-test-only-secret-key")
os.environ.setdefault("YICHUANG_DATA_DIR", os.path.join(tempfile.gettempdir(), "yichuang-test-data"))
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1vayE=")

from yichuang.settings import *  # noqa: E402,F403
from yichuang.settings import DATA_DIR, STATIC_ROOT  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
# Password hashing is deliberately slow in production; tests need speed, not secrecy.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "files"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SITE_URL = "http://testserver"
# WhiteNoise warns about a missing STATIC_ROOT; tests serve static files through the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Jobs run at once in tests (after the transaction commits), so their effects can be asserted.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
