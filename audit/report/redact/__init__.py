"""Redacted reports (`--redact`): sample reports that advocates and clubs can show in public.

`redact_report` takes what `report.report_data` returns and gives back a new dict in which nothing the person wrote
or a picture of hers shows can lead back to her:
- no free text survives: a caption becomes the labels of the clues found in it, and a finding that quotes a caption or
  a picture's text quotes its label instead (clues.py). Bios and other profile fields are platform metadata, dropped;
- every thumbnail is softened all over, and every face and text the signals boxed is obscured (thumbnails.py);
- handles (the user's own, tagged and mentioned accounts, any @handle in any text), person names from profile
  fields and name tags, phone numbers, e-mail addresses, IP addresses, device ids and software versions are masked
  in every string, by the caption-text signal's own detectors plus every such value the findings already hold;
- what leads back to the original posts is gone: post URLs, post ids and platform metadata are dropped,
  media names (which carry post and media ids) become neutral labels, and photo, appearance and place ids
  (hashes of the file's bytes and of exact positions) become sequence numbers;
- positions are rounded to city level, in numbers and in text, and place names are cut to their city: places.names
  writes "district or town, province or city", so "Mapo-gu, Seoul" becomes "Seoul" (and Mapo-gu alone too). Venue
  names go. The places drawing is dropped: it is drawn around each place's exact centre.

It walks the whole structure rather than named sections, so a section added to the report later is
redacted too. What it cannot know stays: a stranger's name in a file name is not found.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections import Counter
from pathlib import PurePath
from typing import Any, Iterator
from urllib.parse import urlsplit

from markupsafe import Markup

from ...signals import kinds
from ...words import POSITION, N_, say
from ...signals.caption_text import contact_spans
from . import clues
from .thumbnails import blur_thumbnail, boxes

CITY_DECIMALS = 1  # 0.1 degree is about 11 km of latitude: the city, not the street
CITY_POSITION = f"%(lat).{CITY_DECIMALS}f, %(lon).{CITY_DECIMALS}f"
COORDINATE_KEYS = {"lat", "lon", "latitude", "longitude", "points"}
# Keys whose values lead back to the post, the file or the computer: never shown in a redacted report. `source_item`
# is where in the export a post was read (the export's folder, named after the account, and its file).
# `encoding` is biometric (a face template); `raw` is the GPS as the file wrote it; `extra` is platform metadata.
DROPPED_KEYS = {"post_url", "post_id", "path", "source_item", "extra", "raw", "encoding", "clean_copies"}
# What replaces each kind of secret. Inside a string it stays English; a secret that is the whole value of a finding's
# words (a software version, a venue) is said in the report's language.
MASK = {
    "ip": N_("[IP address]"), "device_id": N_("[device ID]"), "phone": N_("[phone]"), "email": N_("[e-mail]"),
    "software": N_("[software version]"), "id": N_("[id]"), "website": N_("[website]"), "folder": N_("[folder]"),
    "post_id": N_("[post id]"), "link": N_("[link]"), "name": N_("[name]"), "venue": N_("[place name]"),
}
MASKS = frozenset(MASK.values())
# Evidence keys whose values are secrets wherever else they appear, and what replaces them. A software version
# (a phone's firmware build) narrows the phone down to a model, a region and a month of updates.
SECRET_EVIDENCE = {key: MASK[key] for key in ("ip", "device_id", "software")} | {"e164": MASK["phone"]}
# Finding kinds whose quote is a secret.
SECRET_QUOTES = {"phone": MASK["phone"], "email": MASK["email"], "software_id": MASK["id"]}
DETECTED = {"phone": MASK["phone"], "email": MASK["email"]}  # caption-text span kinds masked in any text
VENUES = kinds("venue")  # findings whose evidence `name` is the venue a post was tagged with
PROFILE_NAME_FIELDS = ("Name", "full_name", "name")  # extra["profile"]: Instagram export, instaloader/live
PROFILE_LINK_FIELDS = ("Website", "external_url")
CAPTION = "caption"  # a post's caption, under this key in the cards' appearances and in the plan's steps
CAPTION_CLUES = "caption_clues"  # beside it in a redacted report: the labels of the clues it held, to translate

_COORDINATE_TEXT = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{3,}(?![\w.])")
HEX_ID = re.compile(r"[0-9a-f]{16,64}")  # the inventory's ids: sha256 of a file's bytes, stable_id hashes
_BOUNDARY = "A-Za-z0-9_"  # a secret is matched only where it is not the middle of a longer word


def redact_report(data: dict) -> dict:
    """A redacted copy of report_data's output, which stays as it was."""
    data = {key: value for key, value in data.items() if key != "places_drawing"}
    redacted = _Redactor(data).walk(data)
    redacted["places_drawing"] = None  # the drawing shows each position to the metre
    return redacted


