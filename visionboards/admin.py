"""Vision boards in the admin: a gallery of recent boards, each board with its layout and
fallbacks, and renders on demand (for selected boards, or from a customer's page)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from catalog.models import Product
from customers.models import Customer
from marketing_platform.media import media_path
from visionboards.models import BoardStatus, VisionBoard
from visionboards.selectors import recent_boards
from visionboards.services import vision_board_request

GALLERY_SIZE = 48


def board_thumbnail(board: VisionBoard, width: int) -> str:
    if not board.social_image:
        return format_html('<span style="color:#666">{}</span>', board.get_status_display())
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="Vision board {} of {}" loading="lazy" '
        'style="border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.25)">',
        media_path(board.social_image.name), width, round(width * 1350 / 1080), board.version, board.customer,
    )  # fmt: skip


def _product_names(ids: Iterable[int]) -> dict[int, str]:
    """A board's products as staff know them (SKU · name), by id: one query."""
    return {pk: str(product) for pk, product in Product.objects.in_bulk(set(ids)).items()}


@admin.register(VisionBoard)
class VisionBoardAdmin(admin.ModelAdmin[VisionBoard]):
    list_display = ("thumbnail", "customer", "version", "status", "generated_at", "fallback_count")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("=customer__external_id", "customer__name")
    actions = ("render_again",)
    show_full_result_count = False
    readonly_fields = ("customer", "version", "status", "requested_at", "generated_at", "images",
                       "sections", "fallback_reasons", "error")  # fmt: skip
    fields = readonly_fields
    change_list_template = "admin/visionboards/visionboard/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # boards are rendered, not typed in

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("gallery/", view(self.gallery_view), name="visionboards_visionboard_gallery"),
            path("render/<int:customer_id>/", view(self.render_view), name="visionboards_visionboard_render"),
            *super().get_urls(),
        ]

    @admin.display(description="Board")
    def thumbnail(self, board: VisionBoard) -> str:
        return board_thumbnail(board, 96)

    @admin.display(description="Fallback tiles")
    def fallback_count(self, board: VisionBoard) -> int:
        return len(board.fallbacks)

    @admin.display(description="Pictures")
    def images(self, board: VisionBoard) -> str:
        if not board.social_image:
            return "Not rendered yet."
        return format_html(
            '<div style="display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap">{}'
            '<img src="{}" width="640" height="360" alt="Screen format" style="border-radius:6px"></div>',
            board_thumbnail(board, 288), media_path(board.screen_image.name),
        )  # fmt: skip

    @admin.display(description="Layout (social)")
    def sections(self, board: VisionBoard) -> str:
        drawn = board.layout.get("formats", {}).get("social", {}).get("sections", [])
        named = _product_names(pk for s in drawn for pk in s["product_ids"])
        return (
            format_html_join(
                "",
                "<div><b>{}</b> · {} · products {} · at {}, {} ({} × {}) · <i>{}</i></div>",
                (
                    (
                        s["type"],
                        s["content"]["title"],
                        "; ".join(named.get(pk, str(pk)) for pk in s["product_ids"]) or "-",
                        s["x"],
                        s["y"],
                        s["w"],
                        s["h"],
                        s["alt"],
                    )
                    for s in drawn
                ),
            )
            or "-"
        )

    @admin.display(description="Drawn without their picture")
    def fallback_reasons(self, board: VisionBoard) -> str:
        named = _product_names(f["product_id"] for f in board.fallbacks)
        return (
            format_html_join(
                "",
                "<div>{}: {}</div>",
                ((named.get(f["product_id"], str(f["product_id"])), f["reason"]) for f in board.fallbacks),
            )
            or "None."
        )

    @admin.action(description="Render these customers' boards again")
    def render_again(self, request: HttpRequest, queryset: QuerySet[VisionBoard]) -> None:
        customers = set(queryset.values_list("customer_id", flat=True))
        for customer_id in customers:
            vision_board_request(customer_id, force=True)
        self.message_user(request, f"{len(customers)} board(s) queued; they appear here when rendered.")

    def gallery_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        boards = recent_boards().filter(status=BoardStatus.READY)[:GALLERY_SIZE]
        context = {
            **self.admin_site.each_context(request),
            "title": "Recent vision boards",
            "opts": self.model._meta,
            "boards": [(board, board_thumbnail(board, 200)) for board in boards],
        }
        return TemplateResponse(request, "admin/visionboards/visionboard/gallery.html", context)

    def render_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        """A new board for a customer (the button on the customer's page); POST only."""
        if request.method != "POST":
            return HttpResponse("POST to render a board.", status=405)
        if not self.has_view_permission(request):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=customer_id)
        board = vision_board_request(customer.pk, force=True)
        messages.success(request, f"Vision board {board.version} is rendering; reload in a moment to see it.")
        return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[customer.pk]))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra = {"gallery_url": reverse("admin:visionboards_visionboard_gallery"), **(extra_context or {})}
        return super().changelist_view(request, extra)
