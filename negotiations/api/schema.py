"""OpenAPI details drf-spectacular cannot infer: fields read and written in two shapes, CSV."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes


class RefFieldExtension(OpenApiSerializerFieldExtension):
    """A relation: an object in responses, the related record's slug (or id) in requests."""

    target_class = "negotiations.api.serializers.RefField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            kind = OpenApiTypes.INT if self.target.slug_field == "pk" else OpenApiTypes.STR
            return build_basic_type(kind)
        return auto_schema.resolve_serializer(self.target.ref, direction).ref


class StanceFieldExtension(OpenApiSerializerFieldExtension):
    """A stance: `{value, label}` in responses, the value on the issue's scale in requests."""

    target_class = "negotiations.api.serializers.StanceField"

    def map_serializer_field(self, auto_schema, direction):
        from negotiations.api.serializers import StanceRefSerializer

        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return auto_schema.resolve_serializer(StanceRefSerializer, direction).ref


def describe_csv(result, generator, request, public):
    """Postprocessing hook: CSV answers are text, and anonymous clients may read.

    Without this the schema would claim that text/csv bodies are JSON objects, which a generic
    client (or a conformance checker) would then try to parse.
    """
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method != "get":
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if "text/csv" in content:
                    content["text/csv"] = {"schema": {"type": "string"}}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] == "format":
                    parameter["description"] = (
                        "Answer as JSON (default) or CSV, like the Accept header. A list as "
                        "CSV holds every matching row, unpaged."
                    )
            security = operation.get("security")
            if security is not None and {} not in security:
                security.append({})
    return result
