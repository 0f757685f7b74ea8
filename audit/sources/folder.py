"""A local folder of photos, searched recursively. Files keep their full EXIF, unlike platform exports."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator

from ..errors import InputError
from ..inventory.archive import ExportTree, FolderTree, refused_members
from ..models import ONLY_YOU, Item, ItemError
from .base import Source

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".avif"}


class FolderSource(Source):
    name = "folder"
    app = "folder"
    description = "A local folder of photos, searched recursively (JPEG, PNG, WebP, HEIC/HEIF, AVIF)"
    example = "images/faces"
    # Files on this computer are seen by no one until posted: a folder of what is posted says `audience = "anyone"`.
    audience = ONLY_YOU
    catch_all = True

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return isinstance(tree, FolderTree) and any(is_photo(rel) for rel in tree.files())

    def items(self) -> Iterator[Item | ItemError]:
        root = self.account.path
        if not root.is_dir():
            raise InputError(f"{root}: not a folder")
        tree = FolderTree(root)
        yield from refused_members(tree)  # the links passed over
        for rel in sorted(tree.files()):
            if is_photo(rel):
                yield Item(source_item=rel, media_name=rel, origin=tree.origin(rel), kind="file")
            else:
                yield ItemError(rel, "skipped: not a photo format this tool reads", stage="skip")


def is_photo(rel: str) -> bool:
    return PurePosixPath(rel).suffix.lower() in PHOTO_SUFFIXES
