"""GET/POST /api/v1/customers/{id}/vision-board: the latest board, rendered on the ``render`` queue."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api.lookup import customer_pk_or_404
from marketing_platform.api.conditional import NOT_MODIFIED, conditional_parameters, weak_etag
from marketing_platform.api.permissions import READS
from marketing_platform.api.schema import error
from marketing_platform.api.scopes import Scope
from marketing_platform.media import media_address
from visionboards.models import BoardStatus, VisionBoard
from visionboards.selectors import latest_ready_board
from visionboards.services import vision_board_request

RETRY_SECONDS = 2


class BoardImagesOutput(serializers.Serializer[Any]):
    """Signed links that expire after ``MEDIA_LINK_SECONDS`` (an hour): ask again for fresh ones."""

    social = serializers.URLField(allow_null=True, help_text="1080×1350 PNG, a signed link that expires.")
    screen = serializers.URLField(allow_null=True, help_text="1920×1080 PNG, a signed link that expires.")


class BoardOutput(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BoardStatus.choices)
    requested_at = serializers.DateTimeField()
    generated_at = serializers.DateTimeField(allow_null=True)
    images = BoardImagesOutput()
    layout = serializers.JSONField(
        help_text="Per format (social, screen): width, height, background, header, and sections of "
        "type product, interest or inspiration with content, skus (the products' SKUs; boards drawn "
        "before SKUs were added have only product_ids), alt, x, y, w, h and colours."
    )
    fallbacks = serializers.JSONField(
        help_text="Tiles drawn without their picture: the product's sku and product_id, and the reason."
    )
    error = serializers.CharField(allow_blank=True)


class VisionBoardOutput(BoardOutput):
    customer = serializers.CharField()
    previous = BoardOutput(
        allow_null=True, help_text="While a board renders (202): the last ready one, to show meanwhile."
    )


class CustomerVisionBoardView(APIView):
    """GET: the latest board; if the customer has none or it is stale (the recommendations
    changed), a new one is rendered and the answer is 202 with the board to poll. POST: render
    a new board now (202); a render already under way is returned, not doubled."""

    scopes = {"GET": Scope.CUSTOMERS_READ, "POST": Scope.VISION_BOARDS_RENDER}
    customer_methods = READS

    @extend_schema(
        parameters=conditional_parameters(
            held="The ETag of a ready board you hold: 304 while it is the latest one.",
            given="A ready board's validator, with `Last-Modified` (when it was drawn).",
        ),
        responses={
            200: VisionBoardOutput,
            202: VisionBoardOutput,
            304: NOT_MODIFIED,
            404: error("not_found"),
        },
    )
    def get(self, request: Request, external_id: str) -> HttpResponseBase:
        board = vision_board_request(customer_pk_or_404(request, external_id))
        return self._answer(request, external_id, board)

    @extend_schema(request=None, responses={202: VisionBoardOutput, 404: error("not_found")})
    def post(self, request: Request, external_id: str) -> HttpResponseBase:
        board = vision_board_request(customer_pk_or_404(request, external_id), force=True)
        return self._answer(request, external_id, board)

    def _answer(self, request: Request, external_id: str, board: VisionBoard) -> HttpResponseBase:
        ready = board.status == BoardStatus.READY
        if ready:
            etag, drawn = _validators(board)
            response = get_conditional_response(request, etag=etag) or Response(
                VisionBoardOutput({"customer": external_id, **_board(request, board), "previous": None}).data
            )
            response["ETag"], response["Last-Modified"] = etag, drawn
            return response
        previous = latest_ready_board(board.customer_id)
        body = {
            "customer": external_id,
            **_board(request, board),
            "previous": _board(request, previous) if previous else None,
        }
        return Response(
            VisionBoardOutput(body).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Retry-After": str(RETRY_SECONDS)},
        )


def _validators(board: VisionBoard) -> tuple[str, str]:
    """A ready board's ETag and Last-Modified. The ETag also changes every half link lifetime
    (``MEDIA_LINK_SECONDS``): a client told its copy stands holds image links with at least half
    their life left."""
    period = int(time.time() // max(settings.MEDIA_LINK_SECONDS // 2, 1))
    drawn = board.generated_at or board.requested_at
    return weak_etag(f"{board.pk}:{board.version}:{period}"), http_date(drawn.timestamp())


def _board(request: Request, board: VisionBoard) -> dict[str, Any]:
    return {
        "version": board.version,
        "status": board.status,
        "requested_at": board.requested_at,
        "generated_at": board.generated_at,
        "images": {
            "social": media_address(request, board.social_image),
            "screen": media_address(request, board.screen_image),
        },
        "layout": board.layout,
        "fallbacks": board.fallbacks,
        "error": board.error,
    }
