"""Proof of control for live collection: the user shows that the profile or site is theirs.

A one-time token is made per account (its key: who the account is, never its label) and kept in the
inventory, so it stays the same from run to run until it has been seen. The user puts it where only the
owner can write: the profile's bio, a meta tag in the site's <head>, the site's or blog's own title or
description, a feed's own title or description; never where visitors write (comments, guestbooks). The
source checks it before fetching a single post.

A page that repeats what it was asked for (a search page, a tag page, an echoing redirect) would show any
token: the token counts only when no address asked for, redirects included, carries it in any encoding.
"""

from __future__ import annotations

import html
import secrets
from typing import Iterable
from urllib.parse import unquote_plus

import sqlite_utils

from .errors import ProofError
from .inventory.db import now_utc

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


def shown(token: str | None, owner_texts: Iterable[str], asked: Iterable[str]) -> bool:
    """The token is in what only the owner writes, and none of the addresses asked for carries it."""
    if not token:
        return False
    return any(token in text for text in owner_texts) and not any(carries(address, token) for address in asked)


def carries(address: str, token: str) -> bool:
    """The address holds the token's secret part after any number of percent, plus or HTML-entity decodings,
    in any case: `%2570hoto-audit-verify-…` is the token to a server that decodes twice."""
    secret = token.removeprefix(PREFIX).lower()
    text = address
    while True:  # ends: each decoding that changes the text shortens it or turns a "+" into a space
        decoded = html.unescape(unquote_plus(text))
        if decoded == text:
            return secret in text.lower()
        text = decoded


def refuse(where: str, token: str, export_hint: str, place: str | None = None) -> ProofError:
    """The error that explains how to prove control (`place`: where exactly the token counts), or to use the
    official export instead."""
    return ProofError(
        f"cannot confirm that {where} is yours. To prove it, put this token in {place or where} "
        f"(you can remove it afterwards): {token} -- then run again. Or use the official export: {export_hint}"
    )
