"""Operator commands against the table that the environment points at.

python -m chalicelib.cli create-table
python -m chalicelib.cli create-admin --email E --password P
"""

from __future__ import annotations

import argparse
import sys

from pydantic import TypeAdapter, ValidationError

from chalicelib.errors import DomainError
from chalicelib.models.base import create_table
from chalicelib.schemas.common import Email
from chalicelib.services.accounts import create_admin
from chalicelib.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("create-table", help="create the table with its indexes and TTL unless it exists")
    admin = sub.add_parser("create-admin", help="create an admin, or promote the account with this email")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--full-name", default="Administrator")
    args = parser.parse_args(argv)
    table = get_settings().table_name

    if args.command == "create-table":
        print(f"table {table!r} " + ("created" if create_table() else "exists already"))
        return 0
    try:
        email = str(TypeAdapter(Email).validate_python(args.email))
        user, created = create_admin(email, args.password, args.full_name)
    except ValidationError:
        print(f"not a valid email address: {args.email}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 2
    print(f"admin {user.email} ({user.id}) {'created' if created else 'promoted'} in table {table!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
