"""jiho: Facebook, 2018 album layout."""

from __future__ import annotations

import tempfile
from pathlib import Path

from make_demo import SQUARE, write_meta_json

from .common import Built, Photo, digits, stamp, zip_tree
from .scenes import Cast, draw_to

JIHO = {
    "slug": "jiho", "name_en": "Park Jiho", "name_ko": "박지호", "platform": "facebook-export",
    "username": "jihopark5021", "company": ("누리빛소프트", "NURIBIT SOFT", "Nuribit Soft", "플랫폼팀",
                                             "Platform Team", "EMPLOYEE NO. 20417", "20417", "PARK JIHO"),
    "district": ("Songdo-dong", "송도동", "Yeonsu-gu", "연수구", "Sampyeong-dong", "삼평동", "Bundang-gu", "분당구",
                 "Pangyo", "판교"),
    "places": {"home": (37.3884, 126.6431), "office": (37.4016, 127.1093)},
    "export": "facebook-jihopark5021",
    "profile_en": "Jiho is a software developer in his late twenties who just joined an (invented) company in "
                  "Pangyo. He rarely shows his face, but his phone photos carry their positions: evening and "
                  "weekend photos cluster at his flat in Songdo, weekday daytime photos at his office, and a "
                  "photo of his staff badge spells out his name, company, team and employee number.",
    "profile_ko": "지호는 판교의 (가상의) 회사에 막 입사한 20대 후반 개발자입니다. 얼굴은 거의 올리지 않지만 휴대폰 "
                  "사진에 위치가 남아 있습니다. 저녁과 주말 사진은 송도의 집에, 평일 낮 사진은 회사에 모이고, "
                  "사원증 사진에는 이름, 회사, 팀, 사번이 그대로 보입니다.",
}
JIHO_CAMERA = ("samsung", "SM-A546N")
JIHO_PHOTOS = (
    Photo("2025-03-03 10:15:00", "첫 출근 💼 누리빛소프트 플랫폼팀", ("first_day",), "office"),
    Photo("2025-03-03 12:40:00", "사원증 나왔다 🪪", ("badge",), "office"),
    Photo("2025-03-08 11:30:00", "주말 브런치", ("brunch",), "home", SQUARE),
    Photo("2025-03-12 20:45:00", None, ("home_night_view",), "home"),
    Photo("2025-03-19 15:10:00", "오후 커피 ☕", ("office_coffee",), "office", SQUARE),
    Photo("2025-03-22 14:00:00", "우리집 고양이 🐱", ("home_cat",), "home", SQUARE),
    Photo("2025-04-02 10:50:00", "Q2 플래닝", ("planning",), "office"),
    Photo("2025-04-06 19:30:00", "집밥 🍚", ("dinner",), "home", SQUARE),
    Photo("2025-04-10 16:20:00", "회의실 뷰", ("office_view",), "office"),
    Photo("2025-04-13 10:00:00", None, ("sky",)),
    Photo("2025-04-18 21:10:00", "새 소파 🛋️ 중고 모니터 팝니다 010-0000-4821", ("sofa",), "home"),
    Photo("2025-04-24 13:00:00", "구내식당", ("lunch_tray",), "office", SQUARE),
    Photo("2025-05-07 22:00:00", "야식 🍜", ("ramen",), "home", SQUARE),
    Photo("2025-05-14 11:30:00", "배포 완료 🚀", ("deploy_day",), "office"),
    Photo("2025-05-20 20:30:00", "퇴근하고 노을", ("sunset",), "home", SQUARE),
    Photo("2025-05-25 15:00:00", None, ("dusk",)),
)
JIHO_PROFILE = Photo("2025-03-01 09:30:00", None, ("jiho_profile",), size=SQUARE)
UPLOAD_IPS = {"home": "203.0.113.47", "office": "198.51.100.23", None: "203.0.113.47"}


def facebook_photo(built: Built, cast: Cast, export: Path, folder: str, photo: Photo, key: str) -> dict:
    name = photo.scenes[0]
    fbid = digits(f"{key}-fbid", 17)
    uri = f"posts/{folder}/{fbid}.jpg"
    shot = draw_to(cast, name, photo.size, export / uri)
    taken = stamp(photo.when) - 240  # taken four minutes before it was posted
    metadata: dict = {"camera_make": JIHO_CAMERA[0], "camera_model": JIHO_CAMERA[1], "taken_timestamp": taken,
                      "modified_timestamp": taken, "exposure": "1/100", "focal_length": "5540/1000",
                      "f_stop": "18/10", "iso_speed": 64}
    gps = built.position(photo, JIHO["places"], key)
    if gps:
        metadata.update(latitude=gps[0], longitude=gps[1])
    metadata.update(orientation=0, original_width=photo.size[0] * 3, original_height=photo.size[1] * 3,
                    upload_ip=UPLOAD_IPS[photo.place])
    record: dict = {"uri": uri, "creation_timestamp": stamp(photo.when), "media_metadata": {"photo_metadata": metadata}}
    if photo.caption:
        record["description"] = photo.caption
    built.note(fbid, UPLOAD_IPS[photo.place])
    built.record(f"{JIHO['export']}.zip:{JIHO['export']}/{uri}", name, shot, posted=photo.when,
                 gps=list(gps) if gps else None)
    return record


def build_jiho(cast: Cast, out: Path) -> Built:
    built = Built("jiho")
    built.note(JIHO["name_ko"], JIHO["name_en"], "Jiho Park", "지호", JIHO["username"], *JIHO["company"],
               *JIHO["district"], "010-0000-4821", JIHO_CAMERA[1])
    albums = (("Mobile Uploads", f"MobileUploads_{digits('mobile', 10)}", JIHO_PHOTOS),
              ("Profile Pictures", f"ProfilePictures_{digits('profile', 10)}", (JIHO_PROFILE,)))
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp)
        for number, (title, folder, photos) in enumerate(albums):
            records = [facebook_photo(built, cast, export, folder, photo, f"jiho-{number}-{i:02d}")
                       for i, photo in enumerate(photos, 1)]
            built.note(folder)
            write_meta_json(export / "posts" / "album" / f"{number}.json", {
                "name": title, "photos": records[::-1], "cover_photo": records[-1],
                "last_modified_timestamp": max(r["creation_timestamp"] for r in records)})
        zip_tree(export, out / "jiho" / f"{JIHO['export']}.zip", JIHO["export"])
    return built