class _Redactor:
    def __init__(self, data: dict):
        self.secrets: dict[str, str] = {}  # lower-cased text -> what replaces it inside any string
        self.exact: dict[str, str] = {}  # whole strings (account keys and labels) -> pseudonyms
        self.handles: dict[str, str] = {}
        self.captions: dict[str, list[str]] = {}  # a caption (its _key) -> the labels of its clues
        self.counts: Counter = Counter()
        self.memo: dict[int, Any] = {}  # a card is shared by sections, places and the plan: redact it once
        self._collect(data)
        self.pattern = _literal_pattern(self.secrets)

    # --- collecting what must go, before anything is rewritten ---------------------------------------

    def _collect(self, data: dict) -> None:
        for account in data.get("accounts", []):
            self._account(account)
        for card in data.get("photos", []):
            self._card(card)
        for place in data.get("places", []):
            self._pseudonym(place["place"], "place")
            self._town(place.get("name"), place.get("name_ko"))
        for person in data.get("people", []):
            self._handle(person["handle"])
        for card in data.get("photos", []):  # venues last: a venue named like a town or district is cut to its city
            for appearance in card["appearances"]:
                self._venue(appearance.get("location_name"))
            for reason in card["reasons"]:
                if (reason["signal"], reason["kind"]) in VENUES:
                    self._venue(reason["evidence"].get("name"))
        # What is left: ids and file names outside the cards (photos gone since the last audit), and any text.
        for key, text in dict.fromkeys(_strings(data)):  # each once, in a fixed order (pseudonyms are numbered)
            if HEX_ID.fullmatch(text):
                self._pseudonym(text, "id")
            elif key == "label" and PurePath(text).suffix:  # a card's label is its file's name
                self._pseudonym(text, "picture", PurePath(text).suffix)
            self._detect(text)

    def _account(self, account: dict) -> None:
        self.counts["account"] += 1
        number = self.counts["account"]
        self.exact[account["key"]] = f"{account['platform']}:account-{number}"
        # The display is a label, @handle, address or folder path: whichever it is, it names the account.
        if account.get("handle"):
            self.exact[account["display"]] = "@" + self._handle(account["handle"], own=True)
        else:
            self.exact[account["display"]] = f"{account['platform']} {number}"
        if account.get("url"):
            self._secret(account["url"], MASK["website"])
            self._secret(urlsplit(account["url"]).hostname or "", MASK["website"])
        if account.get("path") and PurePath(account["path"]).is_absolute():  # /home/<user>/...
            self._secret(account["path"], MASK["folder"])

    def _card(self, card: dict) -> None:
        for photo in card["members"]:
            self._pseudonym(photo, "photo")
        for appearance in card["appearances"]:
            self._pseudonym(appearance["id"], "appearance")
            name = appearance.get("media_name") or ""
            self._pseudonym(name, appearance["kind"], PurePath(name).suffix)
            self._secret(appearance.get("post_id") or "", MASK["post_id"])
            self._secret(appearance.get("post_url") or "", MASK["link"])
            for handle in appearance.get("tagged_users") or []:
                self._handle(handle)
            self._profile(appearance.get("extra"))
            self._caption(appearance.get(CAPTION), clues.caption_labels(card["reasons"], appearance["id"]))
        for reason in card["reasons"]:
            self._evidence(reason["kind"], reason["evidence"])

    def _caption(self, caption: str | None, labels: list[str]) -> None:
        if caption and caption.strip():
            key = _key(caption)
            self.captions[key] = list(dict.fromkeys([*self.captions.get(key, []), *labels]))

    def _profile(self, extra: str | None) -> None:
        """Names and links from the profile fields that sources keep beside the profile picture."""
        profile = json.loads(extra or "{}").get("profile") or {}
        for field in PROFILE_NAME_FIELDS:
            self._name(profile.get(field))
        for field in PROFILE_LINK_FIELDS:
            self._secret(profile.get(field) or "", MASK["website"])
        if profile.get("Username"):
            self._handle(profile["Username"], own=True)

    def _evidence(self, kind: str, evidence: dict) -> None:
        if evidence.get("handle"):
            self._handle(evidence["handle"])
        for key, replacement in SECRET_EVIDENCE.items():
            self._secret(str(evidence.get(key) or ""), replacement)
        if kind in SECRET_QUOTES:
            self._secret(str(evidence.get("quote") or ""), SECRET_QUOTES[kind])
        if kind == "software_id":
            self._secret(str(evidence.get("id") or ""), MASK["id"])
        if kind == "name_tag":
            self._name(evidence.get("quote"))
        place = evidence.get("place")
        if isinstance(place, dict):
            self._town(*place.values())

    def _detect(self, text: str) -> None:
        """Phones, e-mail addresses and @handles in any text, found by the caption-text signal's rules."""
        if not any(c.isdigit() or c == "@" for c in text):
            return  # none of them can be written without a digit or an @
        text = unicodedata.normalize("NFC", text)
        for span in contact_spans(text):
            if span.kind in DETECTED:
                self._secret(text[span.start : span.end], DETECTED[span.kind])
            elif span.kind == "mention":
                self._handle(span.details["handle"])

    def _town(self, *names: str | None) -> None:
        """A place's names as places.names writes them, "Mapo-gu, Seoul": the district (or town) goes, the city stays."""
        for name in filter(None, names):
            district, _, city = name.rpartition(", ")
            if district:
                self._secret(name, city)
                self._secret(district, city)

    def _venue(self, name: str | None) -> None:
        """A venue pins a position to a building; a town or district name (one geonames gave) was cut to its city."""
        if name and name.strip().lower() not in self.secrets:
            self._secret(name, MASK["venue"])

    def _name(self, name: str | None) -> None:
        """A person's name, whole and word by word (a file name may hold part of it)."""
        if not name or not name.strip():
            return
        self._secret(name.strip(), MASK["name"])
        for word in name.split():
            if len(word) > 1:
                self._secret(word, MASK["name"])

    def _handle(self, handle: str, own: bool = False) -> str:
        """The handle's pseudonym: your-handle (then your-handle-2...) for the user's own, person-N for others."""
        handle = handle.strip().lstrip("@").lower()
        if handle and handle not in self.handles:
            kind = "your-handle" if own else "person"
            self.counts[kind] += 1
            number = self.counts[kind]
            self.handles[handle] = kind if own and number == 1 else f"{kind}-{number}"
            self._secret(handle, self.handles[handle])
        return self.handles.get(handle, "")

    def _pseudonym(self, value: str, kind: str, suffix: str = "") -> None:
        """`kind`-N, numbered in order of first sight, in place of an id or a name that holds ids."""
        if value.strip() and value.strip().lower() not in self.secrets:
            self.counts[kind] += 1
            self._secret(value, f"{kind}-{self.counts[kind]}{suffix}")

    def _secret(self, text: str, replacement: str) -> None:
        if text := _key(text):
            self.secrets.setdefault(text, replacement)

    # --- rewriting ---------------------------------------------------------------------------------

    def walk(self, value: Any, key: str | None = None, owner: dict | None = None) -> Any:
        if key in DROPPED_KEYS:
            return None
        if key in COORDINATE_KEYS:
            return _round(value)
        if key == "say":
            return value  # a finding's sentence: the signal's words, with the values apart
        if key == "thumbnail" and value:
            return blur_thumbnail(value, boxes(owner or {}))
        if key == CAPTION and isinstance(value, str):
            return " ".join(self._caption_labels(value))
        if isinstance(value, Markup):
            return Markup(self.text(str(value)))
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (dict, list, tuple, set)) or _is_dataclass(value):
            if id(value) not in self.memo:
                self.memo[id(value)] = self._container(value)
            return self.memo[id(value)]
        return value

    def _container(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self._dict(value)
        if isinstance(value, (list, tuple, set)):
            items = [self.walk(item) for item in value]
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)  # named tuples too
        fields = {f.name: self.walk(getattr(value, f.name), f.name) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **fields)

    def _dict(self, value: dict) -> dict:
        # Keys are the report's own words (a key named like a folder must stay), never data.
        walked = {k: self.walk(v, k, value) for k, v in value.items()}
        if clues.quotes_text(value):
            walked = clues.unquoted(value, walked)
        if CAPTION in value:
            walked[CAPTION_CLUES] = self._caption_labels(value[CAPTION])
        if "say" in value and isinstance(value.get("with"), dict):
            walked["with"] = {name: self._said_mask(param, walked["with"][name]) for name, param in value["with"].items()}
        if value.get("say") == POSITION:  # its numbers are rounded: said with the decimals they keep, not five
            walked["say"] = CITY_POSITION
        return Counter(walked) if isinstance(value, Counter) else walked

    def _said_mask(self, param: Any, walked: Any) -> Any:
        """A value of a finding's words that is a secret as a whole: its mask, said in the report's language."""
        mask = self.secrets.get(_key(param)) if isinstance(param, str) else None
        return say(mask) if mask in MASKS else walked

    def _caption_labels(self, caption: str | None) -> list[str]:
        """What replaces a caption: the labels of its clues (none for a caption without any, or a stranger's)."""
        return list(self.captions.get(_key(caption), [])) if caption else []

    def text(self, text: str) -> str:
        if text in self.exact:
            return self.exact[text]
        # An odd case-folding (the Kelvin sign matches "k") may miss the table: masked all the same.
        text = self.pattern.sub(lambda match: self.secrets.get(match.group(0).lower(), "[masked]"), unicodedata.normalize("NFC", text))
        return _COORDINATE_TEXT.sub(lambda match: f"{float(match.group(0)):.{CITY_DECIMALS}f}", text)


