"""A negotiation's data as a Frictionless Data Package: CSVs, their schemas, codebook, checksums.

Each CSV is made by the API's own CSV code (the viewsets' querysets and serializers, the columns
of negotiations/api/renderers.py), so a package holds exactly what `?format=csv` answers, and its
Table Schemas take each column's type from negotiations/api/exports.py and its description from
the serializer field's help_text (shown in the OpenAPI schema too). The zip is deterministic:
entries in a fixed order with a fixed timestamp, so the same data gives the same bytes and the
same SHA-256. docs/api.md, "Data package".
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

from negotiations.api import serializers as s
from negotiations.api import views
from negotiations.api.exports import column_types, field_at
from negotiations.api.panel import panel_rows
from negotiations.api.renderers import Column, csv_columns, csv_lines
from negotiations.models import Negotiation

# Zip entries carry this time, not the time the package was made (zip's epoch is 1980).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CODEBOOK = Path(settings.BASE_DIR) / "docs" / "dataset.md"
CODEBOOK_SECTIONS = ("Coding rules", "Dating")
FRICTIONLESS_TYPES = {"datetime": "datetime", "date": "date", "integer": "integer"}
FRICTIONLESS_TYPES |= {"number": "number", "boolean": "boolean", "string": "string"}


@dataclass
class Table:
    name: str
    title: str
    description: str
    primary_key: list[str]
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)


TABLES = [
    Table("parties", "Parties", "The parties taking part in the negotiation.", ["slug"]),
    Table(
        "sources",
        "Sources",
        "The evidence the rounds, demands and concessions rest on (each with its excerpt).",
        ["slug"],
    ),
    Table(
        "issues",
        "Issues",
        "The issues, each with its scale of stances (joined by '; ' in the stances_ columns; "
        "one row per stance in stances.csv).",
        ["slug"],
    ),
    Table(
        "stances",
        "Stances",
        "The stance scales: one row per rung of each issue's scale, low pole (0) upward.",
        ["issue_slug", "value"],
        [(["issue_slug"], "issues", ["slug"])],
    ),
    Table("rounds", "Rounds", "Dated steps of the negotiation.", ["slug"]),
    Table(
        "demands",
        "Demands",
        "What each party demanded on each issue, as stated at each round.",
        ["id"],
        [
            (["party_slug"], "parties", ["slug"]),
            (["issue_slug"], "issues", ["slug"]),
            (["round_slug"], "rounds", ["slug"]),
        ],
    ),
    Table(
        "concessions",
        "Concessions",
        "Moves a party offered or made at a round on an issue, and what it asked in return.",
        ["id"],
        [
            (["party_slug"], "parties", ["slug"]),
            (["issue_slug"], "issues", ["slug"]),
            (["round_slug"], "rounds", ["slug"]),
        ],
    ),
    Table(
        "panel",
        "Panel",
        "One row per issue × party × round with the stance standing then (docs/api.md).",
        ["issue_slug", "party_slug", "round_slug"],
        [
            (["issue_slug"], "issues", ["slug"]),
            (["party_slug"], "parties", ["slug"]),
            (["round_slug"], "rounds", ["slug"]),
        ],
    ),
]


@dataclass
class CsvTable:
    """A table's rows as the API renders them, with the serializer that describes its columns."""

    serializer: object
    columns: list[Column]
    records: list[dict]

    def text(self) -> str:
        return "".join(csv_lines(self.records, self.columns))


def list_view(viewset_class, request, negotiation: Negotiation, scoped: bool):
    """Return a viewset set up as for `GET …?format=csv` of the negotiation's records."""
    view = viewset_class(
        request=request,
        format_kwarg=None,
        action="list",
        args=(),
        kwargs={"negotiation": negotiation.slug} if scoped else {},
    )
    view.negotiation = negotiation
    return view


def listed(viewset_class, request, negotiation: Negotiation, *, scoped: bool) -> CsvTable:
    """The negotiation's records of one list endpoint, as its CSV export has them."""
    view = list_view(viewset_class, request, negotiation, scoped)
    queryset = view.get_queryset()
    if not scoped:  # parties and sources are shared: the list's own ?negotiation= filter
        query = QueryDict(mutable=True)
        query["negotiation"] = negotiation.slug
        queryset = view.filterset_class(query, queryset=queryset, request=request).qs
    queryset = queryset.order_by(*view.ordering)
    return CsvTable(
        view.csv_serializer(), view.csv_columns(), view.get_serializer(queryset, many=True).data
    )


def stances(issues: CsvTable) -> CsvTable:
    """The issues' scales, one row per stance, in the issue serializer's own stance columns."""
    serializer = s.StanceSerializer()
    columns = [Column("issue_slug", ("issue_slug",)), *csv_columns(serializer)]
    records = [
        {"issue_slug": issue["slug"], **stance}
        for issue in issues.records
        for stance in issue["stances"]
    ]
    return CsvTable(serializer, columns, records)


