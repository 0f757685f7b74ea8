"""The source registry: one module per source. Adding a source = module + a line here + test + README row."""

from __future__ import annotations

from .base import Source
from .facebook_export import FacebookExportSource
from .feed import FeedSource
from .folder import FolderSource
from .google_takeout import GoogleTakeoutSource
from .instagram_export import InstagramExportSource
from .instagram_live import InstagramLiveSource
from .instaloader_folder import InstaloaderFolderSource
from .threads_export import ThreadsExportSource
from .tiktok_export import TikTokExportSource
from .tiktok_live import TikTokLiveSource
from .website import WebsiteSource
from .x_archive import XArchiveSource

SOURCES: dict[str, type[Source]] = {
    cls.name: cls
    for cls in (
        FolderSource,
        InstagramExportSource,
        ThreadsExportSource,
        FacebookExportSource,
        XArchiveSource,
        GoogleTakeoutSource,
        TikTokExportSource,
        InstaloaderFolderSource,
        InstagramLiveSource,
        TikTokLiveSource,
        WebsiteSource,
        FeedSource,
    )
}
