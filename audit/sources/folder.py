"""A local folder of photos and videos, searched recursively. Files keep their full metadata (a photo's EXIF, a phone
video's position), unlike platform exports.

A folder can stand for an app that gives no download of its posts (KakaoTalk, KakaoStory, Band): the photos saved
from it by hand, and `saved_from` in accounts.toml names the app (SAVED_FROM). The removal plan then says where in
that app each photo is, and who sees them is that app's usual audience unless the account says (`audience`).
"""

from __future__ import annotations

from typing import Iterator

from ..errors import InputError
from ..inventory.archive import ExportTree, FolderTree, refused_members
from ..inventory.media import media_type
from ..models import ANYONE, FOLLOWERS, ONLY_YOU, Item, ItemError
from .base import Source


# `saved_from` -> who sees the app's photos when the account does not say (None: a folder's own, only you). The
# value is also the app the removal plan words the way in (templates/parts/plan.html.j2, SAVED_FROM), but "other".
# A KakaoTalk profile photo shows to anyone who has your number; KakaoStory and blog posts are public unless you
# chose otherwise (the safe side); a band's posts show to its members.
SAVED_FROM: dict[str, str | None] = {
    "kakaotalk-profile": ANYONE,
    "kakaostory": ANYONE,
    "naver-band": FOLLOWERS,
    "naver-blog": ANYONE,
    "other": None,
}


class FolderSource(Source):
    name = "folder"
    app = "folder"
    description = "A local folder of photos and videos, searched recursively (JPEG, PNG, WebP, HEIC/HEIF, AVIF; MP4, MOV and other videos)"
    example = "images/faces"
    # Files on this computer are seen by no one until posted: a folder of what is posted says `audience = "anyone"`.
    audience = ONLY_YOU
    catch_all = True

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return isinstance(tree, FolderTree) and any(media_type(rel) for rel in tree.files())

    def items(self) -> Iterator[Item | ItemError]:
        root = self.account.path
        if not root.is_dir():
            raise InputError(f"{root}: not a folder")
        tree = FolderTree(root)
        saved_from = self.account.saved_from or "other"
        # The app's usual audience, unless the account says: an item's own audience would override the account's.
        audience = None if self.account.audience else SAVED_FROM[saved_from]
        # "app": where the plan says to look for the photo (audit/report/plan.py), in place of "wherever you posted it".
        extra = {} if saved_from == "other" else {"app": saved_from}
        yield from refused_members(tree)  # the links passed over
        for rel in sorted(tree.files()):
            kind = media_type(rel)
            if kind:
                yield Item(source_item=rel, media_name=rel, origin=tree.origin(rel), kind="file", audience=audience,
                           media_type=kind, extra=dict(extra))
            else:
                yield ItemError(rel, "skipped: not a photo or video format this tool reads", stage="skip")

