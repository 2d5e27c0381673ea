import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from shared.api.problems import PROBLEM_MEDIA_TYPE, Conflict, install_problem_handlers


class Body(BaseModel):
    name: str
    amount: int


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def create(body: Body) -> Body:
        if body.name == "taken":
            raise Conflict("a thing called 'taken' exists", existing="taken")
        if body.name == "boom":
            raise RuntimeError("secret internals")
        return body

    return app


async def _post(json: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/things", json=json)


async def test_validation_errors_list_each_offending_field() -> None:
    response = await _post({"name": 5})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["type"].endswith(":validation-error")
    assert {e["field"] for e in problem["errors"]} == {"body.name", "body.amount"}


async def test_a_raised_problem_keeps_its_status_type_and_extensions() -> None:
    problem = (await _post({"name": "taken", "amount": 1})).json()
    assert problem["status"] == 409 and problem["type"].endswith(":conflict")
    assert problem["existing"] == "taken" and problem["instance"] == "/things"


async def test_unexpected_errors_are_a_problem_without_internals() -> None:
    response = await _post({"name": "boom", "amount": 1})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "secret internals" not in response.text


async def test_unknown_paths_and_malformed_json_are_problems() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/nowhere")
        malformed = await client.post(
            "/things", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert missing.status_code == 404 and missing.json()["type"].endswith(":not-found")
    assert malformed.status_code == 422 and malformed.headers["content-type"] == PROBLEM_MEDIA_TYPE
