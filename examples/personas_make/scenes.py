"""The drawing: the cast of stand-in faces, backgrounds and props, and SCENES, every picture a persona posts by
name."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import ImageOps

from make_demo import (
    SCENES as DEMO_SCENES,
    Cutout,
    Shot,
    Sources,
    _cutout,
    classroom,
    disc,
    gradient,
    load_sources,
    place,
    room,
    save,
    school_gate,
    skyline,
    source_photo,
    table,
    text,
)

from .common import SEED


# --- the cast: one stand-in face per persona ------------------------------------------------------

@dataclass(frozen=True)
class Cast:
    demo: Sources  # make_demo's verified inputs: photos, and cut-outs of the astronaut and of Hopper
    jiho: Cutout  # the man in sk_camera.png

    @property
    def yuna(self) -> Cutout:
        return self.demo.user

    @property
    def soyeon(self) -> Cutout:
        return self.demo.friend


def load_cast(folder: Path) -> Cast:
    demo = load_sources(folder)
    camera = _cutout(demo.photos["camera"], (140, 50, 300, 240), (150, 58, 268, 208), (178, 180, 248, 240),
                     (166, 96, 254, 200), "camera")
    return Cast(demo, camera)


def mirrored(person: Cutout) -> Cutout:
    x0, y0, x1, y1 = person.face
    width = person.image.width
    return Cutout(ImageOps.mirror(person.image), (width - x1, y0, width - x0, y1), person.source)


def pose(shot: Shot, person: Cutout, who: str, face: float, at: tuple[float, float], shirt: tuple) -> tuple:
    """`place` with sizes as fractions of the picture's height and width; returns (centre, face px)."""
    w, h = shot.image.size
    centre, face_px = (round(at[0] * w), round(at[1] * h)), round(face * h)
    place(shot, person, who, face_px, centre, shirt)
    return centre, face_px


# --- backgrounds and props ----------------------------------------------------------------------

def cafe(size: tuple, sign: str) -> Shot:
    shot = Shot(gradient(size, (205, 170, 130), (150, 110, 80)))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.rectangle((0.08 * w, 0.06 * h, 0.92 * w, 0.2 * h), fill=(40, 35, 30))
    text(draw, (w / 2, 0.13 * h), sign, 56 * u, (245, 235, 210))
    for i in range(5):
        x = (0.1 + 0.18 * i) * w
        draw.ellipse((x, 0.24 * h, x + 0.08 * w, 0.3 * h), fill=(255, 225, 150))
    draw.rectangle((0, 0.82 * h, w, h), fill=(110, 75, 50))
    return shot


def leaves(size: tuple, tag: str, colours: tuple) -> Shot:
    """A sky full of falling leaves or petals."""
    shot = Shot(gradient(size, (120, 170, 220), (235, 225, 205)))
    w, h = size
    rng = random.Random(f"{SEED}:leaves:{tag}")
    for _ in range(420):
        disc(shot.draw, (rng.uniform(0, w), rng.uniform(0, h)), rng.uniform(7, 20) * w / 1080, rng.choice(colours))
    return shot


def plain(size: tuple, top: tuple, bottom: tuple) -> Shot:
    return Shot(gradient(size, top, bottom))


def cake(shot: Shot, words: str, candles: int) -> None:
    w, h = shot.image.size
    u, draw = w / 1080, shot.draw
    draw.rectangle((0.3 * w, 0.72 * h, 0.7 * w, 0.9 * h), fill=(250, 215, 225))
    draw.ellipse((0.3 * w, 0.67 * h, 0.7 * w, 0.77 * h), fill=(255, 240, 245))
    for i in range(candles):
        x = (0.34 + i * 0.3 / max(1, candles - 1)) * w
        draw.rectangle((x, 0.62 * h, x + 12 * u, 0.71 * h), fill=(120, 180, 230))
        draw.ellipse((x - 4 * u, 0.59 * h, x + 16 * u, 0.62 * h), fill=(255, 200, 60))
    draw.rounded_rectangle((0.1 * w, 0.04 * h, 0.9 * w, 0.12 * h), int(20 * u), fill=(255, 250, 250))
    text(draw, (w / 2, 0.08 * h), words, 52 * u, (200, 70, 100))


