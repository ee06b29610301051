"""The documented plugin signals of the shared core (the only signals we use).

``demo_city_seeded`` is sent at the end of ``demo_city_seed`` inside its
transaction, with ``departments`` (code → Department) and ``officials``
(title → Official), so that the apps (meetings, visits) add their own demo
data without ``scheduling`` importing them, and ``history``: False when only
the organisation and the logins are wanted (``seed_demo --no-history``), so
no past year is lived through. Receivers must be idempotent: ``seed_demo``
may run twice.
"""

from django.dispatch import Signal

demo_city_seeded = Signal()
