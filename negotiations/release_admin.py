"""Cutting releases in the admin (docs/releases.md): Editors cut, Analysts and Editors view.

The add form asks for the negotiation, tag, date and note; saving it cuts the release through
negotiations.releases.cut_release, the one place a release is made. A cut release is shown
read-only and cannot be deleted (the model and a database trigger refuse both).
"""

from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from negotiations.models import Release
from negotiations.releases import cut_release
from positions.versions import staff_role


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["tag", "negotiation", "date", "cut_at", "cut_by"]
    list_filter = ["negotiation"]
    search_fields = ["tag", "note", "negotiation__title"]
    ordering = ["-cut_at"]
    add_fields = ["negotiation", "tag", "date", "note"]
    shown_fields = [
        "negotiation",
        "tag",
        "date",
        "note",
        "cut_at",
        "cut_by",
        "checksum",
        "counts",
        "addresses",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("negotiation").defer("snapshot")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def has_change_permission(self, request, obj=None):
        return False  # a release never changes

    def has_delete_permission(self, request, obj=None):
        return False  # a citation may name it

    @admin.display(description="read it")
    def addresses(self, release):
        return format_html(
            '<a href="{}">Release page</a> · <a href="{}">pages as of this release</a>',
            release.get_absolute_url(),
            reverse("negotiation-detail", args=[release.negotiation.slug])
            + f"?release={release.tag}",
        )

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Not inside the admin's usual transaction: cut_release must open the outermost one
        # (REPEATABLE READ on PostgreSQL) for the release to be one consistent moment.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def log_addition(self, request, obj, message):
        if not getattr(obj, "_refused", False):
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "_refused", False):
            return redirect("admin:negotiations_release_add")
        return super().response_add(request, obj, post_url_continue)

    def save_model(self, request, obj, form, change):
        """Cut the release: copy the negotiation's records as they stand now."""
        try:
            cut = cut_release(
                obj.negotiation,
                tag=obj.tag,
                date=obj.date,
                note=obj.note,
                cut_by=staff_role(request.user) or "",  # a role, never a name: it is public
            )
        except ValidationError as error:  # another editor cut the same tag a moment ago
            messages.error(request, " ".join(error.messages))
            obj._refused = True
            return
        obj.pk = cut.pk
        obj._state.adding = False
        obj._state.db = cut._state.db
        messages.info(request, f"Cut with {sum(cut.counts.values())} records.")
