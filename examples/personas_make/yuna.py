"""yuna: Instagram, public."""

from __future__ import annotations

import tempfile
from pathlib import Path

from make_demo import SQUARE, local, write_meta_json

from .common import Built, Photo, digits, stamp, zip_tree
from .scenes import Cast, draw_to

YUNA = {
    "slug": "yuna", "name_en": "Lee Yuna", "name_ko": "이유나", "platform": "instagram-export",
    "handle": "yuna_lee.0407", "friends": ("dahye.hangyeol", "seoa_0521"),
    "school": ("한결고등학교", "Hangyeol High School", "HANGYEOL", "한결고", "2학년 3반", "CLASS 2-3", "LEE YUNA"),
    "district": ("Paldal-gu", "팔달구"),
    "places": {"school": (37.2786, 127.0188)},
    "export": "instagram-yuna_lee.0407-2025-11-20-hK3pQ9aB",
    "profile_en": "Yuna is a 17-year-old second-year student at an (invented) high school in Suwon, with a public "
                  "Instagram account. Fourteen of her posts show her face large, sharp and frontal, many in her "
                  "school uniform with her name tag, and her captions, bio and tagged friends name the school and "
                  "her class.",
    "profile_ko": "유나는 수원의 (가상의) 한결고등학교 2학년, 17살 학생이고 인스타그램 계정은 공개입니다. 게시물 14개에 "
                  "얼굴이 크고 선명하게 정면으로 나오고, 상당수는 이름표가 달린 교복 차림입니다. 캡션과 프로필 소개, "
                  "태그한 친구들이 학교와 반을 알려 줍니다.",
}
YUNA_POSTS = (
    Photo("2025-03-04 12:50:00", "2학년 시작 🏫 한결고등학교 2학년 3반 잘 부탁해! #한결고 #고2", ("gate_spring",), "school"),
    Photo("2025-03-15 15:20:00", "주말 카페 ☕ with @dahye.hangyeol", ("cafe_friend",)),
    Photo("2025-03-28 21:30:00", "교복 셀카 🤍", ("mirror_uniform",)),
    Photo("2025-04-05 14:00:00", "벚꽃 🌸", ("blossom_selfie",)),
    Photo("2025-04-07 19:00:00", "열일곱 생일 🎂 04.07 축하해줘서 고마워 @seoa_0521 @dahye.hangyeol",
          ("birthday_17",)),
    Photo("2025-04-24 12:40:00", "점심시간 🍱 2-3반 최고 #한결고", ("lunch_class",), "school"),
    Photo("2025-05-02 16:10:00", "체육대회 🏃‍♀️ 2학년 3반 우승!! #한결고체육대회", ("sports_day",), "school"),
    Photo("2025-05-17 20:00:00", "", ("night_room",)),
    Photo("2025-06-07 19:40:00", "노을 🌇", ("sunset",), size=SQUARE),
    Photo("2025-06-13 22:30:00", "기말 D-14 📚 독서실 출석", ("study_room",)),
    Photo("2025-07-19 13:30:00", "방학 첫날 🌊 @seoa_0521", ("beach_friend",)),
    Photo("2025-08-15 11:00:00", "앞머리 자름 ✂️ 어때?", ("bangs",)),
    Photo("2025-09-01 12:30:00", "2학기 개학 😭 #한결고", ("gate_autumn",), "school"),
    Photo("2025-09-20 18:00:00", "떡볶이 🌶️", ("tteokbokki",), size=SQUARE),
    Photo("2025-10-10 15:00:00", "수학여행 📸 한결고 2학년 3반 with @dahye.hangyeol @seoa_0521",
          ("trip_me", "trip_group")),
    Photo("2025-11-02 16:00:00", "가을 🍂", ("autumn_selfie",)),
)
YUNA_PROFILE = Photo("2025-03-01 10:00:00", "", ("yuna_profile",), size=SQUARE)
YUNA_BIO = "한결고 2-3 🐰 | 04.07 | 📍수원"


def instagram_media(built: Built, cast: Cast, export: Path, photo: Photo, folder: str, key: str) -> list[dict]:
    entries = []
    for n, name in enumerate(photo.scenes):
        parts = (digits(f"{key}-{n}-a", 9), digits(f"{key}-{n}-b", 16), digits(f"{key}-{n}-c", 19),
                 digits(f"{key}-{n}-d", 17))
        uri = f"media/{folder}/{local(photo.when):%Y%m}/{parts[0]}_{parts[1]}_{parts[2]}_n_{parts[3]}.jpg"
        shot = draw_to(cast, name, photo.size, export / uri)
        entry: dict = {"uri": uri, "creation_timestamp": stamp(photo.when)}
        gps = built.position(photo, YUNA["places"], f"{key}-{n}")
        if gps:
            entry["media_metadata"] = {"photo_metadata": {"exif_data": [{"latitude": gps[0], "longitude": gps[1]}]}}
        elif folder != "profile":
            entry["media_metadata"] = {"camera_metadata": {"has_camera_metadata": False}}
        entry["title"] = ""
        entry["cross_post_source"] = {"source_app": "FB"}
        entries.append(entry)
        built.note(parts[3])
        built.record(f"{YUNA['export']}.zip:{YUNA['export']}/{uri}", name, shot, posted=photo.when,
                     gps=list(gps) if gps else None)
    return entries


def build_yuna(cast: Cast, out: Path) -> Built:
    built = Built("yuna")
    built.note(YUNA["name_ko"], YUNA["name_en"], "Yuna Lee", "유나", YUNA["handle"], *YUNA["friends"],
               *YUNA["school"], *YUNA["district"], YUNA_BIO, "yuna.lee.0407@example.com", "010-0000-0407")
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp)
        posts = []
        for number, photo in enumerate(YUNA_POSTS, 1):
            entries = instagram_media(built, cast, export, photo, "posts", f"yuna-{number:02d}")
            posts.append({"media": entries, "title": photo.caption, "creation_timestamp": stamp(photo.when)})
        picture = instagram_media(built, cast, export, YUNA_PROFILE, "profile", "yuna-profile")[0]
        content = export / "your_instagram_activity" / "content"
        write_meta_json(content / "posts_1.json", posts[::-1])  # Meta lists the newest first
        write_meta_json(content / "profile_photos.json", {"ig_profile_picture": [{**picture, "is_profile_picture": True}]})
        write_meta_json(export / "personal_information" / "personal_information" / "personal_information.json",
                        {"profile_user": [instagram_profile(picture)]})
        zip_tree(export, out / "yuna" / f"{YUNA['export']}.zip", YUNA["export"])
    return built


def instagram_profile(picture: dict) -> dict:
    def field_(value: str, href: str = "") -> dict:
        return {"href": href, "value": value, "timestamp": 0}

    photo = {key: picture[key] for key in ("uri", "creation_timestamp", "title")}
    return {"title": "", "media_map_data": {"Profile Photo": photo}, "string_map_data": {
        "Email": field_("yuna.lee.0407@example.com"), "Phone Confirmed": field_("True"),
        "Phone Number": field_("+821000000407"), "Username": field_(YUNA["handle"]),
        "Name": field_(f"{YUNA['name_ko']} Yuna"), "Bio": field_(YUNA_BIO), "Gender": field_("female"),
        "Date of birth": field_("2008-04-07"), "Private Account": field_("False"), "Website": field_("")}}