def uniform(shot: Shot, centre: tuple, face_px: int, name: str) -> None:
    """Collar, ribbon, the school emblem and a name tag on the blazer `place` drew (Korean schools put the
    student's name on the uniform)."""
    cx, cy = centre
    neck, f, draw = cy + 0.75 * face_px, face_px, shot.draw
    draw.polygon(((cx - 0.38 * f, neck), (cx + 0.38 * f, neck), (cx, neck + 0.75 * f)), fill=(250, 250, 250))
    draw.polygon(((cx - 0.2 * f, neck + 0.1 * f), (cx, neck + 0.2 * f), (cx - 0.2 * f, neck + 0.3 * f)), fill=(190, 30, 50))
    draw.polygon(((cx + 0.2 * f, neck + 0.1 * f), (cx, neck + 0.2 * f), (cx + 0.2 * f, neck + 0.3 * f)), fill=(190, 30, 50))
    draw.rectangle((cx - 1.25 * f, neck + 0.45 * f, cx - 0.45 * f, neck + 0.7 * f), fill=(250, 250, 250),
                   outline=(20, 20, 60), width=max(2, f // 80))
    text(draw, (cx - 0.85 * f, neck + 0.575 * f), name, 0.13 * f, (10, 10, 40))
    disc(draw, (cx + 0.8 * f, neck + 0.55 * f), 0.14 * f, (230, 190, 60))
    text(draw, (cx + 0.8 * f, neck + 0.55 * f), "HG", 0.12 * f, (30, 40, 90))


def window_view(size: tuple, tag: str, night: bool) -> Shot:
    """A city seen through a tall window with mullions."""
    sky = ((15, 20, 50), (80, 60, 110)) if night else ((110, 170, 230), (215, 230, 245))
    shot = Shot(gradient(size, *sky))
    skyline(shot, 0.82, (30, 30, 45) if night else (120, 130, 150), tag, (250, 220, 130) if night else None)
    w, h = size
    for x in (0.0, 0.33, 0.66, 0.99):
        shot.draw.rectangle((x * w - 10, 0, x * w + 10, h), fill=(60, 60, 65))
    shot.draw.rectangle((0, 0.86 * h, w, h), fill=(70, 70, 75))
    return shot


def screen(size: tuple, lines: tuple[str, ...], wall: tuple) -> Shot:
    """A monitor on a desk showing a few lines of large text."""
    shot = Shot(gradient(size, wall, (200, 200, 205)))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.rectangle((0, 0.7 * h, w, h), fill=(140, 105, 75))
    draw.rectangle((0.1 * w, 0.14 * h, 0.9 * w, 0.6 * h), fill=(30, 30, 35))
    draw.rectangle((0.13 * w, 0.17 * h, 0.87 * w, 0.57 * h), fill=(245, 247, 250))
    for i, line in enumerate(lines):
        text(draw, (w / 2, (0.25 + 0.1 * i) * h), line, 58 * u, (25, 45, 90))
    draw.rectangle((0.45 * w, 0.6 * h, 0.55 * w, 0.7 * h), fill=(50, 50, 55))
    return shot


def bowls(size: tuple, tag: str, colours: tuple, wall: tuple = (240, 235, 225)) -> Shot:
    """Dishes on a table seen from above."""
    shot = table(size, wall, (220, 210, 195))
    w, h = size
    rng = random.Random(f"{SEED}:bowls:{tag}")
    if tag == "lunch":  # a canteen tray
        shot.draw.rectangle((0.08 * w, 0.6 * h, 0.92 * w, 0.95 * h), fill=(150, 160, 170))
    for i, colour in enumerate(colours):
        x, y, r = (0.25 + 0.25 * i) * w, (0.76 + rng.uniform(-0.04, 0.04)) * h, rng.uniform(0.08, 0.11) * w
        disc(shot.draw, (x, y), r, (255, 255, 255))
        disc(shot.draw, (x, y), r * 0.75, colour)
    return shot


# --- scenes: name -> function(cast, size) -> Shot ---------------------------------------------------

Scene = Callable[[Cast, tuple], Shot]
NAVY, YUNA_TAG, HANGYEOL, NURIBIT = (25, 35, 70), "LEE YUNA", "HANGYEOL HIGH SCHOOL", "NURIBIT SOFT"
AUTUMN = ((230, 120, 40), (240, 170, 50), (200, 70, 40))
PETALS = ((250, 200, 215), (255, 225, 235), (240, 170, 195))


@dataclass(frozen=True)
class Sitter:
    """A person placed in a scene: whose face (a Cast attribute), face height and centre as fractions of the
    picture, shirt colour, mirrored or not; `student` adds Yuna's uniform; `who` labels a friend."""

    person: str
    face: float
    at: tuple[float, float]
    shirt: tuple = NAVY
    flip: bool = False
    student: bool = False
    who: str | None = None


def sit(shot: Shot, cast: Cast, sitter: Sitter) -> tuple:
    """Place the sitter; returns (centre, face px)."""
    person = getattr(cast, sitter.person)
    placed = pose(shot, mirrored(person) if sitter.flip else person, sitter.who or sitter.person, sitter.face,
                  sitter.at, sitter.shirt)
    if sitter.student:
        uniform(shot, *placed, YUNA_TAG)
    return placed


def portrait(background: Scene, *sitters: Sitter) -> Scene:
    """A scene: the background, then each sitter in turn (the last one in front)."""
    def draw(cast: Cast, size: tuple) -> Shot:
        shot = background(cast, size)
        for sitter in sitters:
            sit(shot, cast, sitter)
        return shot
    return draw


def demo(name: str) -> Scene:
    """One of make_demo.py's drawn scenes, as a picture or a background."""
    return lambda cast, size: DEMO_SCENES[name](cast.demo, size)


def drawn(background: Callable[..., Shot], *args, **options) -> Scene:
    """A background function of `size` only, as a scene."""
    return lambda cast, size: background(size, *args, **options)


def birthday(wall: tuple, sitter: Sitter, words: str, candles: int) -> Scene:
    def draw(cast: Cast, size: tuple) -> Shot:
        shot = Shot(gradient(size, *wall))
        sit(shot, cast, sitter)
        cake(shot, words, candles)
        return shot
    return draw


def sports_day(cast: Cast, size: tuple) -> Shot:
    shot = Shot(gradient(size, (90, 160, 230), (200, 225, 245)))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.rectangle((0, 0.6 * h, w, h), fill=(200, 150, 100))
    draw.rectangle((0.06 * w, 0.08 * h, 0.94 * w, 0.2 * h), fill=(230, 60, 40))
    text(draw, (w / 2, 0.14 * h), "HANGYEOL SPORTS DAY 2025", 50 * u, (255, 255, 255))
    centre, face_px = sit(shot, cast, Sitter("yuna", 0.22, (0.5, 0.45), (250, 200, 40)))
    text(draw, (centre[0], centre[1] + 1.4 * face_px), "2-3", 0.5 * face_px, (30, 30, 30))
    return shot


def trip(size: tuple) -> Shot:
    shot = Shot(gradient(size, (120, 180, 235), (220, 235, 250)))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.polygon(((0.05 * w, 0.3 * h), (0.5 * w, 0.18 * h), (0.95 * w, 0.3 * h)), fill=(60, 90, 80))
    draw.rectangle((0.12 * w, 0.3 * h, 0.88 * w, 0.62 * h), fill=(170, 50, 40))
    draw.rectangle((0.2 * w, 0.07 * h, 0.8 * w, 0.14 * h), fill=(255, 255, 255))
    text(draw, (w / 2, 0.105 * h), "SCHOOL TRIP - HANGYEOL 2-3", 44 * u, (30, 30, 30))
    draw.rectangle((0, 0.62 * h, w, h), fill=(190, 180, 160))
    return shot


def park(size: tuple) -> Shot:
    shot = Shot(gradient(size, (100, 160, 230), (210, 230, 250)))
    skyline(shot, 0.45, (150, 160, 175), "park")
    shot.draw.rectangle((0, 0.45 * size[1], size[0], size[1]), fill=(100, 165, 80))
    return shot


def gallery(size: tuple) -> Shot:
    shot = plain(size, (245, 245, 240), (225, 225, 220))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.rectangle((0.1 * w, 0.05 * h, 0.9 * w, 0.14 * h), fill=(20, 20, 25))
    text(draw, (w / 2, 0.095 * h), "MOONTIDE STUDIO - SPRING SHOW", 44 * u, (255, 255, 255))
    for x in (0.05, 0.72):
        draw.rectangle((x * w, 0.22 * h, (x + 0.23) * w, 0.45 * h), fill=(90, 130, 180), outline=(40, 40, 40), width=8)
    return shot


def badge(size: tuple) -> Shot:
    """Jiho's staff badge on its lanyard, with text large enough for OCR."""
    shot = Shot(gradient(size, (150, 110, 80), (120, 85, 60)))
    w, h = size
    u, draw = w / 1080, shot.draw
    draw.polygon(((0.42 * w, 0), (0.48 * w, 0), (0.52 * w, 0.12 * h), (0.46 * w, 0.12 * h)), fill=(30, 90, 160))
    draw.polygon(((0.58 * w, 0), (0.52 * w, 0), (0.48 * w, 0.12 * h), (0.54 * w, 0.12 * h)), fill=(30, 90, 160))
    draw.rounded_rectangle((0.15 * w, 0.12 * h, 0.85 * w, 0.92 * h), int(30 * u), fill=(250, 250, 250))
    draw.rectangle((0.15 * w, 0.17 * h, 0.85 * w, 0.3 * h), fill=(30, 90, 160))
    text(draw, (w / 2, 0.235 * h), NURIBIT, 96 * u, (255, 255, 255))
    draw.rectangle((0.35 * w, 0.34 * h, 0.65 * w, 0.56 * h), fill=(210, 215, 225))
    disc(draw, (0.5 * w, 0.42 * h), 0.06 * w, (170, 175, 190))
    draw.ellipse((0.4 * w, 0.48 * h, 0.6 * w, 0.6 * h), fill=(170, 175, 190))
    draw.rectangle((0.35 * w, 0.56 * h, 0.65 * w, 0.6 * h), fill=(250, 250, 250))
    text(draw, (w / 2, 0.65 * h), "PARK JIHO", 100 * u, (20, 20, 20))
    text(draw, (w / 2, 0.72 * h), "Platform Team", 62 * u, (40, 40, 40))
    text(draw, (w / 2, 0.79 * h), "EMPLOYEE NO. 20417", 58 * u, (40, 40, 40))
    text(draw, (w / 2, 0.86 * h), "STAFF ID CARD", 50 * u, (30, 90, 160))
    return shot


def sketch(size: tuple) -> Shot:
    shot = table(size, (230, 225, 215), (210, 205, 195))
    w, h = size
    shot.draw.rectangle((0.25 * w, 0.58 * h, 0.75 * w, 0.9 * h), fill=(252, 252, 250))
    rng = random.Random(f"{SEED}:sketch")
    for _ in range(40):
        x, y = rng.uniform(0.3, 0.7) * w, rng.uniform(0.62, 0.86) * h
        shot.draw.line((x, y, x + rng.uniform(-60, 60), y + rng.uniform(-40, 40)), fill=(60, 60, 70), width=3)
    return shot


def student(face: float, at: tuple, flip: bool = False) -> Sitter:
    return Sitter("yuna", face, at, flip=flip, student=True)


def friend(person: str, face: float, at: tuple, shirt: tuple, flip: bool = False) -> Sitter:
    return Sitter(person, face, at, shirt, flip, who="friend")


SCENES: dict[str, Scene] = {
    # yuna: her face large and frontal again and again, often in uniform with her name tag
    "gate_spring": portrait(drawn(school_gate, "WELCOME BACK! 2025", HANGYEOL), student(0.2, (0.5, 0.55))),
    "gate_autumn": portrait(drawn(school_gate, "2ND SEMESTER 2025", HANGYEOL), student(0.2, (0.45, 0.55), True)),
    "lunch_class": portrait(drawn(classroom, ("CLASS 2-3", "HANGYEOL HIGH", "LUNCH 12:40")), student(0.2, (0.5, 0.55))),
    "study_room": portrait(drawn(screen, ("FINAL EXAM D-14", "MATH / KOREAN", "HANGYEOL 2-3"), (60, 70, 90)),
                           student(0.22, (0.3, 0.5), True)),
    "mirror_uniform": portrait(drawn(room, night=False), student(0.22, (0.5, 0.42))),
    "sports_day": sports_day,
    "trip_me": portrait(drawn(trip), student(0.21, (0.5, 0.56))),
    "trip_group": portrait(drawn(trip), friend("soyeon", 0.11, (0.2, 0.6), NAVY),
                           friend("soyeon", 0.11, (0.8, 0.6), NAVY, True), student(0.13, (0.5, 0.58))),
    "cafe_friend": portrait(drawn(cafe, "CAFE ON"), friend("soyeon", 0.13, (0.72, 0.55), (230, 230, 225)),
                            Sitter("yuna", 0.2, (0.35, 0.5), (245, 200, 210))),
    "blossom_selfie": portrait(demo("blossom"), Sitter("yuna", 0.23, (0.5, 0.47), (250, 250, 245), True)),
    "birthday_17": birthday(((250, 230, 200), (240, 200, 170)), Sitter("yuna", 0.22, (0.5, 0.35), (180, 210, 240)),
                            "HAPPY 17TH BIRTHDAY YUNA", 5),
    "night_room": portrait(drawn(room, night=True), Sitter("yuna", 0.24, (0.45, 0.45), (230, 220, 240), True)),
    "beach_friend": portrait(demo("sea"), friend("soyeon", 0.13, (0.75, 0.58), (250, 250, 250), True),
                             Sitter("yuna", 0.2, (0.35, 0.5), (120, 200, 220))),
    "bangs": portrait(drawn(plain, (250, 225, 225), (245, 240, 250)), Sitter("yuna", 0.36, (0.5, 0.42), (240, 240, 240))),
    "autumn_selfie": portrait(drawn(leaves, "yuna", AUTUMN), Sitter("yuna", 0.23, (0.5, 0.47), (120, 80, 60), True)),
    "yuna_profile": portrait(drawn(plain, (200, 225, 250), (250, 240, 250)), student(0.3, (0.5, 0.38))),
    "tteokbokki": drawn(bowls, "tteokbokki", ((220, 60, 40), (240, 200, 120))),
    "sunset": demo("sunset"),
    # jiho: a badge the text reader can read, an office and a home, one clear face
    "badge": drawn(badge),
    "first_day": drawn(screen, ("WELCOME TO", NURIBIT, "PARK JIHO", "Platform Team"), (170, 190, 210)),
    "deploy_day": drawn(screen, ("DEPLOY v2.4", "platform-api", "all checks passed"), (160, 175, 190)),
    "planning": drawn(classroom, (NURIBIT, "Q2 PLANNING", "PLATFORM TEAM")),
    "office_view": drawn(window_view, "office", night=False),
    "home_night_view": drawn(window_view, "home", night=True),
    "office_coffee": lambda cast, size: source_photo(cast.demo, "coffee", size, zoom=1.5),
    "home_cat": lambda cast, size: source_photo(cast.demo, "cat", size, zoom=1.3),
    "brunch": drawn(bowls, "brunch", ((250, 210, 60), (200, 120, 80), (120, 180, 90))),
    "dinner": drawn(bowls, "dinner", ((245, 245, 240), (150, 60, 40), (90, 140, 60)), (70, 60, 80)),
    "lunch_tray": drawn(bowls, "lunch", ((240, 240, 235), (200, 90, 50), (230, 200, 140))),
    "ramen": drawn(bowls, "ramen", ((210, 100, 40),)),
    "sky": demo("blue_clouds"),
    "sofa": portrait(drawn(room, night=True), Sitter("jiho", 0.17, (0.42, 0.45), (90, 100, 110))),
    "jiho_profile": portrait(drawn(window_view, "profile", night=False), Sitter("jiho", 0.3, (0.5, 0.42), (40, 40, 45), True)),
    # soyeon: a protected account, her face in most posts, a public profile picture
    "soyeon_profile": portrait(drawn(plain, (40, 50, 90), (150, 120, 170)),
                               Sitter("soyeon", 0.34, (0.5, 0.42), (240, 235, 225))),
    "new_year": portrait(demo("sunset"), Sitter("soyeon", 0.24, (0.45, 0.45), (60, 60, 90))),
    "drawing_desk": drawn(sketch),
    "cafe_haneul": portrait(drawn(cafe, "MOON CAFE"), friend("yuna", 0.13, (0.72, 0.55), (200, 220, 240), True),
                            Sitter("soyeon", 0.21, (0.33, 0.5), (120, 40, 60))),
    "haeundae": portrait(demo("sea"), Sitter("soyeon", 0.24, (0.5, 0.5), (250, 250, 250), True)),
    "blossom_soyeon": portrait(drawn(leaves, "soyeon-blossom", PETALS), Sitter("soyeon", 0.23, (0.5, 0.47), (240, 240, 250))),
    "soyeon_room": portrait(drawn(room, night=True), Sitter("soyeon", 0.25, (0.45, 0.45), (90, 70, 120))),
    "macarons": demo("macarons"),
    "exhibition": portrait(drawn(gallery), Sitter("soyeon", 0.22, (0.48, 0.5), (30, 30, 35), True)),
    "sky_selfie": portrait(demo("blue_clouds"), Sitter("soyeon", 0.22, (0.5, 0.5), (250, 250, 250))),
    "dusk": demo("dusk_clouds"),
    "birthday_soyeon": birthday(((60, 50, 80), (150, 110, 130)), Sitter("soyeon", 0.22, (0.5, 0.35), (200, 60, 90), True),
                                "HAPPY BIRTHDAY SOYEON", 3),
    "new_hair": portrait(drawn(plain, (225, 235, 245), (250, 245, 240)), Sitter("soyeon", 0.36, (0.5, 0.42), (70, 70, 80))),
    "park_group": portrait(drawn(park), friend("yuna", 0.11, (0.22, 0.6), (250, 250, 250)),
                           friend("yuna", 0.11, (0.78, 0.6), (240, 200, 120), True),
                           Sitter("soyeon", 0.13, (0.5, 0.57), (90, 140, 200))),
    "autumn_soyeon": portrait(drawn(leaves, "soyeon-autumn", AUTUMN), Sitter("soyeon", 0.23, (0.5, 0.47), (150, 90, 60), True)),
}


def draw_to(cast: Cast, name: str, size: tuple, path: Path) -> Shot:
    shot = SCENES[name](cast, size)
    save(shot.image, path)
    return shot
