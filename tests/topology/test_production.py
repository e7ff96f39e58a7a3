"""The production topology without Docker, as docker-compose.yml describes it: one-off
migrate and graph schema, then gunicorn, a Celery worker per queue group and one beat, each
its own process with ``DJANGO_ENV=production``, on PostgreSQL, Redis, Neo4j and the
S3-compatible store that ``ops/services`` starts. Driven over HTTP only, as a frontend (the
REST API) and marketing staff (the admin) would.

Run with ``make test-topology`` after ``make services``; CI runs it. Elsewhere it skips.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg2
import pytest
import redis
import requests
from neo4j import GraphDatabase
from PIL import Image

from tests.campaigns.smtp import Sink, start_smtp_server
from tests.support import ROOT, free_port
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(
        not all(
            os.environ.get(name)
            for name in ("DATABASE_URL", "REDIS_URL", "NEO4J_URL", "MEDIA_S3_BUCKET", "MILVUS_URI")
        ),
        reason="needs every server of the production mode: `make services`, then `make test-topology`",
    ),
]

CUSTOMERS = 24
SKUS = ("20724", "20725", "22960", "22326", "20719", "22383")  # bought often in the demo sample
PASSWORD = "topology-staff-password-1"
STOP_SECONDS = 10
DATABASE = "marketing_topology"
DROP = f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'


@dataclass
class Platform:
    """The running processes, the HTTP address of web, and what the SMTP sink received."""

    env: dict[str, str]
    base: str
    sink: Sink
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *command: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", *command], cwd=ROOT, env=self.env, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip

    def start_worker(self, name: str, queues: str, concurrency: int) -> None:
        self.start(name, "celery", "-A", "marketing_platform", "worker", "-Q", queues, "-c", str(concurrency),
                   "-n", f"{name}@%h", "--loglevel", "INFO")  # fmt: skip

    def one_off(self, *command: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, f"manage.py {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def stop(self, name: str, signum: int = signal.SIGTERM) -> float:
        """Signal the process (its whole group for SIGKILL); seconds it took to exit."""
        process = self.processes[name]
        started = time.monotonic()
        if signum == signal.SIGKILL:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        return time.monotonic() - started

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]


class Http:
    """Requests as they arrive behind the TLS-terminating reverse proxy."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.headers = {"X-Forwarded-Proto": "https", "Origin": base.replace("http://", "https://")}
        self.cookies: dict[str, str] = {}  # secure cookies, kept by hand (the hop is plain HTTP)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        public = self.base.replace("http://", "https://")  # absolute links name the proxy's https
        url = self.base + path.removeprefix(public) if not path.startswith("http://") else path
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(
            method, url, headers=headers, cookies=self.cookies, timeout=30, allow_redirects=False, **kwargs
        )
        self.cookies.update({name: value or "" for name, value in response.cookies.get_dict().items()})
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


def _on_server(url: str, *statements: str) -> None:
    server = psycopg2.connect(url)
    server.autocommit = True
    with server.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    server.close()


