"""GET /api/v1/customers/{id}/export: everything the platform holds about one customer, as one
JSON document streamed section by section (a long history never sits in memory whole).

Each app that holds data about customers registers a section of the document
(``customer_export_section_register``, from its ``AppConfig.ready``): a name, a reader of one
customer's rows (an iterator over the database, oldest first) and the serializer that writes a
row and documents it in the schema. The customers app registers its own below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from customers.api.lookup import customer_pk_or_404
from customers.models import Customer
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error

FORMAT = "customer-export/1"
ROWS_PER_WRITE = 200


@dataclass(frozen=True)
class ExportSection:
    rows: Callable[[int], Iterable[Any]]  # customer id → its rows, oldest first
    serializer: type[serializers.Serializer[Any]]
    description: str


_sections: dict[str, ExportSection] = {}


def customer_export_section_register(
    name: str,
    rows: Callable[[int], Iterable[Any]],
    serializer: type[serializers.Serializer[Any]],
    description: str,
) -> None:
    """Add a list named ``name`` to every customer's export."""
    _sections[name] = ExportSection(rows, serializer, description)


class ExportedCustomer(serializers.Serializer[Customer]):
    """The profile, its consent and when the customer unsubscribed."""

    external_id = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    name = serializers.CharField()
    country = serializers.CharField()
    profile = serializers.DictField()
    login = serializers.CharField(source="user.get_username", allow_null=True, default=None)
    marketing_consent = serializers.BooleanField()
    unsubscribed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CustomerExportDocument(serializers.Serializer[Any]):
    """The document as the schema shows it: the customer, then every registered section (read
    when the schema is made, after every app registered its own)."""

    format = serializers.CharField(help_text=f"{FORMAT}: the version of this layout.")
    exported_at = serializers.DateTimeField()
    customer = ExportedCustomer()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        for name, section in _sections.items():
            fields[name] = section.serializer(many=True, help_text=section.description)
        return fields


def _document(customer: Customer) -> Iterator[str]:
    """The JSON text in pieces: the head, then each section a few rows at a time."""
    head = {"format": FORMAT, "exported_at": timezone.now(), "customer": ExportedCustomer(customer).data}
    yield _json(head)[:-1]
    for name, section in _sections.items():
        yield f", {json.dumps(name)}: ["
        batch: list[str] = []
        first = True
        for row in section.rows(customer.pk):
            batch.append(_json(section.serializer(row).data))
            if len(batch) == ROWS_PER_WRITE:
                yield ("" if first else ", ") + ", ".join(batch)
                batch, first = [], False
        if batch:
            yield ("" if first else ", ") + ", ".join(batch)
        yield "]"
    yield "}\n"


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


class CustomerExportView(APIView):
    """Everything the platform holds about the customer, for the customer itself (its own
    login) and staff; no service may read it."""

    scopes: dict[str, str] = {}
    customer_methods = READS

    @extend_schema(
        responses={
            200: OpenApiResponse(
                CustomerExportDocument,
                description="One JSON document, sent as an attachment (Content-Disposition) and "
                "streamed: the customer's profile and consent, then each kind of data it has, "
                "oldest first. Products are named by SKU.",
            ),
            404: error("not_found"),
        }
    )
    def get(self, request: Request, external_id: str) -> StreamingHttpResponse:
        pk = customer_pk_or_404(request, external_id)
        customer = Customer.objects.select_related("user").get(pk=pk)
        response = StreamingHttpResponse(
            (piece.encode() for piece in _document(customer)), content_type="application/json"
        )
        disposition = content_disposition_header(True, f"customer-{external_id}.json")
        if disposition:
            response["Content-Disposition"] = disposition
        return response
