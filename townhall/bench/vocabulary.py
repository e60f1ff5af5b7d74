"""Words for the benchmark community: products, categories, names, and text templates.

Bodies are drawn from a small pool per product (a few dozen texts each), rendered from Markdown
once per distinct text: rendering a million posts one by one would cost more than writing them.
Titles are cheap plain text, so each topic gets its own combination.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from townhall.core.markdown import html_to_text, render_markdown


@dataclass(frozen=True)
class ProductWords:
    slug: str
    name: str
    models: tuple[str, ...]
    firmware: tuple[str, ...]
    devices: tuple[str, ...]
    symptoms: tuple[str, ...]  # "<model> keeps dropping Wi-Fi"
    errors: tuple[str, ...]
    features: tuple[str, ...]
    fixes: tuple[str, ...]  # one Markdown sentence each
    tags: tuple[str, ...]
    log: tuple[str, ...]


PRODUCTS: tuple[ProductWords, ...] = (
    ProductWords(
        slug="halo-thermostat", name="Halo Thermostat",
        models=("Halo T1", "Halo T2", "Halo T2 Pro"),
        firmware=("3.8.1", "3.9.0", "4.0.2", "4.1.0"),
        devices=("a combi boiler", "a heat pump", "Google Home", "Amazon Alexa", "Apple HomeKit",
                 "underfloor heating"),
        symptoms=("keeps losing Wi-Fi overnight", "overshoots the target by two degrees", "reboots every few hours",
                  "drains its batteries in a week", "ignores the weekend schedule", "shows a blank screen"),
        errors=("E14", "E21", "E07"),
        features=("the eco schedule", "geofencing", "hot-water boost", "OpenTherm modulation", "away mode"),
        fixes=("Check the common wire: you should read about 24 V AC between **C** and **R**.",
               "Turn on OpenTherm under **Settings → Heating → Boiler** so it modulates instead of switching.",
               "Re-seat the thermostat on its backplate; the pins tarnish and lose contact.",
               "Lower the **temperature offset** in the installer menu.",
               "Run **Settings → Heating → Learn my home** and leave it alone for two days."),
        tags=("heating", "wiring", "schedule", "heat-pump", "boiler", "halo-t2"),
        log=("[halo] 06:00:01 schedule: target 20.5C (eco)", "[halo] 06:14:37 wifi: beacon loss, reconnecting",
             "[halo] 06:14:52 wifi: reconnected rssi=-81"),
    ),
    ProductWords(
        slug="meshpoint-router", name="Meshpoint Router",
        models=("Meshpoint M1", "Meshpoint M3", "the Meshpoint satellite"),
        firmware=("2.4.7", "2.5.0", "2.5.3"),
        devices=("a fibre modem", "a PS5", "a Nintendo Switch", "a Sonos soundbar", "a Starlink dish",
                 "a NAS"),
        symptoms=("drops 5 GHz clients every evening", "shows the satellite as offline",
                  "gives me a tenth of my line speed", "won't hand out IPv6 addresses",
                  "loses the WAN link after a few hours", "makes video calls stutter"),
        errors=("WAN-03", "MP-117", "DHCP-2"),
        features=("band steering", "WPA3", "the guest network", "port forwarding", "wired backhaul"),
        fixes=("Put the ISP box in **bridge mode** so you are not double-NATed.",
               "Turn off **band steering** for that device; some older clients hate it.",
               "Place the satellite halfway, not at the far end of the house.",
               "Use **wired backhaul** if you can: **Network → Mesh → Backhaul → Ethernet**.",
               "Set the WAN MTU to 1492 for PPPoE connections."),
        tags=("mesh", "ipv6", "speed", "pppoe", "gaming", "meshpoint-m3"),
        log=("$ ping -c 3 192.168.68.1", "64 bytes from 192.168.68.1: icmp_seq=1 time=2.1 ms",
             "Request timeout for icmp_seq 2"),
    ),
    ProductWords(
        slug="lumen-cam", name="Lumen Cam",
        models=("Lumen Cam Indoor", "Lumen Cam Outdoor", "the Lumen Doorbell"),
        firmware=("1.12.0", "1.13.2", "1.14.0"),
        devices=("a microSD card", "an Echo Show", "a Nest Hub", "a PoE injector", "an NVR"),
        symptoms=("shows a black picture at night", "misses people walking up the path",
                  "sends an alert for every passing car", "records only ten-second clips",
                  "goes offline when it gets cold", "takes eight seconds to start live view"),
        errors=("CAM-40", "SD-05", "STREAM-2"),
        features=("person detection", "activity zones", "RTSP streaming", "privacy masks", "two-way audio"),
        fixes=("Draw an **activity zone** that leaves out the road.",
               "Format the card in the camera (**Storage → Format**), not on a computer.",
               "Turn off **HDR** at night; with infrared on it washes the picture out.",
               "Give the camera a DHCP reservation so the recorder always finds it.",
               "Use the 2.4 GHz network: the 5 GHz radio has much shorter range outdoors."),
        tags=("night-vision", "motion", "rtsp", "storage", "doorbell", "lumen-outdoor"),
        log=("rtsp://USER:PASSWORD@192.168.1.42:554/stream1", "rtsp://USER:PASSWORD@192.168.1.42:554/stream2"),
    ),
    ProductWords(
        slug="pulse-speaker", name="Pulse Speaker",
        models=("Pulse One", "Pulse Mini", "Pulse Sub"),
        firmware=("7.1", "7.2.1", "8.0"),
        devices=("a TV over HDMI ARC", "Spotify Connect", "AirPlay", "a turntable", "a Windows laptop"),
        symptoms=("cuts out for a second every few minutes", "falls out of the group",
                  "plays with a delay against the TV", "won't update past the first step",
                  "crackles at low volume", "forgets its room name"),
        errors=("PS-12", "ARC-3", "UPD-9"),
        features=("multi-room groups", "Trueplay tuning", "night mode", "voice control", "the equaliser"),
        fixes=("Give every speaker a fixed address and restart the router.",
               "Turn on **CEC** on the TV, then unplug the speaker for a minute.",
               "Set the audio delay under **Settings → Audio → Lip sync**.",
               "Remove the speaker from the group and add it back from the app.",
               "Factory-reset it: hold **Play** while plugging it in."),
        tags=("audio", "multiroom", "hdmi-arc", "airplay", "spotify", "pulse-one"),
        log=("[pulse] group: leader=kitchen members=2", "[pulse] net: packet loss 14% over 60s"),
    ),
    ProductWords(
        slug="orbit-vacuum", name="Orbit Vacuum",
        models=("Orbit S5", "Orbit S7", "Orbit S7 Max"),
        firmware=("02.18", "02.21", "03.04"),
        devices=("the charging dock", "the self-empty station", "a dark carpet", "Alexa routines"),
        symptoms=("gets stuck under the sofa", "forgets the map after every run", "misses the corners",
                  "stops with a full-bin warning", "won't go back to the dock", "cleans the same room twice"),
        errors=("Error 2", "Error 9", "Error 14"),
        features=("no-go zones", "room cleaning", "the mopping schedule", "carpet boost", "map saving"),
        fixes=("Wipe the cliff sensors under the front bumper with a dry cloth.",
               "Turn on **map saving** before drawing no-go zones, then run one full clean.",
               "Move the dock so it has half a metre free on each side.",
               "Replace the side brush: a bent one makes it miss corners.",
               "Update the firmware from **Settings → Device → Firmware** while it is docked."),
        tags=("mapping", "docking", "mopping", "sensors", "orbit-s7"),
        log=("[orbit] nav: relocalisation failed (score 0.31)", "[orbit] dock: IR signal lost"),
    ),
    ProductWords(
        slug="nimbus-backup", name="Nimbus Backup",
        models=("Nimbus Personal", "Nimbus Family", "Nimbus Business"),
        firmware=("5.3", "5.4.2", "6.0"),
        devices=("a Mac", "a Windows PC", "an external drive", "a Linux server", "a phone"),
        symptoms=("stops at 99 percent", "uploads the same files again every night",
                  "says my quota is full when it isn't", "slows the whole computer down",
                  "can't restore a folder", "skips files with long names"),
        errors=("NB-401", "NB-507", "NB-32"),
        features=("versioning", "the bandwidth limit", "end-to-end encryption", "exclusion rules",
                  "scheduled backups"),
        fixes=("Add the cache folder to the **exclusion rules**; it changes every day.",
               "Set a **bandwidth limit** during working hours.",
               "Sign out and back in to refresh the quota.",
               "Restore to a new folder first, then move the files.",
               "Turn on long path support under **Preferences → Advanced**."),
        tags=("restore", "quota", "encryption", "sync", "nimbus-family"),
        log=("2024-05-01 02:00:03 backup started (1,204,118 files)", "2024-05-01 02:41:17 NB-507: upload stalled"),
    ),
    ProductWords(
        slug="quill-notes", name="Quill Notes",
        models=("Quill for iPad", "Quill for Android", "Quill Desktop"),
        firmware=("12.4", "12.5", "13.0"),
        devices=("an Apple Pencil", "a Wacom tablet", "Google Drive", "OneDrive", "a Chromebook"),
        symptoms=("loses handwriting after sync", "lags when I write fast", "duplicates every notebook",
                  "exports blank PDFs", "crashes when I open large notebooks", "won't sync shared notebooks"),
        errors=("SYNC-409", "QN-13", "PDF-2"),
        features=("handwriting search", "shared notebooks", "PDF export", "templates", "the lasso tool"),
        fixes=("Turn off **low-power mode**; it throttles the pen input.",
               "Force a full sync: **Settings → Sync → Rebuild local copy**.",
               "Split the notebook: above 500 pages it gets slow.",
               "Export with **flatten annotations** on.",
               "Sign out of the cloud drive and sign in again to renew its token."),
        tags=("sync", "handwriting", "pdf", "ipad", "quill-desktop"),
        log=("sync: conflict on notebook 'Lectures' (409)", "sync: 3 pages kept as copies"),
    ),
    ProductWords(
        slug="volt-charger", name="Volt Charger",
        models=("Volt Home 7", "Volt Home 11", "Volt Pro 22"),
        firmware=("1.9.3", "2.0.1", "2.1.0"),
        devices=("a solar inverter", "a Tesla Model 3", "a VW ID.4", "a smart meter", "a 3-phase supply"),
        symptoms=("stops charging after ten minutes", "won't start on the cheap tariff",
                  "trips the breaker", "shows the car as disconnected", "ignores the solar surplus",
                  "charges at half speed"),
        errors=("V-21", "V-34", "GF-1"),
        features=("solar charging", "the tariff schedule", "load balancing", "RFID cards", "charge reports"),
        fixes=("Check the **maximum current** in the installer settings matches your breaker.",
               "Pair the CT clamp again under **Installer → Load balancing**.",
               "Set the car's own charging schedule to **off**; two schedules fight each other.",
               "Update to the latest firmware over Ethernet rather than Wi-Fi.",
               "Turn on **solar mode** and set the minimum surplus to 1.4 kW."),
        tags=("ev", "solar", "tariff", "breaker", "volt-pro"),
        log=("[volt] session 8812: start 11.0kW", "[volt] session 8812: V-34 ground fault, stopped"),
    ),
)

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("troubleshooting", "Troubleshooting"),
    ("setup", "Setup"),
    ("compatibility", "Compatibility"),
    ("apps", "Apps and integrations"),
    ("firmware", "Firmware updates"),
    ("accessories", "Accessories"),
    ("tips", "Tips and tricks"),
    ("beta", "Beta program"),
    ("billing", "Accounts and billing"),
)

COMMON_TAGS: tuple[str, ...] = (
    "wifi", "firmware", "setup", "app", "update", "bluetooth", "account", "battery", "integration",
    "privacy", "feature-request", "how-to",
)

FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Finn", "Grace", "Hugo", "Isla", "Jonas", "Kira", "Liam",
    "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Ximena",
    "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri", "Esme", "Farah", "Gus", "Hana", "Ivan", "Jade",
)
LAST_NAMES = (
    "Adams", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski",
    "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quinlan", "Rossi", "Silva", "Tanaka", "Urban",
    "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Novak", "Murphy", "Lindqvist", "Haddad",
)
REGIONS = ("UK", "Germany", "France", "Spain", "Italy", "Netherlands", "Sweden", "Poland", "USA", "Canada",
           "Australia", "Japan", "Brazil", "India")

QUESTION_TITLES = (
    "{model} {symptom}",
    "{model} {symptom} after updating to {firmware}",
    "How do I set up {feature} on {model}?",
    "Error {error} when using {model} with {device}",
    "Does {model} work with {device}?",
    "{feature} stopped working on {model}",
    "{model} {symptom} since firmware {firmware}",
    "Can I turn off {feature}?",
    "{error} on {model}: what does it mean?",
    "{model} and {device}: {symptom}",
)
DISCUSSION_TITLES = (
    "Share your {feature} setup",
    "{model} with {device}: my experience after a month",
    "Wish list: better {feature} on {model}",
    "Tips for getting the most out of {feature}",
    "Firmware {firmware}: what changed for you?",
    "Is {model} worth it with {device}?",
)


@dataclass(frozen=True)
class Text:
    """One body: its Markdown source, its stored HTML, and the plain text the search index keeps."""

    body: str
    html: str
    plain: str


def _text(body: str) -> Text:
    html = render_markdown(body)
    return Text(body, html, html_to_text(html))


@dataclass(frozen=True)
class ProductTexts:
    questions: tuple[Text, ...]
    discussions: tuple[Text, ...]
    answers: tuple[Text, ...]
    comments: tuple[Text, ...]


def _fill(rng: random.Random, p: ProductWords) -> dict[str, str]:
    return {
        "model": rng.choice(p.models), "firmware": rng.choice(p.firmware), "device": rng.choice(p.devices),
        "symptom": rng.choice(p.symptoms), "error": rng.choice(p.errors), "feature": rng.choice(p.features),
    }


def title_for(rng: random.Random, p: ProductWords, kind: str) -> str:
    templates = QUESTION_TITLES if kind == "question" else DISCUSSION_TITLES
    title = rng.choice(templates).format(**_fill(rng, p))
    return title[0].upper() + title[1:]


def _question_body(rng: random.Random, p: ProductWords) -> str:
    w = _fill(rng, p)
    parts = [
        f"I have {w['model']} on firmware {w['firmware']}, together with {w['device']}.",
        f"Since last week it {w['symptom']}, and now and then it shows **{w['error']}**.",
    ]
    if rng.random() < 0.6:
        tried = rng.sample(p.fixes, 2)
        parts.append("What I tried so far:\n\n" + "\n".join(f"- {t}" for t in tried))
    if rng.random() < 0.35:
        parts.append("The log says:\n\n```\n" + "\n".join(p.log) + "\n```")
    parts.append(rng.choice(("Any idea what else I could check?", "Is this a known problem?",
                             "Thanks in advance!", "What am I missing?")))
    return "\n\n".join(parts)


def _discussion_body(rng: random.Random, p: ProductWords) -> str:
    w = _fill(rng, p)
    parts = [
        f"I've been using {w['model']} with {w['device']} for a while and wanted to compare notes on "
        f"{w['feature']}.",
        rng.choice((f"Firmware {w['firmware']} made a real difference for me.",
                    f"The one thing I'd change: {w['model']} sometimes {w['symptom']}.",
                    "Here is what works well in our house:")),
    ]
    if rng.random() < 0.5:
        parts.append("\n".join(f"1. {fix}" for fix in rng.sample(p.fixes, 3)))
    parts.append(rng.choice(("How do you use it?", "Curious what everyone else does.", "Happy to answer questions.")))
    return "\n\n".join(parts)


def _answer_body(rng: random.Random, p: ProductWords) -> str:
    w = _fill(rng, p)
    fixes = rng.sample(p.fixes, rng.choice((1, 1, 2, 3)))
    if len(fixes) == 1:
        parts = [fixes[0]]
    else:
        parts = ["A few things to try, in this order:", "\n".join(f"1. {fix}" for fix in fixes)]
    if rng.random() < 0.4:
        parts.append(rng.choice((
            f"This fixed it for me on {w['model']} with firmware {w['firmware']}.",
            f"If you still see {w['error']} after that, the support team can read the device logs.",
            f"See the [setup guide](https://example.com/{p.slug}/guide) for pictures.",
        )))
    if rng.random() < 0.15:
        parts.append("You can check it from a terminal:\n\n```\n" + p.log[0] + "\n```")
    return "\n\n".join(parts)


def _comment_body(rng: random.Random, p: ProductWords) -> str:
    w = _fill(rng, p)
    return rng.choice((
        "Thanks, that worked!",
        f"Same here on {w['firmware']}.",
        "Which firmware are you on?",
        f"+1, I see {w['error']} too.",
        "Did that survive a restart?",
        f"Good tip. It also helps with {w['feature']}.",
        f"Doesn't work with {w['device']} unfortunately.",
        "Confirmed, thank you.",
    ))


def product_texts(rng: random.Random, p: ProductWords) -> ProductTexts:
    """The pool of bodies for one product, each rendered once. Duplicate sources are rendered once."""
    rendered: dict[str, Text] = {}

    def many(make: Callable[[random.Random, ProductWords], str], n: int) -> tuple[Text, ...]:
        out = []
        for _ in range(n):
            body = make(rng, p)
            text = rendered.get(body)
            if text is None:
                text = rendered[body] = _text(body)
            out.append(text)
        return tuple(out)

    return ProductTexts(
        questions=many(_question_body, 40),
        discussions=many(_discussion_body, 12),
        answers=many(_answer_body, 60),
        comments=many(_comment_body, 16),
    )