def _empty_graph(url: str) -> None:
    parts = urlsplit(url)
    auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    with GraphDatabase.driver(f"{parts.scheme}://{parts.hostname}:{parts.port}", auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    work = tmp_path_factory.mktemp("topology")
    controller, sink = start_smtp_server()
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(redis_url).flushdb()
    _empty_graph(os.environ["NEO4J_URL"])
    port = free_port()
    server_url = os.environ["DATABASE_URL"]
    _on_server(
        server_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"'
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "topology-" + uuid.uuid4().hex * 2,
        "JWT_SIGNING_KEY": "topology-jwt-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{server_url.rsplit('/', 1)[0]}/{DATABASE}",
        "REDIS_URL": redis_url,
        "MEDIA_S3_PREFIX": f"topology-{uuid.uuid4().hex[:8]}",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": controller.hostname,
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "Topology Shop <news@shop.example.com>",
        "COMPANY_NAME": "Topology Shop Ltd",
        "COMPANY_POSTAL_ADDRESS": "1 Test Street, Testville",
        "VAR_DIR": str(work / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        # quick sweeps, so a killed worker's sends are taken over in seconds, not minutes
        "CAMPAIGN_START_SECONDS": "2",
        "CAMPAIGN_RESUME_SECONDS": "2",
        "CAMPAIGN_SEND_CLAIM_SECONDS": "5",
        "GRAPH_DRAIN_SECONDS": "5",
    }
    built = Platform(env=env, base=f"http://127.0.0.1:{port}", sink=sink, logs=work)
    built.one_off("collectstatic", "--noinput", "-v0")  # what the image build does
    built.one_off("migrate", "--noinput")
    built.one_off("graph", "install_schema")
    built.one_off("media_bucket")
    built.one_off("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@shop.example.com")
    built.one_off("import_online_retail", str(ROOT / "demo" / "online_retail_sample.csv"))
    built.start("web", "gunicorn", "-c", "gunicorn.conf.py", "marketing_platform.wsgi:application")
    built.start_worker("worker", "default,graph,render,email,embeddings", 2)
    built.start_worker("training", "training", 1)
    built.start("beat", "celery", "-A", "marketing_platform", "beat", "--loglevel", "INFO")
    try:
        yield built
    finally:
        for process in built.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        controller.stop()
        _on_server(server_url, DROP)


def _health(http: Http) -> dict[str, Any] | None:
    try:
        response = http.get("/api/v1/health")
    except requests.ConnectionError:
        return None
    return response.json() if response.status_code == 200 else None


def _ingest(http: Http, number: int) -> requests.Response:
    external_id = f"topo-{number:02d}"
    day = f"2011-12-0{1 + number % 5}T10:00:00Z"
    batch = {
        "customer": {"email": f"{external_id}@example.com", "name": f"Topo Customer {number}",
                     "country": "Testland", "marketing_consent": True},
        "purchases": [
            {"invoice": f"T{number}", "line": line, "sku": sku, "quantity": 2, "unit_price": "1.25",
             "purchased_at": day}
            for line, sku in enumerate(SKUS[number % 3 : number % 3 + 3], start=1)
        ],
    }  # fmt: skip
    return http.post(f"/api/v1/customers/{external_id}/data", json=batch)


def _csrf(page: requests.Response) -> str:
    """The CSRF token of an admin form."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, (page.status_code, page.text[:300])
    return token[1]


def _admin_add(http: Http, model: str, fields: dict[str, str]) -> int:
    """Save a new object through the admin's add form (as staff do); its id."""
    token = _csrf(http.get(f"/admin/campaigns/{model}/add/"))
    saved = http.post(
        f"/admin/campaigns/{model}/add/", data={**fields, "csrfmiddlewaretoken": token, "_continue": "1"}
    )
    assert saved.status_code == 302, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', saved.text, re.S)
    found = re.search(r"/(\d+)/change/", saved.headers["Location"])
    assert found, saved.headers["Location"]
    return int(found[1])


def _campaign_through_the_admin(staff: Http) -> int:
    """Sign in to the admin, write a template, a segment of the new customers and a campaign
    due now, and schedule it; the campaign's id."""
    token = _csrf(staff.get("/admin/login/"))
    credentials = {"username": "ops", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"}
    assert staff.post("/admin/login/?next=/admin/", data=credentials).status_code == 302
    template = _admin_add(staff, "emailtemplate", {
        "name": "Topology picks", "language": "en", "subject": "Picks for {{ customer.first_name }}",
        "preheader": "Chosen for you", "html_body": "<p>Hello {{ customer.first_name }}</p>{{ products() }}",
        "text_body": ""})  # fmt: skip
    segment = _admin_add(staff, "segment", {"name": "Testland", "countries": "Testland"})
    now = datetime.now(UTC)
    campaign = _admin_add(staff, "campaign", {
        "name": "Topology campaign", "segment": str(segment), "send_at_0": now.strftime("%Y-%m-%d"),
        "send_at_1": now.strftime("%H:%M:%S"), "repeat": "", "emails_per_second": "4",
        "winner_metric": "clicks", "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "1", "variants-MAX_NUM_FORMS": "1000", "variants-0-label": "A",
        "variants-0-template": str(template), "variants-0-share": "100"})  # fmt: skip
    token = _csrf(staff.get("/admin/campaigns/campaign/"))
    action = {"action": "schedule", "_selected_action": str(campaign), "csrfmiddlewaretoken": token}
    assert staff.post("/admin/campaigns/campaign/", data=action).status_code == 302
    return campaign


def test_the_production_topology_end_to_end(platform: Platform) -> None:
    api = Http(platform.base)
    health = wait_for(lambda: _health(api), seconds=90)
    assert health, f"web never answered healthy:\n{platform.log('web')}"
    kinds = {name: check["kind"] for name, check in health["checks"].items()}
    assert kinds == {"database": "postgresql", "cache": "redis", "broker": "redis", "graph": "neo4j",
                     "media": "object store", "vectors": "milvus"}, platform.log("web")  # fmt: skip

    token = api.post("/api/v1/auth/token", json={"username": "ops", "password": PASSWORD})
    assert token.status_code == 200, token.text
    api.headers["Authorization"] = f"Bearer {token.json()['access']}"

    # ingest new customers with purchases; the graph worker syncs them into Neo4j
    for number in range(CUSTOMERS):
        response = _ingest(api, number)
        assert response.status_code == 201, response.text
    assert _ingest(api, 0).json()["purchases"]["created"] == 0  # a retried batch stores nothing twice

    def purchased_in_graph() -> set[str] | None:
        subgraph = api.get("/api/v1/customers/topo-01/graph")
        edges = subgraph.json().get("edges", []) if subgraph.status_code == 200 else []
        bought = {edge["target"] for edge in edges if edge["type"] == "PURCHASED"}
        return bought if len(bought) == 3 else None

    assert wait_for(purchased_in_graph) == {f"product:{sku}" for sku in SKUS[1:4]}

    # train on the training worker; the version to poll becomes ready and serves
    training = api.post("/api/v1/models")
    assert training.status_code == 202, training.text

    def trained() -> dict[str, Any] | None:
        body: dict[str, Any] = api.get(training.headers["Location"]).json()
        return body if body["status"] != "training" else None

    version = wait_for(trained, seconds=300)
    assert version, f"the model never finished training:\n{platform.log('training')}"
    assert (version["status"], version["active"]) == ("ready", True), (version, platform.log("training"))

    recommended = api.get("/api/v1/customers/topo-01/recommendations").json()
    assert (recommended["mode"], recommended["degraded"]) == ("blended", []), recommended
    assert recommended["model_version"] == version["id"]
    assert recommended["items"]

    # a vision board rendered by the render worker, stored in the object store
    board = api.post("/api/v1/customers/topo-01/vision-board")
    assert board.status_code == 202, board.text

    def board_ready() -> dict[str, Any] | None:
        answer = api.get("/api/v1/customers/topo-01/vision-board")
        return answer.json() if answer.status_code == 200 else None

    board_body = wait_for(board_ready)
    assert board_body, f"the board never rendered:\n{platform.log('worker')}"
    picture = api.get(board_body["images"]["social"])
    assert picture.status_code == 302
    assert api.get(board_body["images"]["social"].split("?")[0]).status_code == 404  # a board link is signed
    assert "X-Amz-Signature=" in picture.headers["Location"]
    png = requests.get(picture.headers["Location"], timeout=10)
    assert Image.open(BytesIO(png.content)).size == (1080, 1350)

    # a campaign set up in the admin by staff, sent by the workers through SMTP
    campaign = _campaign_through_the_admin(Http(platform.base))

    # SIGKILL the sending worker mid-campaign, start it again: each customer gets one email
    assert wait_for(lambda: len(platform.sink.received) >= 3, seconds=120), "no email arrived"
    platform.stop("worker", signal.SIGKILL)
    assert len(platform.sink.received) < CUSTOMERS, "the campaign finished before the worker was killed"
    platform.start_worker("worker", "default,graph,render,email,embeddings", 2)

    def finished() -> dict[str, Any] | None:
        body = api.get(f"/api/v1/campaigns/{campaign}").json()
        return body if body["state"] == "sent" else None

    assert wait_for(finished, seconds=180), f"the campaign never finished:\n{platform.log('worker')}"
    time.sleep(3)  # anything sent twice would arrive now
    # one message per customer; the kill may land between the server's "250" and the worker's
    # "sent" mark, and such a message is sent again with the same Message-ID, which receivers
    # use to drop the copy: at most one copy per process the kill stopped (concurrency 2)
    per_recipient = {address: len(ids) for address, ids in platform.sink.message_ids().items()}
    assert per_recipient == {f"topo-{n:02d}@example.com": 1 for n in range(CUSTOMERS)}
    assert platform.sink.copies() <= 2
    message = platform.sink.received[0].message
    assert message["Subject"].startswith("Picks for Topo")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert platform.env["SITE_URL"] in message["List-Unsubscribe"]

    # SIGTERM stops every process cleanly and quickly
    for name in ("web", "worker", "training", "beat"):
        seconds = platform.stop(name)
        assert seconds < STOP_SECONDS, f"{name} took {seconds:.1f} s to stop after SIGTERM"
        assert platform.processes[name].returncode == 0, platform.log(name)
