"""Self-describing CSV: what was asked travels with the rows, in the file name and as columns,
and the response says each column's type.

A CSV file outlives the request that made it. `positions.csv` saved twice, as of two rounds, must
not be two files that look alike: the parameters of a computed view (`as_of`; `from`, `to`;
the measured `parties`) are columns of every row and parts of the file name. The types are in
the `Column-Types` header (`name=integer, …`) and docs/api.md, because a CSV cell has none: a
loader guesses, and an integer column with an empty cell comes out as floats in pandas.
"""

from __future__ import annotations

from rest_framework import serializers

from negotiations.api.renderers import Column, _nested

# Checked in order: the first class a field is an instance of gives its type.
FIELD_TYPES = (
    (serializers.BooleanField, "boolean"),
    (serializers.IntegerField, "integer"),
    (serializers.FloatField, "number"),
    (serializers.DecimalField, "number"),
    (serializers.DateTimeField, "datetime"),
    (serializers.DateField, "date"),
)


def parameter_columns(parameters: dict[str, object]) -> list[Column]:
    """The request's parameters as leading columns (`as_of`, `from`, `to`, `parties`)."""
    return [Column(name, (name,)) for name in parameters]


def with_parameters(rows: list[dict], parameters: dict[str, object]) -> list[dict]:
    """Add the parameters to each row, so the CSV renderer finds them like any other column."""
    for row in rows:
        row.update(parameters)
    return rows


def file_name(base: str, parameters: dict[str, object]) -> str:
    """`russia-ukraine-2025-positions-as-of-alaska-summit`: the base, then each parameter."""
    parts = [base]
    for name, value in parameters.items():
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(item) for item in values if item not in (None, "")]
        if values:
            parts += [name.replace("_", "-"), *values]
    return "-".join(parts)


def column_types(serializer, columns: list[Column], parameters=()) -> list[tuple[str, str]]:
    """Return (column, type) for a CSV: integer, number, boolean, date, datetime or string.

    A column that joins a list ("; ") is a string, whatever its items are.
    """
    types = []
    for column in columns:
        if column.name in parameters or column.within:
            types.append((column.name, "string"))
            continue
        field = field_at(serializer, column.path)
        kind = next((name for cls, name in FIELD_TYPES if isinstance(field, cls)), "string")
        types.append((column.name, kind))
    return types


def field_at(serializer, path: tuple[str, ...]):
    field = None
    for name in path:
        if serializer is None:
            return None
        field = serializer.fields.get(name)
        if field is None:
            return None
        serializer, _ = _nested(field)
    return field


def column_types_header(types: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name}={kind}" for name, kind in types)
