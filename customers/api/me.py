"""GET /api/v1/auth/me: who is signed in, and for a customer's own login which customer it is
(what a frontend addresses every other call by)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer
from marketing_platform.api.permissions import READS
from marketing_platform.api.principal import Role, principal_of


class MeOutput(serializers.Serializer[Any]):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=[Role.STAFF, Role.CUSTOMER])
    customer = serializers.CharField(
        allow_null=True, help_text="A customer's own login: its customer's external id; staff: null."
    )


class MeView(APIView):
    """The signed-in person: staff, or a customer's own login (API keys are no one to ask about)."""

    customer_methods = READS

    @extend_schema(responses={200: MeOutput})
    def get(self, request: Request) -> Response:
        principal = principal_of(request)
        customer = (
            Customer.objects.filter(pk=principal.own_customer_id)
            .values_list("external_id", flat=True)
            .first()
            if principal.role == Role.CUSTOMER
            else None
        )
        return Response(
            MeOutput(
                {"username": request.user.get_username(), "role": principal.role, "customer": customer}
            ).data
        )
