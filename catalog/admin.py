from __future__ import annotations

from django.contrib import admin

from catalog.models import Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug", "parent", "position")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("sku", "name", "category_path", "price_shown", "active")
    list_select_related = ("category__parent",)
    list_filter = ("active", "category__parent", "category")
    search_fields = ("=sku", "name")
    autocomplete_fields = ("category",)
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False

    @admin.display(description="price", ordering="price")
    def price_shown(self, product: Product) -> str:
        return product.display_price

    @admin.display(description="category", ordering="category__name")
    def category_path(self, product: Product) -> str:
        category = product.category
        if category is None:
            return "-"
        return f"{category.parent} › {category}" if category.parent else str(category)
