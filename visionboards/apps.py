from django.apps import AppConfig


class VisionboardsConfig(AppConfig):
    name = "visionboards"
    verbose_name = "Vision boards"
