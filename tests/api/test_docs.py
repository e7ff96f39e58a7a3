"""The API docs: served by the platform alone, grouped by resource, with worked examples."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketing_platform.api.tags import API_TAGS
from tests import factories

pytestmark = pytest.mark.django_db

DOCS_PAGES = ("/api/docs/", "/api/redoc/")
RESOURCES = [
    "auth",
    "customers",
    "ingest",
    "purchases",
    "messages",
    "interests",
    "catalog",
    "recommendations",
    "graph",
    "emails",
    "campaigns",
    "analytics",
    "vision boards",
    "operations",
]
METHODS = ("get", "post", "put", "patch", "delete")


class _References(HTMLParser):
    """Every address an HTML page loads or links to."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href") and value]


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.found


def _schema() -> dict[str, Any]:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(json.loads(response.content))


def _operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_the_docs_pages_load_only_from_the_platform(page: str) -> None:
    response = Client().get(page)
    html = response.content.decode()

    references = _references(html)
    assert response.status_code == 200
    assert references  # the reader's script and style, at least
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []  # no address on another host
    assert all(reference.startswith("/") for reference in references)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    for reference in references:
        static = Client().get(reference)
        assert static.status_code == 200, reference
        assert static.getvalue()


def test_every_operation_is_filed_under_its_resource() -> None:
    schema = _schema()
    operations = _operations(schema)

    assert [tag["name"] for tag in schema["tags"]] == RESOURCES
    assert all(tag["description"] for tag in schema["tags"])
    untagged = {key: op.get("tags") for key, op in operations.items() if len(op.get("tags", [])) != 1}
    assert untagged == {}
    assert {op["tags"][0] for op in operations.values()} == set(RESOURCES)
    assert operations["POST", "/api/v1/customers/{external_id}/data"]["tags"] == ["ingest"]
    assert operations["GET", "/api/v1/customers/{external_id}/recommendations"]["tags"] == ["recommendations"]
    assert operations["POST", "/api/v1/customers/{external_id}/email"]["tags"] == ["emails"]
    assert operations["POST", "/api/v1/auth/token/refresh"]["tags"] == ["auth"]
    assert operations["GET", "/api/v1/products/{sku}/complements"]["tags"] == ["graph"]
    assert [tag.name for tag in API_TAGS] == RESOURCES


def test_every_operation_has_a_summary_to_be_listed_by() -> None:
    operations = _operations(_schema())

    unnamed = sorted(op["operationId"] for op in operations.values() if not op.get("summary"))
    assert unnamed == []
    summaries = [op["summary"] for op in operations.values() if op["operationId"] != "metrics_retrieve"]
    assert len(set(summaries)) == len(summaries)  # two operations listed alike could not be told apart
    assert operations["GET", "/api/v1/customers/{external_id}/recommendations"]["summary"] == (
        "A customer's recommendations"
    )


def test_ingest_recommendations_and_emails_carry_examples() -> None:
    operations = _operations(_schema())

    ingest = operations["POST", "/api/v1/customers/{external_id}/data"]
    examples = ingest["requestBody"]["content"]["application/json"]["examples"]
    assert any(example["value"].get("purchases") for example in examples.values())
    assert any(example["value"].get("events") for example in examples.values())
    email = operations["POST", "/api/v1/customers/{external_id}/email"]
    assert email["requestBody"]["content"]["application/json"]["examples"]
    recommendations = operations["GET", "/api/v1/customers/{external_id}/recommendations"]
    answer = recommendations["responses"]["200"]["content"]["application/json"]["examples"]
    assert all(item["reason"] for example in answer.values() for item in example["value"]["items"])


def test_the_ingest_examples_are_accepted_as_they_stand(staff_client: APIClient) -> None:
    factories.catalog(factories.PRODUCT_NAMES)
    operation = _operations(_schema())["POST", "/api/v1/customers/{external_id}/data"]

    for name, example in operation["requestBody"]["content"]["application/json"]["examples"].items():
        response = staff_client.post("/api/v1/customers/example-1/data", example["value"], format="json")
        assert response.status_code == 201, (name, response.json())


def test_a_browser_can_read_the_schema_as_json() -> None:
    browser = Client(HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    as_json = browser.get("/api/schema/?format=json")
    by_default = browser.get("/api/schema/")

    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/json")
    assert json.loads(as_json.content)["openapi"].startswith("3.")
    assert by_default["Content-Type"].startswith("application/vnd.oai.openapi")
    assert browser.get("/api/schema/?format=xml").status_code == 404
