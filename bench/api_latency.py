"""GET /api/v1/customers/{id} with a JWT and with an API key, against a bare Django JSON view.

The bare view reads the same customer and answers the same JSON by hand, so the
ratio is what the API's authentication, rate limit, serializer and envelope cost.
All three run on the same gunicorn server, loaded by wrk from the same machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

from rich.console import Console

from bench.report import BENCH_DATABASE_URL, ROOT, publish

PORT = 8799
WORKERS = 2 * (os.cpu_count() or 1)  # sync workers: two per core, as gunicorn advises
CONNECTIONS = 16
SECONDS = 10
REDIS_URL = "redis://127.0.0.1:6379/14"
API_PATH = "api/v1/customers/"


def _credentials(env: dict[str, str]) -> tuple[str, str, str]:
    """A staff JWT, a service key and a customer's external id, from the bench database."""
    script = """
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken
from customers.models import Customer
from marketing_platform.api_keys import api_key_create
user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
_, key = api_key_create(name="bench", scopes=["customers:read"])
customer = Customer.objects.order_by("pk").values_list("external_id", flat=True).first()
print(RefreshToken.for_user(user).access_token, key, customer)
"""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    if len(output) != 3 or output[2] == "None":
        raise SystemExit("the bench database is empty: run `python -m bench import` first")
    return output[0], output[1], output[2]


def _wrk(url: str, header: str | None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url} answered {non_2xx.group(1)} errors under load:\n{output}")

    def millis(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.MULTILINE)
        if match is None:
            raise SystemExit(f"unexpected wrk output:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    return {
        "requests_per_second": round(float(rate.group(1))),
        "p50_ms": millis("50"),
        "p99_ms": millis("99"),
    }


def run() -> None:
    console = Console()
    if shutil.which("wrk") is None:
        console.print("[yellow]skipped: wrk is not installed (Debian package wrk)")
        return
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL),
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(ROOT / "var" / "bench"),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "JWT_ACCESS_MINUTES": "60",
        # gunicorn.conf.py is read from the working directory: sync workers, no access log
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESSLOG": "",
        # measure the work, not the limiter refusing it
        "RATE_LIMIT_STAFF": "100000000/m",
        "RATE_LIMIT_SERVICE": "100000000/m",
    }
    token, key, external_id = _credentials(env)
    gunicorn = [
        *(sys.executable, "-m", "gunicorn", "marketing_platform.wsgi:application"),
        *("--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--log-level", "warning"),
    ]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)  # noqa: S310 - local server
                break
            except urllib.error.HTTPError:
                break  # it answers; its graph check may say 503 (this bench runs without a graph)
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        runs = {
            "bare Django JSON view": _wrk(f"{base}/bench/bare/{external_id}", None),
            "customer with JWT": _wrk(
                f"{base}/api/v1/customers/{external_id}", f"Authorization: Bearer {token}"
            ),
            "customer with API key": _wrk(
                f"{base}/api/v1/customers/{external_id}", f"Authorization: Api-Key {key}"
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare = runs["bare Django JSON view"]["requests_per_second"]
    for figures in runs.values():
        figures["ratio_to_bare"] = round(figures["requests_per_second"] / bare, 2)
    setup = f"gunicorn, {WORKERS} sync workers, PostgreSQL + Redis (rate limits), DEBUG off"
    publish(
        "api_latency",
        {
            "server": setup,
            "load": f"wrk, 2 threads, {CONNECTIONS} connections, {SECONDS} s per endpoint, same machine",
            "machine_cpus": os.cpu_count(),
            "goal_ratio": 0.6,
            "runs": runs,
        },
        title=f"GET /api/v1/customers/{{id}} vs a bare view ({setup})",
        columns=("endpoint", "requests/s", "p50 ms", "p99 ms", "ratio to bare"),
        rows=[
            (
                name,
                f"{f['requests_per_second']:,}",
                f"{f['p50_ms']:.2f}",
                f"{f['p99_ms']:.2f}",
                f"{f['ratio_to_bare']:.2f}",
            )
            for name, f in runs.items()
        ],
    )
