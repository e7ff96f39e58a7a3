"""Signals other apps listen to, so recommendations need not know who uses them."""

from django.dispatch import Signal

# Sent with ``customer_ids`` (a list) after these customers' recommendations were invalidated.
recommendations_changed = Signal()
