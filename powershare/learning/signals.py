"""Signals other apps listen to, so learning never needs to know who evaluates it."""

from django.dispatch import Signal

#: Sent (inside the transaction) after a delivery's sessions were made, moved, added or
#: removed, or the delivery was cancelled. Argument: delivery (a Delivery).
delivery_sessions_changed = Signal()

#: Sent (inside the transaction) after attendance at a session was recorded.
#: Argument: session (a DeliverySession).
attendance_changed = Signal()
