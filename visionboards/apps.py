from django.apps import AppConfig
from django.conf import settings


class VisionboardsConfig(AppConfig):
    name = "visionboards"
    verbose_name = "Vision boards"

    def ready(self) -> None:
        from PIL import Image

        from visionboards import signals  # noqa: F401  (connects the receivers)

        Image.MAX_IMAGE_PIXELS = settings.VISION_BOARD_MAX_PIXELS
        from visionboards.api.export import register as register_export

        register_export()
