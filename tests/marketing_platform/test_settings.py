from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    parts = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_BACKEND", "ALLOWED_HOSTS", "DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in parts}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "marketing_platform.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_on_the_embedded_parts() -> None:
    result = _load_settings(DJANGO_ENV="production")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for part in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND"):
        assert part in result.stderr


def test_production_starts_with_its_real_parts() -> None:
    result = _load_settings(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="marketing.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )

    assert result.returncode == 0, result.stderr
