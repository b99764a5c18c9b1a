"""Safe production defaults: the settings module refuses to run in production without a secret."""

import os
import subprocess
import sys


def _load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update(env)
    code = (
        "import yichuang.settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True)


def test_production_without_a_secret_key_refuses_to_start():
    result = _load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_defaults_are_safe_and_sqlite_is_embedded():
    result = _load_settings(SECRET_KEY="s3cret")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3", "True", "[]"]


def test_database_url_selects_postgresql():
    result = _load_settings(SECRET_KEY="s3cret", DATABASE_URL="postgres://u@db.example:5432/yc")
    assert "django.db.backends.postgresql" in result.stdout
