"""Every index the project's models declare earns its place: no plain index repeats the leading
columns of another. Such an index costs a write on every insert and serves no read that the
other cannot. A ForeignKey declares one of its own unless told not to (db_index=False).

The check reads the models, not the database's introspection (which fails on SQLite for the
user table's expression index); the migrations follow the models (tests/test_models.py), and
the last test asks the database that the dropped indexes are gone."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from meetings.models import Response

PROJECT_MODELS = [
    model
    for app in apps.get_app_configs()
    if Path(app.path).parent == Path(settings.BASE_DIR)  # not Django's own, nor a package's
    for model in app.get_models()
]


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
    unique = [
        (constraint.name, constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None
    ]
    unique += [(f"unique_together {names}", names) for names in model._meta.unique_together]
    for name, names in unique:
        if names:  # not an expression
            columns[name] = tuple(model._meta.get_field(field).column for field in names)
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


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_no_index_repeats_the_start_of_another(model):
    assert list(redundant_indexes(model)) == []


def test_a_foreign_key_index_under_a_longer_index_is_found(monkeypatch):
    monkeypatch.setattr(Response._meta.get_field("meeting"), "db_index", True)
    assert list(redundant_indexes(Response)) == [("meeting", "response_one_per_person_meeting")]


UNINDEXED_KEYS = [
    (model, field)
    for model in PROJECT_MODELS
    for field in model._meta.local_fields
    if field.is_relation and not (field.db_index or field.unique)
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"), UNINDEXED_KEYS, ids=lambda item: getattr(item, "name", None)
)
def test_the_database_has_no_index_of_its_own_for_an_unindexed_key(model, field):
    """The migrations drop these by name: a wrong name would leave the index in place."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    own = [
        name for name, info in found.items() if info["index"] and info["columns"] == [field.column]
    ]
    assert own == []
