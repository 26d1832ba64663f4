"""Read an admin form back as the browser would post it, so tests change only what they mean to."""

from django.forms import CheckboxInput


def posted(response) -> dict:
    """Return the POST data of the admin form rendered in `response`, inlines included."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def _add_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        _put(data, bound.html_name, bound.value(), field.widget)
        if field.show_hidden_initial:
            # A form shown again carries the values it was first loaded with, as a browser's does.
            if form.is_bound and bound.html_initial_name in form.data:
                initial = form._widget_data_value(field.hidden_widget(), bound.html_initial_name)
            else:
                initial = bound.value()
            _put(data, bound.html_initial_name, initial, field.widget)


def _put(data: dict, key: str, value, widget) -> None:
    if isinstance(widget, CheckboxInput) or isinstance(value, bool):
        if value:
            data[key] = "on"
        return
    if getattr(getattr(widget, "widget", widget), "allow_multiple_selected", False):
        if value:  # a browser posts nothing for an empty multiple select
            data[key] = [str(item) for item in value]
    elif value is None:
        data[key] = ""
    elif isinstance(value, list | tuple):
        data[key] = [str(item) for item in value]
    else:
        data[key] = str(value)


def inline_rows(data: dict, prefix: str) -> list[dict]:
    """Return the inline rows of `prefix` ("demands") as dicts of field name -> value."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    return [
        {
            key.removeprefix(f"{prefix}-{i}-"): value
            for key, value in data.items()
            if key.startswith(f"{prefix}-{i}-")
        }
        for i in range(total)
    ]


def add_inline_row(data: dict, prefix: str, **values) -> int:
    """Append a new row to an inline formset's POST data; return its index."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    return index


def row_index(data: dict, prefix: str, pk) -> int:
    """Return the index of the inline row that edits the record with primary key `pk`."""
    for index, row in enumerate(inline_rows(data, prefix)):
        if row.get("id") == str(pk):
            return index
    raise LookupError(f"No {prefix} row for {pk}")


def errors_of(response) -> list[str]:
    """Return every error message the admin page shows, main form and inlines."""
    messages = []
    form = response.context["adminform"].form
    for field_errors in form.errors.values():
        messages += list(field_errors)
    for inline in response.context.get("inline_admin_formsets") or []:
        messages += list(inline.formset.non_form_errors())
        for row_errors in inline.formset.errors:
            for field_errors in row_errors.values():
                messages += list(field_errors)
    return messages
