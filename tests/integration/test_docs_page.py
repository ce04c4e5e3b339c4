"""/api/docs: the page and its own assets, no CDN."""

import pytest

from tests.factories import Api


def test_the_page_loads_its_assets_from_this_app(api: Api) -> None:
    response = api.client.http.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert 'src="docs/swagger-ui-bundle.js"' in page and 'href="docs/swagger-ui.css"' in page
    assert 'url: "openapi.json"' in page and "http" not in page.split("<body>")[1]


@pytest.mark.parametrize(
    ("asset", "kind"), [("swagger-ui-bundle.js", "application/javascript"), ("swagger-ui.css", "text/css")]
)
def test_assets_are_served(api: Api, asset: str, kind: str) -> None:
    response = api.client.http.get(f"/api/docs/{asset}")
    assert response.status_code == 200 and response.headers["Content-Type"] == kind
    assert len(response.body) > 10_000


@pytest.mark.parametrize("asset", ["LICENSE", "..%2F..%2Fsettings.py", "swagger-ui.js", "index.html"])
def test_nothing_else_is_served(api: Api, asset: str) -> None:
    reply = api.get(f"/api/docs/{asset}")
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
