"""Create the media bucket on the object store when it is missing (a deployment's one-off step)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from marketing_platform.storage import ObjectStorage, bucket_ensure


class Command(BaseCommand):
    help = "Create the MEDIA_S3_BUCKET bucket if it does not exist yet; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        storage = default_storage
        if not isinstance(storage, ObjectStorage):  # the lazy default storage is set up here
            self.stdout.write("Media are local files under MEDIA_ROOT: no bucket to create.")
            return
        if bucket_ensure(storage):
            self.stdout.write(f"Created bucket {storage.bucket_name}.")
        else:
            self.stdout.write(f"Bucket {storage.bucket_name} exists.")
