"""Schema of the one error envelope, for drf-spectacular."""

from rest_framework import serializers


class ErrorEnvelope(serializers.Serializer):
    error_code = serializers.CharField(help_text="Machine-readable, e.g. validation_error.")
    message = serializers.CharField()
    details = serializers.JSONField(help_text="For validation errors: {errors: [{field, code, message}]}.")
    timestamp = serializers.DateTimeField()
    request_id = serializers.CharField()
