"""Anonymous reading is throttled per client address at settings.API_ANON_RATE."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """AnonRateThrottle reading its rate from settings.API_ANON_RATE (e.g. "120/minute").

    DRF's own class reads the rate once at import; reading it per request lets a deployment or a
    test change it. Counts live in the default cache, so use a shared cache (REDIS_URL) when
    several web processes serve the API.
    """

    def get_rate(self):
        return settings.API_ANON_RATE
