"""The release picker on a negotiation's overview (docs/releases.md)."""

from django import template

from negotiations.models import Release
from negotiations.releases import reading

register = template.Library()


@register.inclusion_tag("positions/releases/_picker.html")
def release_picker(negotiation):
    """The negotiation's releases, and which one (or which day) this page shows."""
    current = reading.get()
    return {
        "negotiation": negotiation,
        "releases": list(
            Release.objects.filter(negotiation=negotiation).defer("snapshot").latest_first()
        ),
        "current": current,
    }
