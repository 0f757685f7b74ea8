"""Who appears with the user: the accounts tagged or mentioned across all posts.

Attackers in the 2024 cases recruited and targeted through acquaintances ("acquaintance
humiliation"), so the people a profile shows are part of its exposure, and theirs.
"""

from __future__ import annotations

import sqlite_utils

from ..signals import finding_in

TOP = 15  # handles listed in the report

# Accounts tagged or mentioned (the `person_tag` role), post by post.
_TAGS, _TAGS_PARAMS = finding_in("person_tag")
_PEOPLE = f"""
select lower(json_extract(findings.evidence, '$.handle')) as handle,
       findings.kind,
       appearances.media_name, appearances.post_url, appearances.account,
       coalesce(appearances.post_id, appearances.media_name) as post
from findings join current_appearances as appearances on appearances.id = json_extract(findings.evidence, '$.appearance')
where {_TAGS}
order by appearances.posted_at, appearances.id
"""


def people_around(db: sqlite_utils.Database) -> list[dict]:
    """Handles by the number of posts they appear in, most first, each with those posts."""
    people: dict[str, dict] = {}
    for row in db.query(_PEOPLE, _TAGS_PARAMS):
        person = people.setdefault(row["handle"], {"handle": row["handle"], "how": set(), "posts": {}})
        person["how"].add("tagged" if row["kind"] == "tagged_user" else "mentioned")
        # a carousel post is one post, however many of its images carry the tag
        person["posts"].setdefault((row["account"], row["post"]), (row["media_name"], row["post_url"]))
    ranked = sorted(people.values(), key=lambda p: (-len(p["posts"]), p["handle"]))
    return [{**person, "posts": list(person["posts"].values())} for person in ranked[:TOP]]
