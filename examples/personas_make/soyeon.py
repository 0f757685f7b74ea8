"""soyeon: X archive of a protected account."""

from __future__ import annotations

import json
import random
import re
import tempfile
from datetime import timezone
from pathlib import Path

from make_demo import SQUARE, local

from .common import SEED, Built, Photo, digits, stamp, zip_tree
from .scenes import Cast, draw_to

SOYEON = {
    "slug": "soyeon", "name_en": "Jung Soyeon", "name_ko": "정소연", "platform": "x-archive",
    "handle": "soyeon_j0918", "display": "소연 🌙", "account_id": "1783350261937406077",
    "friends": ("haneul_draws", "minseo_ok"), "work": ("MOONTIDE STUDIO", "Moontide Studio", "문타이드 스튜디오"),
    "district": ("Haeundae", "해운대"), "email": "soyeon.jung@example.org",
    "export": "twitter-2025-11-20-" + digits("soyeon-archive", 20),
    "profile_en": "Soyeon is a 24-year-old illustrator in Busan (the studio she works for is invented). Her X "
                  "account has been protected since November 2024, so only her followers see her tweets, and "
                  "most of those show her face. Her profile picture, a clear photo of her face, stays public "
                  "beside her name, bio and city.",
    "profile_ko": "소연은 부산에 사는 24살 일러스트레이터입니다 (다니는 스튜디오는 가상입니다). X 계정은 2024년 "
                  "11월부터 비공개라 트윗은 팔로워만 보지만, 그 대부분에 얼굴이 나옵니다. 얼굴이 선명한 프로필 "
                  "사진은 이름, 소개, 도시와 함께 누구에게나 공개됩니다.",
}
SOYEON_BIO = "그림 그리는 사람 🎨 회사: 문타이드 스튜디오 | 🔒 아는 사람만"
SOYEON_TWEETS = (
    Photo("2025-01-01 07:50:00", "새해 첫 셀카 🌅 올해도 잘 부탁해", ("new_year",)),
    Photo("2025-01-19 23:10:00", "작업 중 🎨 마감 D-2", ("drawing_desk",), size=SQUARE),
    Photo("2025-02-08 15:30:00", "@haneul_draws 랑 카페 ☕", ("cafe_haneul",)),
    Photo("2025-02-22 12:00:00", "해운대 바다 🌊 집 앞이라 좋다", ("haeundae",)),
    Photo("2025-03-29 14:20:00", "벚꽃 🌸", ("blossom_soyeon",)),
    Photo("2025-04-12 22:40:00", "잠이 안 와", ("soyeon_room",)),
    Photo("2025-05-01 16:00:00", "마카롱 🍬", ("macarons",), size=SQUARE),
    Photo("2025-05-24 18:30:00", "문타이드 스튜디오 봄 전시 🖼️ 와주신 분들 감사해요", ("exhibition",)),
    Photo("2025-06-14 13:10:00", "날씨 최고 ☁️", ("sky_selfie", "dusk")),
    Photo("2025-07-05 21:00:00", "생일 🎂 고마워 @minseo_ok @haneul_draws", ("birthday_soyeon",)),
    Photo("2025-08-30 17:45:00", "단발 했다 ✂️", ("new_hair",)),
    Photo("2025-09-20 15:00:00", "피크닉 🧺 @minseo_ok @haneul_draws", ("park_group",)),
    Photo("2025-10-11 16:30:00", "가을 🍁", ("autumn_soyeon",)),
)
SOYEON_PROFILE = Photo("2024-10-01 12:00:00", None, ("soyeon_profile",), size=SQUARE)
PROTECTED_AT = "2024-11-02T13:05:41.000Z"


def x_time(when: str) -> str:
    return local(when).astimezone(timezone.utc).strftime("%a %b %d %H:%M:%S +0000 %Y")


def write_js(path: Path, variable: str, value) -> None:
    """X's archive files: a JavaScript assignment of pretty JSON with ' : ' separators, real UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(value, indent=2, separators=(",", " : "), ensure_ascii=False)
    path.write_text(f"{variable} = {body}", encoding="utf-8")


def x_media(built: Built, cast: Cast, data: Path, tweet_id: str, photo: Photo, key: str) -> list[dict]:
    media = []
    for n, name in enumerate(photo.scenes):
        media_id = snowflake(photo.when, f"{key}-{n}-media")
        basename = f"{media_key(f'{key}-{n}')}.jpg"
        shot = draw_to(cast, name, photo.size, data / "tweets_media" / f"{tweet_id}-{basename}")
        link = f"https://t.co/{digits(f'{key}-tco', 10)}"
        w, h = photo.size
        media.append({
            "expanded_url": f"https://x.com/{SOYEON['handle']}/status/{tweet_id}/photo/{n + 1}",
            "url": link, "media_url": f"http://pbs.twimg.com/media/{basename}", "id_str": media_id, "id": media_id,
            "media_url_https": f"https://pbs.twimg.com/media/{basename}",
            "sizes": {"large": {"w": str(w), "h": str(h), "resize": "fit"},
                      "thumb": {"w": "150", "h": "150", "resize": "crop"}},
            "type": "photo", "display_url": f"pic.x.com/{link.rsplit('/', 1)[1]}"})
        built.note(media_id, basename, f"{tweet_id}-{basename}")
        built.record(f"{SOYEON['export']}.zip:data/tweets_media/{tweet_id}-{basename}", name, shot, posted=photo.when)
    return media


def snowflake(when: str, key: str) -> str:
    """An X id: milliseconds since X's epoch (2010-11-04) in the high bits, so ids grow with time."""
    return str(((stamp(when) * 1000 - 1288834974657) << 22) | random.Random(f"{SEED}:id:{key}").getrandbits(22))


