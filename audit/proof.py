"""Proof of control for live collection: the user shows that the profile or site is theirs.

A one-time token is made per account and kept in the inventory, so it stays the same from run to
run until it has been seen. The user puts it in the profile's bio or the site's page (a meta tag
or plain text), and the source checks it before fetching a single post.
"""

from __future__ import annotations

import secrets

import sqlite_utils

from .db import now_utc
from .errors import ProofError

PREFIX = "photo-audit-verify-"
META_NAME = "photo-audit-verification"


def token_for(db: sqlite_utils.Database, account_key: str) -> str:
    """The account's pending token, made on first use."""
    row = next(db["proof_tokens"].rows_where("account = ?", [account_key]), None)
    if row:
        return row["token"]
    token = PREFIX + secrets.token_hex(5)
    db["proof_tokens"].insert({"account": account_key, "token": token, "created_at": now_utc()}, pk="account")
    return token


def is_verified(db: sqlite_utils.Database, account_key: str) -> bool:
    row = next(db["proof_tokens"].rows_where("account = ?", [account_key]), None)
    return bool(row and row["verified_at"])


def mark_verified(db: sqlite_utils.Database, account_key: str) -> None:
    db["proof_tokens"].update(account_key, {"verified_at": now_utc()})


def refuse(where: str, token: str, export_hint: str) -> ProofError:
    """The error that explains how to prove control, or to use the official export instead."""
    return ProofError(
        f"cannot confirm that {where} is yours. To prove it, put this token in {where} "
        f"(you can remove it afterwards): {token} -- then run again. Or use the official export: {export_hint}"
    )
