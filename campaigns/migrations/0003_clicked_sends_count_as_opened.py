"""A click implies an open: sends clicked before that was recorded get their open stamped
(at the click's time). Nothing to undo: the open was real."""

from django.db import migrations
from django.db.models import F


def stamp_opens(apps, schema_editor):
    Send = apps.get_model("campaigns", "Send")
    Send.objects.filter(opened_at__isnull=True, clicked_at__isnull=False).update(opened_at=F("clicked_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_email_template_customer_facing"),
    ]

    operations = [migrations.RunPython(stamp_opens, migrations.RunPython.noop)]
