"""python -m chalicelib.cli: create-table and create-admin."""

from chalicelib.cli import main
from tests.factories import PASSWORD, Api, sign_up


def test_create_table_is_idempotent(capsys) -> None:
    assert main(["create-table"]) == 0
    assert "exists already" in capsys.readouterr().out


def test_create_admin_creates_an_admin_who_can_sign_in(api: Api, capsys) -> None:
    assert main(["create-admin", "--email", "Root@Example.com", "--password", PASSWORD]) == 0
    assert "created" in capsys.readouterr().out
    tokens = api.post("/api/auth/token", {"email": "root@example.com", "password": PASSWORD}).body
    me = api.get("/api/auth/me", token=tokens["access"]).body
    assert me["roles"] == ["guest", "admin"] and me["is_staff"] is True and me["phone"] is None


def test_create_admin_promotes_an_existing_account_keeping_its_password(api: Api, capsys) -> None:
    person = sign_up(api)
    assert main(["create-admin", "--email", person.email, "--password", "something else entirely"]) == 0
    assert "promoted" in capsys.readouterr().out
    tokens = api.post("/api/auth/token", {"email": person.email, "password": PASSWORD}).body
    assert "admin" in api.get("/api/auth/me", token=tokens["access"]).body["roles"]


def test_create_admin_refuses_a_weak_password_or_bad_email(capsys) -> None:
    assert main(["create-admin", "--email", "root@example.com", "--password", "short"]) == 2
    assert main(["create-admin", "--email", "not-an-email", "--password", PASSWORD]) == 2
