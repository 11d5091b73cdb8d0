"""Every index the project's models declare earns its place: no plain index repeats the leading
columns of another. Such an index costs a write on every insert and serves no read that the
other cannot. A ForeignKey declares one of its own unless told not to (db_index=False).

From the models, not the database's introspection (which fails on SQLite for the user table's
expression index); the migrations follow the models (tests/test_models.py)."""

import pytest
from django.apps import apps
from django.db import models

OWN_APPS = ["allies", "circles", "meetings", "actions", "polls", "reports"]


def declared_indexes(model) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """({name: columns} of the indexes that hold every row, {names of the plain ones})."""
    columns, plain = {}, set()
    for field in model._meta.local_fields:
        if field.primary_key or field.unique or field.db_index:
            columns[field.name] = (field.column,)
            if not (field.primary_key or field.unique):
                plain.add(field.name)
    for index in model._meta.indexes:
        if index.condition is None and index.fields:
            names = [name.removeprefix("-") for name in index.fields]
            columns[index.name] = tuple(model._meta.get_field(name).column for name in names)
            plain.add(index.name)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            fields = [model._meta.get_field(name) for name in constraint.fields]
            if fields:
                columns[constraint.name] = tuple(field.column for field in fields)
    return columns, plain


def redundant_indexes(model):
    """(plain index, the index that starts with the same columns) on this model's table."""
    columns, plain = declared_indexes(model)
    for name in sorted(plain):
        width = len(columns[name])
        for other, other_columns in columns.items():
            if other == name or other_columns[:width] != columns[name]:
                continue
            # Of two plain indexes on the same columns, name one (the other's twin).
            if len(other_columns) > width or other not in plain or other < name:
                yield name, other


@pytest.mark.parametrize(
    "model",
    [model for label in OWN_APPS for model in apps.get_app_config(label).get_models()],
    ids=lambda model: model._meta.label,
)
def test_no_index_repeats_the_start_of_another(model):
    assert list(redundant_indexes(model)) == []


def test_a_foreign_key_index_under_a_longer_index_is_found():
    from meetings.models import Response

    meeting = Response._meta.get_field("meeting")
    meeting.db_index = True
    try:
        found = list(redundant_indexes(Response))
    finally:
        meeting.db_index = False
    assert found == [("meeting", "response_one_per_person_meeting")]
