"""OpenAPI details drf-spectacular cannot infer: fields read and written in two shapes, CSV,
and the errors every operation may answer."""

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
    return declare_errors(result, generator, request, public)


# --- errors: every operation says which it may answer, and in what shape -------------------------

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "An error about the request as a whole.",
        "required": ["detail"],
        "properties": {"detail": {"type": "string"}},
    },
    "ParameterErrors": {
        "type": "object",
        "description": "What is wrong with the query, keyed by parameter: unknown, malformed, "
        "given twice, empty, or naming no record. Each message says what the parameter takes.",
        "minProperties": 1,
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    "ValidationErrors": {
        "type": "object",
        "description": "What is wrong with a write, keyed by field (`non_field_errors` for the "
        "record as a whole, `detail` for a body that cannot be read): a list of messages, or "
        "for a nested field (a scale's stances) the same shape per item.",
        "minProperties": 1,
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "string"},
                {"type": "object"},
            ]
        },
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Bad request: the body names each parameter (or field) and what it takes.",
    "401": "No credentials: writing needs a token or a signed-in session.",
    "403": "The user lacks the model permission for this change.",
    "404": "No such record (or negotiation).",
    "406": "The Accept header asks for a format the API cannot answer in.",
    "409": "The record is in use; the message names what refers to it.",
    "415": "The body is not JSON (or a form).",
    "429": "Too many anonymous requests; try again after `Retry-After` seconds.",
}

WRITES = {"post", "put", "patch", "delete"}


def declare_errors(result, generator, request, public):
    """Postprocessing hook: declare the errors each operation can answer, with their bodies.

    Errors are JSON whatever format was asked for (negotiations/api/errors.py), so a generated
    client gets a typed error instead of None. docs/api.md, "Errors".
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = ["400", "404", "406", "429"]
            if method in WRITES:
                codes += ["401", "403"] + (["409"] if method == "delete" else [])
                codes += ["415"] if method != "delete" else []
            responses = operation.setdefault("responses", {})
            for code in codes:
                if code == "400":
                    body = "ValidationErrors" if method in WRITES else "ParameterErrors"
                else:
                    body = "Error"
                response = responses.setdefault(code, {})
                response.setdefault("description", ERROR_DESCRIPTIONS[code])
                response["content"] = {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                }
                if code == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds to wait before the next request.",
                        }
                    }
            operation["responses"] = dict(sorted(responses.items()))
    return result
