from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.support import ROOT

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "marketing.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "NEO4J_URL": "bolt://neo4j:secret@127.0.0.1:7687",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SITE_URL": "https://marketing.example.com",
    "DEFAULT_FROM_EMAIL": "news@example.com",
    "COMPANY_NAME": "Example Ltd",
    "COMPANY_POSTAL_ADDRESS": "2 Example Road, Leeds LS1 1AA, United Kingdom",
    "MEDIA_S3_BUCKET": "marketing-media",
    "MILVUS_URI": "http://127.0.0.1:19530",
}

# what a developer's shell may set that would change what the tests load
LOCAL = ("DEBUG", "HOST", "PORT", "SHOP_URL", "SHOP_PRODUCT_URL")
MAKE = shutil.which("make")


def _run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in LOCAL}
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "marketing_platform.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return _run("-c", "import django; django.setup()", **env)


def test_production_refuses_to_start_on_the_embedded_parts() -> None:
    result = _load_settings(DJANGO_ENV="production")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for part in (
        "SECRET_KEY",
        "JWT_SIGNING_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_BACKEND",
        "SITE_URL",
        "DEFAULT_FROM_EMAIL",
        "COMPANY_NAME",
        "COMPANY_POSTAL_ADDRESS",
        "MEDIA_S3_BUCKET",
        "MILVUS_URI",
    ):
        assert part in result.stderr


def test_production_refuses_email_links_that_are_not_https() -> None:
    result = _load_settings(**{**PRODUCTION, "SITE_URL": "http://marketing.example.com"})

    assert result.returncode != 0
    assert "SITE_URL (https://…)" in result.stderr


def test_production_starts_with_its_real_parts() -> None:
    result = _load_settings(**PRODUCTION)

    assert result.returncode == 0, result.stderr


def test_a_jwt_key_equal_to_the_secret_key_is_refused() -> None:
    result = _load_settings(**{**PRODUCTION, "JWT_SIGNING_KEY": PRODUCTION["SECRET_KEY"]})

    assert "JWT_SIGNING_KEY" in result.stderr


def test_the_deployment_checklist_passes_without_warnings() -> None:
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _links(**env: str) -> list[str]:
    """SITE_URL and SHOP_PRODUCT_URL as the settings make them from ``env`` alone. Reading them
    evaluates the settings module; loading every app as well (``django.setup()``, seconds of
    imports) would prove nothing more here."""
    script = "from django.conf import settings as s; print(s.SITE_URL, s.SHOP_PRODUCT_URL)"
    result = _run("-c", script, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_links_in_emails_follow_the_port_the_platform_serves_on() -> None:
    assert _links(PORT="8810") == ["http://127.0.0.1:8810", "http://127.0.0.1:8810/products/{sku}"]
    every_interface = "0.0.0.0"  # noqa: S104
    assert _links(HOST=every_interface, PORT="8811")[0] == "http://127.0.0.1:8811"
    assert _links(HOST="::1", PORT="8812")[0] == "http://[::1]:8812"


def test_an_explicit_site_or_shop_address_wins() -> None:
    site = _links(PORT="8810", SITE_URL="https://marketing.example.com/")
    shop = _links(SHOP_URL="https://shop.example.com")

    assert site == ["https://marketing.example.com", "https://marketing.example.com/products/{sku}"]
    assert shop[1] == "https://shop.example.com/products/{sku}"


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_hands_its_port_to_the_settings() -> None:
    plan = subprocess.run(
        [str(MAKE), "--dry-run", "--always-make", "run", "PORT=8810"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    serve = next(line for line in plan.splitlines() if "runplatform" in line)
    env = dict(word.split("=", 1) for word in serve.split() if "=" in word)

    assert _links(**env)[0] == "http://127.0.0.1:8810"


def test_an_embeddings_server_needs_its_model_named() -> None:
    server = "http://127.0.0.1:8001/v1"

    refused = _load_settings(EMBEDDINGS_URL=server, EMBEDDINGS_MODEL="")

    assert refused.returncode != 0
    assert "EMBEDDINGS_MODEL must name the server's model" in refused.stderr
    assert _load_settings(EMBEDDINGS_URL=server, EMBEDDINGS_MODEL="e5-small").returncode == 0