def _key(text: str) -> str:
    """How a secret or a caption is looked up: in any case, and in any Unicode form of its Hangul."""
    return unicodedata.normalize("NFC", text.strip()).lower()


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, CITY_DECIMALS)
    if isinstance(value, (list, tuple)):
        return type(value)(_round(item) for item in value)
    return value


def _is_dataclass(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _strings(value: Any, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string in the data, with the key it is under, but thumbnails and contexts (a context is a piece of a
    caption, and may cut a handle short: the piece is not another handle)."""
    if isinstance(value, str):
        if not value.startswith("data:"):
            yield key, value
    elif isinstance(value, dict):
        for child_key, item in value.items():
            if child_key != "context":
                yield from _strings(item, child_key)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item, key)
    elif _is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name), field.name)


def _literal_pattern(secrets: dict[str, str]) -> re.Pattern[str]:
    """One regex for all the secrets, as a trie: thousands of media names and ids, matched in one pass.

    Longest first at each position (a handle inside an e-mail address gives way to the address)."""
    trie: dict = {}
    for secret in secrets:
        node = trie
        for char in secret:
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_regex(trie) or "(?!)"
    return re.compile(f"(?<![{_BOUNDARY}])(?:{body})(?![{_BOUNDARY}])", re.IGNORECASE)


def _trie_regex(node: dict) -> str:
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if "" in node:
        return f"(?:{'|'.join(branches)})?" if branches else ""
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
