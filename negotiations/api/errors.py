"""Errors are JSON with a message a person can act on, whatever format was asked for."""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from negotiations.api.preconditions import PreconditionFailed
from negotiations.api.serializers import field_errors
from negotiations.refusals import as_validation_error


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is in use."
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, taught the errors a write can meet below the serializer.

    Deleting a record others point at is a 409 naming them; a constraint or trigger that
    refuses a write the models' validation let through (a race, a writer behind the models) is
    a 400 on the field its rule names, in the words validation uses (negotiations.refusals),
    and a 409 when it refuses a deletion. A stale If-Match is a 412 with the record as it now
    stands (negotiations/api/preconditions.py).
    """
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(in_use_message(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, IntegrityError):
        refusal = as_validation_error(exc)
        request = context.get("request")
        if request is not None and request.method == "DELETE":
            exc = Conflict(" ".join(refusal.messages))
        else:
            exc = exceptions.ValidationError(field_errors(refusal))
    if isinstance(exc, PreconditionFailed):
        # The record as it stands, untouched (DRF would make its numbers strings), and its ETag.
        response = Response(
            {"detail": str(exc.detail), "current": exc.current},
            status=exc.status_code,
            headers={"ETag": exc.etag},
        )
    else:
        response = drf_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is None or renderer.format == "csv":
            # A CSV client gets a JSON error, not a one-cell table it might take for data.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
    return response


def in_use_message(exc: ProtectedError | RestrictedError) -> str:
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter(obj._meta for obj in objects)
    listed = ", ".join(
        counted(count, str(meta.verbose_name), str(meta.verbose_name_plural))
        for meta, count in sorted(counts.items(), key=lambda item: str(item[0].verbose_name))
    )
    verb = "refers" if len(objects) == 1 else "refer"
    return f"Cannot delete: {listed} {verb} to it. Delete or reassign them first."


def counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def not_found(request, *args, **kwargs):
    """JSON 404 for any address under /api/v1/ that names no endpoint."""
    return JsonResponse(
        {
            "detail": f"No API endpoint at {request.path}. The endpoints are listed at "
            f"{request.build_absolute_uri(reverse('api:root'))}."
        },
        status=404,
    )
