"""Public corrections and withdrawals in the admin (docs/admin.md, "Corrections").

Editors add them (the kind of record, its id, correction or withdrawal, the public note and
date); Analysts and Editors view them. Once saved a correction is read-only and cannot be
deleted (the model and a database trigger refuse both). Who made it is kept as a role only.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from negotiations.models import CORRECTABLE_MODELS, Correction
from positions.page_tools import record_page_url
from positions.versions import staff_role


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "date", "negotiation", "made_by"]
    list_filter = ["kind", "negotiation", "content_type"]
    search_fields = ["note"]
    ordering = ["-made_at"]
    add_fields = ["content_type", "object_id", "kind", "note", "date"]
    shown_fields = ["record_link", "kind", "note", "date", "negotiation", "made_at", "made_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type", "negotiation")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def has_change_permission(self, request, obj=None):
        return False  # public once made: a later correction corrects it

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="record")
    def record_link(self, correction):
        record = correction.record
        if record is None:
            return f"{correction.content_type.model} #{correction.object_id} (since deleted)"
        return format_html('<a href="{}">{}</a>', record_page_url(record), record)

    def save_model(self, request, obj, form, change):
        obj.made_by = staff_role(request.user) or ""  # a role, never a name: it is public
        super().save_model(request, obj, form, change)


def correction_form_url(request, record) -> str | None:
    """The form for a public correction of `record`, with the record filled in; None when the
    user may not add corrections or the record is not one readers see."""
    opts = record._meta
    if opts.model_name not in CORRECTABLE_MODELS.get(opts.app_label, ()):
        return None
    if not request.user.has_perm("negotiations.add_correction"):
        return None
    kind = ContentType.objects.get_for_model(record)  # cached after the first
    query = urlencode({"content_type": kind.pk, "object_id": record.pk})
    return f"{reverse('admin:negotiations_correction_add')}?{query}"
