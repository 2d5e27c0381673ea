"""Every request body of every service takes exactly what its OpenAPI schema says: a field it
does not know is refused, and so is a value of another JSON type than the schema's (a date as a
number, a count as a boolean or a string, a yes/no as 1 or "true"), rather than read as
something the caller did not mean (`effective_from: 0` as 1970-01-01)."""

import importlib
import typing
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

SERVICES = ("customers", "invoicing", "payments", "collections", "credit")

# Values of the wrong JSON type (or a string that only looks like one) for each Python type.
OUT_OF_SCHEMA: dict[type, list[Any]] = {
    int: [True, "5", 5.0],
    bool: [1, 0, "true", "yes"],
    date: [0, 86400, "0", "20261031", "2026-10-31T00:00:00"],
    datetime: [0, 1.7e9, "0", "2026-10-31"],
}


def _models(annotation: Any, seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    if typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            yield from _models(argument, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            yield annotation
            for field in annotation.model_fields.values():
                yield from _models(field.annotation, seen)


def _body_models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for name in SERVICES:
        definition = importlib.import_module(f"services.{name}.service").definition
        for router in definition.routers:
            for route in router.routes:
                if not isinstance(route, APIRoute) or route.body_field is None:
                    continue
                if route.body_field.field_info.annotation.__module__.startswith("fastapi"):
                    continue  # a multipart form: its parts are files and form fields
                for model in _models(route.body_field.field_info.annotation, set()):
                    found[f"{model.__module__}.{model.__qualname__}"] = model
    return found


BODIES = _body_models()


def _leaf_types(annotation: Any) -> set[Any]:
    if typing.get_origin(annotation) is not None:
        return set().union(*(_leaf_types(a) for a in typing.get_args(annotation)))
    return {annotation}


def _typed_fields() -> Iterator[tuple[str, str, Any]]:
    for name, model in sorted(BODIES.items()):
        for field_name, field in model.model_fields.items():
            for kind in _leaf_types(field.annotation) & set(OUT_OF_SCHEMA):
                for value in OUT_OF_SCHEMA[kind]:
                    yield name, field_name, value


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_request_body_refuses_unknown_fields(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        BODIES[name].model_validate({"an_unknown_field": "x"})
    assert any(e["type"] == "extra_forbidden" for e in refused.value.errors())


@pytest.mark.parametrize(("name", "field", "value"), list(_typed_fields()))
def test_a_value_of_another_type_than_the_schema_says_is_refused(
    name: str, field: str, value: Any
) -> None:
    model = BODIES[name]
    alias = model.model_fields[field].alias or field
    try:
        model.model_validate({alias: value})
    except ValidationError as refused:
        assert any(e["loc"][:1] == (alias,) for e in refused.errors()), refused.errors()
        return
    pytest.fail(f"{name}.{field} accepted {value!r}")


def test_the_walk_finds_the_bodies_of_all_five_services() -> None:
    assert {name.split(".")[1] for name in BODIES} >= set(SERVICES)
    assert len(list(_typed_fields())) > 50