def panel(request, negotiation: Negotiation) -> CsvTable:
    view = list_view(views.NegotiationViewSet, request, negotiation, scoped=True)
    context = view.computed_context(negotiation)
    payload = {"negotiation": negotiation, "results": panel_rows(negotiation=negotiation)}
    records = s.PanelSerializer(payload, context=context).data["results"]
    serializer = s.PanelRowSerializer(context=context)
    return CsvTable(serializer, csv_columns(serializer), records)


def tables(request, negotiation: Negotiation) -> dict[str, CsvTable]:
    issues = listed(views.IssueViewSet, request, negotiation, scoped=True)
    made: dict[str, Callable[[], CsvTable]] = {
        "parties": lambda: listed(views.PartyViewSet, request, negotiation, scoped=False),
        "sources": lambda: listed(views.SourceViewSet, request, negotiation, scoped=False),
        "issues": lambda: issues,
        "stances": lambda: stances(issues),
        "rounds": lambda: listed(views.RoundViewSet, request, negotiation, scoped=True),
        "demands": lambda: listed(views.DemandViewSet, request, negotiation, scoped=True),
        "concessions": lambda: listed(views.ConcessionViewSet, request, negotiation, scoped=True),
        "panel": lambda: panel(request, negotiation),
    }
    return {table.name: made[table.name]() for table in TABLES}


def describe(serializer, column: Column) -> str:
    """A column's description: the help text (or label) of the serializer field it comes from."""
    outer = field_at(serializer, column.path)
    inner = None
    if column.within and outer is not None:
        child = getattr(outer, "child", None) or getattr(outer, "child_relation", None)
        nested = getattr(child, "ref", None)
        inner = field_at(nested() if callable(nested) else child, column.within)
    parts = []
    for found in (outer, inner):
        text = (getattr(found, "help_text", None) or "") if found is not None else ""
        if text and text not in parts:
            parts.append(str(text))
    if column.within:
        parts.append("One value per item, joined by '; '.")
    if not parts and outer is not None and outer.label:
        parts.append(str(outer.label))
    return " ".join(parts)


def schema(table: Table, data: CsvTable) -> dict:
    """The Table Schema of one CSV: its fields (type, description), keys and foreign keys."""
    fields = []
    for (name, kind), column in zip(
        column_types(data.serializer, data.columns), data.columns, strict=True
    ):
        entry = {"name": name, "type": FRICTIONLESS_TYPES[kind]}
        if description := describe(data.serializer, column):
            entry["description"] = description
        if kind == "boolean":
            entry |= {"trueValues": ["TRUE"], "falseValues": ["FALSE"]}
        if kind == "datetime":
            entry["format"] = "any"
        fields.append(entry)
    result = {"fields": fields, "missingValues": [""], "primaryKey": table.primary_key}
    if table.foreign_keys:
        result["foreignKeys"] = [
            {"fields": own, "reference": {"resource": resource, "fields": target}}
            for own, resource, target in table.foreign_keys
        ]
    return result


def scales(data: CsvTable) -> list[dict]:
    """The stance scales, for the package's metadata: each issue's rungs, low pole first."""
    return [
        {
            "issue": issue["slug"],
            "title": issue["title"],
            "low_pole": issue["low_pole"],
            "high_pole": issue["high_pole"],
            "stances": [{"value": st["value"], "label": st["label"]} for st in issue["stances"]],
        }
        for issue in data.records
    ]


def codebook() -> str:
    """docs/dataset.md's coding rules and dating rules, as the package's codebook.md."""
    text = CODEBOOK.read_text(encoding="utf-8")
    parts = ["# Codebook\n\nFrom Parley's docs/dataset.md: how records are coded and dated.\n"]
    for title in CODEBOOK_SECTIONS:
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
        if match:
            parts.append(f"## {title}\n{match.group(1).rstrip()}\n")
    return "\n".join(parts)


def descriptor(negotiation: Negotiation, made: dict[str, CsvTable], url: str) -> dict:
    """The datapackage.json (Frictionless Data Package v1)."""
    return {
        "profile": "tabular-data-package",
        "name": negotiation.slug,
        "title": negotiation.title,
        "description": negotiation.summary,
        "homepage": url,
        "licenses": [],
        "stance_scales": scales(made["issues"]),
        "resources": [
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema(table, made[table.name]),
            }
            for table in TABLES
        ],
    }


def package_files(request, negotiation: Negotiation, url: str) -> list[tuple[str, bytes]]:
    """Return the package's files in order: descriptor, CSVs, codebook, then SHA256SUMS."""
    made = tables(request, negotiation)
    descriptor_json = json.dumps(
        descriptor(negotiation, made, url), indent=2, ensure_ascii=False, sort_keys=False
    )
    files = [("datapackage.json", (descriptor_json + "\n").encode())]
    files += [(f"{table.name}.csv", made[table.name].text().encode()) for table in TABLES]
    files.append(("codebook.md", codebook().encode()))
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files)
    files.append(("SHA256SUMS", sums.encode()))
    return files


def package_zip(request, negotiation: Negotiation, url: str) -> bytes:
    """Return the zip: every entry with a fixed time and mode, so equal data give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in package_files(request, negotiation, url):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()