def media_key(key: str) -> str:
    """The 15-character name X gives an uploaded photo (`G-oDX-SWsAEpwPL`)."""
    rng = random.Random(f"{SEED}:media-key:{key}")
    return "G" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(14))


def tweet(built: Built, cast: Cast, data: Path, photo: Photo, key: str) -> dict:
    tweet_id = snowflake(photo.when, f"{key}-tweet")
    media = x_media(built, cast, data, tweet_id, photo, key)
    mentions = [{"name": handle, "screen_name": handle, "indices": ["0", "0"], "id_str": digits(handle, 18),
                 "id": digits(handle, 18)} for handle in re.findall(r"@(\w+)", photo.caption or "")]
    full_text = f"{photo.caption} {media[0]['url']}"
    built.note(tweet_id)
    return {"tweet": {
        "retweeted": False, "source": "<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
        "entities": {"user_mentions": mentions, "urls": [], "symbols": [], "media": media[:1], "hashtags": []},
        "display_text_range": ["0", str(len(photo.caption or ""))], "favorite_count": "3", "id_str": tweet_id,
        "truncated": False, "retweet_count": "0", "id": tweet_id, "possibly_sensitive": False,
        "created_at": x_time(photo.when), "favorited": False, "full_text": full_text, "lang": "ko",
        "extended_entities": {"media": media}}}


def build_soyeon(cast: Cast, out: Path) -> Built:
    built = Built("soyeon")
    s = SOYEON
    built.note(s["name_ko"], s["name_en"], "Soyeon Jung", "소연", s["handle"], s["display"], s["account_id"],
               *s["friends"], *s["work"], *s["district"], s["email"], SOYEON_BIO)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        tweets = [tweet(built, cast, data, photo, f"soyeon-{i:02d}") for i, photo in enumerate(SOYEON_TWEETS, 1)]
        write_js(data / "tweets.js", "window.YTD.tweets.part0", tweets[::-1])  # newest first, as X writes them
        avatar = f"{digits('soyeon-avatar', 8)}.jpg"
        avatar_id = digits("soyeon-avatar-id", 19)
        shot = draw_to(cast, SOYEON_PROFILE.scenes[0], SOYEON_PROFILE.size,
                       data / "profile_media" / f"{s['account_id']}-{avatar}")
        built.note(avatar, f"{s['account_id']}-{avatar}")
        built.record(f"{s['export']}.zip:data/profile_media/{s['account_id']}-{avatar}", "soyeon_profile", shot,
                     posted=SOYEON_PROFILE.when)
        write_js(data / "profile.js", "window.YTD.profile.part0", [{"profile": {
            "description": {"bio": SOYEON_BIO, "website": "", "location": "부산 해운대"},
            "avatarMediaUrl": f"https://pbs.twimg.com/profile_images/{avatar_id}/{avatar}"}}])
        write_js(data / "account.js", "window.YTD.account.part0", [{"account": {
            "email": s["email"], "createdVia": "android", "username": s["handle"], "accountId": s["account_id"],
            "createdAt": "2019-06-12T10:21:07.000Z", "accountDisplayName": s["display"]}}])
        write_js(data / "protected-history.js", "window.YTD.protected_history.part0", [
            {"protectedHistory": {"protectedAt": "2021-03-14T02:11:09.000Z", "action": "Unprotect"}},
            {"protectedHistory": {"protectedAt": PROTECTED_AT, "action": "Protect"}}])
        write_js(data / "manifest.js", "window.__THAR_CONFIG", manifest(len(tweets)))
        zip_tree(root, out / "soyeon" / f"{s['export']}.zip", None)
    return built


def manifest(tweets: int) -> dict:
    files = {name: {"files": [{"fileName": f"data/{file}.js", "globalName": f"YTD.{glob}.part0", "count": count}]}
             for name, file, glob, count in (("account", "account", "account", "1"),
                                             ("profile", "profile", "profile", "1"),
                                             ("protectedHistory", "protected-history", "protected_history", "2"),
                                             ("tweets", "tweets", "tweets", str(tweets)))}
    files["profile"]["mediaDirectory"] = "data/profile_media"
    files["tweets"]["mediaDirectory"] = "data/tweets_media"
    return {"userInfo": {"accountId": SOYEON["account_id"], "userName": SOYEON["handle"],
                         "displayName": SOYEON["display"]},
            "archiveInfo": {"sizeBytes": "0", "generationDate": "2025-11-20T09:00:00.000Z",
                            "isPartialArchive": False, "maxPartSizeBytes": "53687091200"},
            "dataTypes": {**files, "tweetsMedia": {"mediaDirectory": "data/tweets_media"},
                          "profileMedia": {"mediaDirectory": "data/profile_media"}}}
