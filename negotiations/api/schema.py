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


CSL_JSON = "application/vnd.citationstyles.csl+json"
CSL_JSON_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type", "title", "URL", "version"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "URL": {"type": "string"},
            "version": {"type": "string"},
        },
    },
}


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
                # The citation alone (cite/?format=bibtex|csl-json): a BibTeX entry, and a
                # list of one CSL-JSON item (negotiations/api/citation.py).
                if "application/x-bibtex" in content:
                    content["application/x-bibtex"] = {"schema": {"type": "string"}}
                if CSL_JSON in content:
                    content[CSL_JSON] = {"schema": CSL_JSON_SCHEMA}
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
    "412": "The record changed since the ETag in If-Match was read; nothing was saved. The "
    "body holds the record as it now stands (`current`), the ETag header its version.",
    "428": "If-Match is missing: send the record's ETag (or `*`) to change or delete it.",
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
    return declare_versions(result)


# --- versions: ETag on records, If-Match on changes (negotiations/api/preconditions.py) ----------

GUARDED = {"put", "patch", "delete"}
ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "The record's version (a strong entity tag). Send it back unchanged in "
        "If-Match to change or delete the record.",
    }
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version this change is based on, as the record's GET "
    'gave it (`"…"`), or `*` to change whatever version stands. Weak tags (W/) never match. '
    "Missing: 428; stale: 412 with the record as it stands.",
}


def declare_versions(result):
    """Declare ETag on the answers that carry one, and If-Match, 412 and 428 on changes.

    A path is one record when its last segment is a path parameter (`/parties/{party}/`): its
    GET, PUT and PATCH answer with the ETag; a POST answers the created record's. docs/api.md,
    "Writing safely: ETag and If-Match".
    """
    for path, operations in result.get("paths", {}).items():
        one_record = path.rstrip("/").rsplit("/", 1)[-1].startswith("{")
        read = operations.get("get", {}).get("responses", {}).get("200", {})
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            if method == "post" and "201" in responses:
                responses["201"].setdefault("headers", {}).update(ETAG_HEADER)
            if not one_record:
                continue
            if method in ("get", "put", "patch") and "200" in responses:
                responses["200"].setdefault("headers", {}).update(ETAG_HEADER)
            if method not in GUARDED:
                continue
            operation.setdefault("parameters", []).append(IF_MATCH)
            record = (responses.get("200") or read).get("content", {}).get("application/json")
            failed = {
                "type": "object",
                "required": ["detail", "current"],
                "properties": {
                    "detail": {"type": "string"},
                    "current": record["schema"] if record else {"type": "object"},
                },
            }
            responses["412"] = {
                "description": ERROR_DESCRIPTIONS["412"],
                "headers": ETAG_HEADER,
                "content": {"application/json": {"schema": failed}},
            }
            responses["428"] = {
                "description": ERROR_DESCRIPTIONS["428"],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            operation["responses"] = dict(sorted(responses.items()))
    return result
