"""Demo content: a believable community built through the services, the way members would build it.

Four products, each with Setup / Troubleshooting / Compatibility forums, a private Insiders group,
about forty members and a hundred questions spread over the last sixty days: answered, solved,
waiting, and escalated to the support team. Reproducible: the same seed gives the same community
(only the dates move with today).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from townhall.accounts.services import create_member, update_profile
from townhall.content.models import Post, Topic
from townhall.content.services import create_post, create_topic, give_kudos
from townhall.spaces.models import Space
from townhall.spaces.services import add_member, create_space
from townhall.support.models import Question
from townhall.support.services import (
    accept_solution,
    ask_question,
    claim_question,
    escalate_question,
    me_too,
    resolve_question,
)

DEFAULT_SEED = 2024
MARKER_SLUG = "halo-thermostat"  # the first demo space: its presence means the demo is loaded
DAYS = 60


# The community -----------------------------------------------------------------------------------


@dataclass
class Product:
    slug: str
    name: str
    description: str
    models: list[str]
    firmware: list[str]
    devices: list[str]
    symptoms: list[str]
    errors: list[str]
    features: list[str]
    places: list[str]
    fixes: list[str]
    tags: list[str]
    log: str


PRODUCTS = [
    Product(
        slug="halo-thermostat", name="Halo Thermostat",
        description="The Halo T1, T2 and T2 Pro smart thermostats: installing, heating schedules, "
                    "boilers and heat pumps.",
        models=["Halo T1", "Halo T2", "Halo T2 Pro"],
        firmware=["3.8.1", "3.9.0", "4.0.2", "4.1.0"],
        devices=["a Worcester Bosch combi boiler", "a Daikin Altherma heat pump", "a Mitsubishi Ecodan",
                 "Google Home", "Amazon Alexa", "Apple HomeKit", "a Vaillant ecoTEC boiler",
                 "underfloor heating with a Heatmiser hub"],
        symptoms=["keeps losing Wi-Fi overnight", "shows “No heat call” while the boiler is running",
                  "overshoots the target by 2 °C", "reboots every few hours",
                  "drains its batteries in a week", "stays on a blank screen after the update",
                  "ignores the Eco schedule at weekends"],
        errors=["E14", "E21", "E07"],
        features=["Eco schedule", "geofencing", "hot-water boost", "OpenTherm modulation", "away mode"],
        places=["hallway", "living room", "upstairs landing", "kitchen"],
        fixes=[
            "Check the common wire: with a multimeter you should read about 24 V AC between **C** and **R**.",
            "Turn on OpenTherm under **Settings → Heating → Boiler** so the Halo modulates instead of switching.",
            "Re-seat the thermostat on its backplate: the pogo pins tarnish and lose contact.",
            "Move the 2.4 GHz network to a fixed channel (1, 6 or 11); the Halo doesn't like auto channel hops.",
            "Lower the **temperature offset** in the installer menu (hold the ring for 10 seconds).",
            "Recalibrate the heating curve: **Settings → Heating → Learn my home** and leave it for two days.",
            "Update to the latest firmware from **Settings → About → Check for updates**.",
        ],
        tags=["heating", "wiring", "wifi", "schedule", "heat-pump", "firmware", "boiler"],
        log="[halo] 06:00:01 schedule: target 20.5C (eco)\n[halo] 06:00:02 opentherm: modulation 0%\n"
            "[halo] 06:14:37 wifi: beacon loss, reconnecting\n[halo] 06:14:52 wifi: reconnected rssi=-81",
    ),
    Product(
        slug="meshpoint-router", name="Meshpoint Router",
        description="Meshpoint M1 and M3 mesh routers and satellites: setup, coverage, speed and ISPs.",
        models=["Meshpoint M1", "Meshpoint M3", "the Meshpoint Satellite"],
        firmware=["2.4.7", "2.5.0", "2.5.3"],
        devices=["a Fritz!Box 7590", "a Virgin Media Hub 5 in modem mode", "a PS5", "a Nintendo Switch",
                 "a Sonos Arc", "a Starlink dish", "an ISP fibre box with PPPoE", "a Synology NAS"],
        symptoms=["drops 5 GHz clients every evening", "shows the satellite as offline",
                  "gives me 40 Mbit/s on a 500 Mbit/s line", "won't hand out IPv6 addresses",
                  "loses the WAN link after a few hours", "makes video calls stutter",
                  "keeps rebooting at 3 am"],
        errors=["WAN-03", "MP-117", "DHCP-2"],
        features=["band steering", "WPA3", "the guest network", "port forwarding", "parental controls",
                  "wired backhaul"],
        places=["office", "loft", "garden office", "basement"],
        fixes=[
            "Put the ISP box in **bridge/modem mode** so you are not double-NATed.",
            "Turn off **band steering** for the device in question; some older clients hate it.",
            "Place the satellite halfway, not at the far end: it needs a good link back to the main unit.",
            "Use **wired backhaul** if you can: **Network → Mesh → Backhaul → Ethernet**.",
            "Set the WAN MTU to 1492 for PPPoE connections.",
            "Disable the scheduled reboot under **System → Maintenance** if it clashes with your backups.",
            "Factory-reset the satellite (pin in the back for 15 seconds) and add it again from the app.",
        ],
        tags=["wifi", "mesh", "ipv6", "speed", "pppoe", "gaming", "firmware"],
        log="$ ping -c 4 192.168.68.1\n64 bytes from 192.168.68.1: icmp_seq=1 ttl=64 time=2.1 ms\n"
            "64 bytes from 192.168.68.1: icmp_seq=2 ttl=64 time=187.4 ms\n"
            "Request timeout for icmp_seq 3\n64 bytes from 192.168.68.1: icmp_seq=4 ttl=64 time=3.0 ms",
    ),
    Product(
        slug="lumen-cam", name="Lumen Cam",
        description="Lumen Cam Indoor, Outdoor and the Lumen Doorbell: mounting, detection, recording "
                    "and storage.",
        models=["Lumen Cam Indoor", "Lumen Cam Outdoor", "the Lumen Doorbell"],
        firmware=["1.12.0", "1.13.2", "1.14.0"],
        devices=["a Synology NAS", "an Echo Show 8", "a Google Nest Hub", "a 128 GB microSD card",
                 "a Ubiquiti access point", "a PoE injector", "Blue Iris"],
        symptoms=["shows a black picture at night", "misses people walking up the path",
                  "sends an alert for every passing car", "records only 10-second clips",
                  "goes offline when it gets cold", "has a green tint in daylight",
                  "takes 8 seconds to start live view"],
        errors=["CAM-40", "SD-05", "STREAM-2"],
        features=["person detection", "activity zones", "RTSP streaming", "privacy masks",
                  "continuous recording", "two-way audio"],
        places=["driveway", "front door", "back garden", "nursery"],
        fixes=[
            "Draw an **activity zone** that leaves out the road, and raise the sensitivity only inside it.",
            "Format the microSD card in the camera (**Storage → Format**), not on a computer.",
            "Turn off **HDR** at night; with IR on it washes the picture out.",
            "Give the camera a DHCP reservation so the NVR always finds it at the same address.",
            "Enable RTSP under **Advanced → Streaming** and use the stream URL below.",
            "Use the 2.4 GHz network: the camera's 5 GHz radio has much shorter range outdoors.",
        ],
        tags=["night-vision", "motion", "rtsp", "storage", "doorbell", "wifi"],
        log="rtsp://USER:PASSWORD@192.168.1.42:554/stream1   # main stream, 2K\n"
            "rtsp://USER:PASSWORD@192.168.1.42:554/stream2   # sub stream, 640x360",
    ),
    Product(
        slug="homebase-app", name="Homebase App",
        description="The Homebase app for iOS and Android and the web dashboard: accounts, shared homes, "
                    "automations and notifications.",
        models=["Homebase for iOS", "Homebase for Android", "the Homebase web dashboard"],
        firmware=["5.2", "5.3.1", "5.4"],
        devices=["an iPhone 15", "a Pixel 8", "a Samsung Galaxy S23", "an iPad", "Home Assistant",
                 "an Apple Watch", "a OnePlus 12"],
        symptoms=["logs me out every day", "shows working devices as offline",
                  "sends notifications hours late", "crashes when I open the history tab",
                  "won't let me invite my partner", "shows the wrong time zone",
                  "runs automations twice"],
        errors=["AUTH-401", "SYNC-9", "APP-12"],
        features=["automations", "shared homes", "widgets", "the energy report", "two-factor sign-in",
                  "scenes"],
        places=["home", "holiday flat", "parents' house"],
        fixes=[
            "Exclude Homebase from battery optimisation (**Settings → Apps → Homebase → Battery → Unrestricted**).",
            "Sign out, clear the app's cache, and sign in again: it re-downloads your homes.",
            "Check the home's time zone under **Home settings → Location**; automations follow it, not the phone.",
            "Invitations expire after 7 days: remove the pending invite and send a new one.",
            "Turn on **Background App Refresh** for Homebase on iOS.",
            "Use the long-lived access token from **Account → Integrations** for Home Assistant.",
        ],
        tags=["android", "ios", "notifications", "automations", "account", "home-assistant"],
        log="sensor:\n  - platform: rest\n    name: halo_target\n"
            "    resource: https://api.homebase.example/v2/devices/halo/target\n"
            "    headers:\n      Authorization: !secret homebase_token",
    ),
]

CATEGORIES = [
    ("setup", "Setup", "Unboxing, installing and getting connected."),
    ("troubleshooting", "Troubleshooting", "Something isn't working as it should."),
    ("compatibility", "Compatibility", "Will it work with your boiler, router, phone or platform?"),
]

# (username, display name, region, languages)
MEMBERS = [
    ("jana.k", "Jana Kowalczyk", "Kraków, Poland", "Polish, English"),
    ("marco_r", "Marco Rossi", "Turin, Italy", "Italian, English"),
    ("aisha.b", "Aisha Bello", "Lagos, Nigeria", "English, Yoruba"),
    ("tomwilde", "Tom Wilde", "Leeds, United Kingdom", "English"),
    ("lina.h", "Lina Hoffmann", "Hamburg, Germany", "German, English"),
    ("chen.wei", "Chen Wei", "Shenzhen, China", "Chinese, English"),
    ("priya.n", "Priya Nair", "Bengaluru, India", "English, Malayalam, Hindi"),
    ("diego.m", "Diego Martínez", "Valencia, Spain", "Spanish, Catalan, English"),
    ("sofia.l", "Sofia Lindgren", "Uppsala, Sweden", "Swedish, English"),
    ("kwame", "Kwame Mensah", "Accra, Ghana", "English, Twi"),
    ("emma.d", "Emma Dubois", "Lyon, France", "French, English"),
    ("hiro.t", "Hiroshi Tanaka", "Osaka, Japan", "Japanese, English"),
    ("nora.f", "Nora Fitzgerald", "Cork, Ireland", "English, Irish"),
    ("lucas.s", "Lucas Souza", "São Paulo, Brazil", "Portuguese, English"),
    ("mia.v", "Mia van Dijk", "Utrecht, Netherlands", "Dutch, English, German"),
    ("oleksandr", "Oleksandr Shevchenko", "Lviv, Ukraine", "Ukrainian, English, Polish"),
    ("fatima.z", "Fatima Zahra", "Casablanca, Morocco", "Arabic, French"),
    ("ben.carter", "Ben Carter", "Austin, USA", "English"),
    ("grace.o", "Grace Okafor", "Toronto, Canada", "English, French"),
    ("ravi.p", "Ravi Patel", "Leicester, United Kingdom", "English, Gujarati"),
    ("anna.n", "Anna Novak", "Ljubljana, Slovenia", "Slovenian, English"),
    ("sam.k", "Samuel Kim", "Seoul, South Korea", "Korean, English"),
    ("elif.y", "Elif Yılmaz", "Izmir, Turkey", "Turkish, English"),
    ("jakob.m", "Jakob Meier", "Zürich, Switzerland", "German, French"),
    ("olivia.b", "Olivia Brown", "Melbourne, Australia", "English"),
    ("mateo.g", "Mateo García", "Buenos Aires, Argentina", "Spanish, English"),
    ("ines.c", "Inês Costa", "Porto, Portugal", "Portuguese, Spanish"),
    ("noah.j", "Noah Johansson", "Gothenburg, Sweden", "Swedish, English"),
    ("layla.h", "Layla Hassan", "Dubai, UAE", "Arabic, English"),
    ("pete.w", "Pete Walsh", "Denver, USA", "English"),
    ("yuki.s", "Yuki Sato", "Sapporo, Japan", "Japanese"),
    ("karin.e", "Karin Eriksen", "Bergen, Norway", "Norwegian, English"),
    ("dev.r", "Dev Raman", "Singapore", "English, Tamil"),
    ("zoe.m", "Zoë Müller", "Vienna, Austria", "German, English"),
    ("tariq.a", "Tariq Ahmed", "Manchester, United Kingdom", "English, Urdu"),
    ("camille.r", "Camille Roux", "Montréal, Canada", "French, English"),
]
STAFF = [
    # username, display name, roles, region
    ("admin", "Sam Rivera (Community)", ["admin"], "Amsterdam, Netherlands"),
    ("ada.support", "Ada Lindqvist (Support)", ["agent"], "Stockholm, Sweden"),
    ("ben.support", "Ben Osei (Support)", ["agent"], "London, United Kingdom"),
    ("kim.moderator", "Kim Laurent (Moderator)", ["moderator"], "Brussels, Belgium"),
]


# What people write ---------------------------------------------------------------------------------

QUESTION_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "setup": [
        ("How do I set up {model} with {device}?",
         "I just unboxed my **{model}** and want to use it with {device}.\n\nWhat I did so far:\n\n"
         "1. Installed the Homebase app and created a home\n2. Scanned the code on the back\n"
         "3. Picked my Wi-Fi network\n\nThe app now sits on *“Finishing setup…”* for minutes and then says "
         "**{error}**. Is there something I have to do on the other side first?"),
        ("{model} setup stuck at “Connecting to Wi-Fi”",
         "Trying to add a {model} in the {place}. It finds the network, accepts the password, and then the "
         "progress bar stops at 80 %.\n\n- Router is 2.4 + 5 GHz with one name\n- Phone is {platform}\n"
         "- Tried three times, including a reset\n\nAny idea what it is waiting for?"),
        ("Best place to install {model} in a {place}?",
         "Moving house and I get to choose where the {model} goes. The {place} has a radiator on one wall "
         "and a big window on the other. Is there a rule of thumb for placement so that {feature} works well?"),
        ("Can I move {model} to a new home without losing {feature}?",
         "We're moving next month. I've spent a lot of time tuning {feature} on my {model}.\n\n"
         "Is there a way to export the settings, or do I start from scratch after *Remove device*?"),
        ("Setting up {feature} on {model} — where is the option?",
         "The manual says {feature} can be turned on from the app, but on firmware {fw} I can't find it "
         "anywhere. Has it moved? Screens I checked:\n\n- Device settings\n- Home settings\n- Account"),
        ("Second {model}: add to the same home or a new one?",
         "I have one {model} working fine and just bought a second for the {place}. Should it go in the "
         "same home in the app? I want {feature} to treat them separately."),
    ],
    "troubleshooting": [
        ("{model} {symptom}",
         "Since updating to firmware **{fw}** my {model} {symptom}. Nothing else changed on my side.\n\n"
         "What I've tried:\n\n- Restarting it\n- Restarting the router\n- Removing and re-adding it in the "
         "app\n\nThe log shows this around the time it happens:\n\n```\n{log}\n```\n\nAnyone else?"),
        ("Error {error} on {model} after update to {fw}",
         "Got **{error}** on the {model} in the {place} this morning, right after the automatic update to "
         "{fw}. The support article for {error} only says “contact support”. Is there something I can try "
         "first?"),
        ("{model} {symptom} — is it my {device_short}?",
         "My {model} {symptom}. It sits next to {device} and I'm starting to wonder if they interfere.\n\n"
         "Has anyone seen this with the same combination? Happy to post logs."),
        ("Intermittent problem: {model} {symptom}",
         "Not every day, maybe twice a week, my {model} {symptom}. Firmware {fw}, {platform}.\n\n"
         "Is there a way to get more detailed logs out of it so I can see what happens before?"),
        ("Factory reset didn't help: {model} still {symptom}",
         "Did a full factory reset (held the button 15 s, light went amber) and set everything up again. "
         "After a day it still {symptom}. Is this a hardware fault? It's 14 months old."),
        ("{feature} stopped working on {model}",
         "{feature} on my {model} worked fine for months and stopped last week. The toggle is on in the app, "
         "but nothing happens. On {fw}."),
    ],
    "compatibility": [
        ("Does {model} work with {device}?",
         "Thinking about buying a {model}. I have {device} — does anyone run this combination? In "
         "particular I need {feature} to work."),
        ("{model} and {device}: which settings?",
         "Got a {model} working with {device}, mostly. Before I fiddle further: what settings did you use?\n\n"
         "| setting | mine |\n| --- | --- |\n| firmware | {fw} |\n| {feature} | on |\n\n"
         "It works, but every now and then it {symptom}."),
        ("Is {feature} supported with {device}?",
         "The compatibility list says {model} works with {device}, but it doesn't say anything about "
         "{feature}. Has anyone got it running?"),
        ("Compatibility: {model} with {device} in {region}",
         "Is there a regional difference? In {region} the {device_short} we get seems to be a different "
         "variant, and the {model} won't see it at all."),
        ("Will {model} firmware {fw} break support for {device}?",
         "The release notes for {fw} mention changes to {feature}. I rely on {device}; has anyone updated "
         "already and can confirm it still works?"),
    ],
}

ANSWER_OPENERS = [
    "I had exactly this on my {model}. What fixed it for me:",
    "Two things to check first:",
    "Same combination here ({device_short}), working fine for months. My setup:",
    "This is usually one of these, in order of likelihood:",
    "Had the same after {fw}. Here's what I did:",
    "Not sure about your exact case, but these helped in mine:",
]
ANSWER_CLOSERS = [
    "After that it's been rock solid for {days} days.",
    "Let us know if that helps!",
    "If none of that works, post the log from **Settings → About → Diagnostics**.",
    "Took me a weekend to figure out, hope it saves you one.",
    "",
]
SHORT_ANSWERS = [
    "Which firmware are you on? You can see it under **Settings → About**. {fw} had a known bug with this "
    "and the update after it fixed it for me.",
    "Could be interference. Try moving {device_short} a metre away from the {model} for a day and see if "
    "it changes anything.",
    "Check whether your router uses channel 12 or 13 — some devices here don't see those.",
    "I'd open a ticket with support and mention error {error}, they swapped mine under warranty.",
]
OFFICIAL_ANSWERS = [
    "Hi {asker}, thanks for the detailed report and sorry for the wait. This is a known issue in firmware "
    "{fw}: it is fixed in the next release, which is rolling out in stages this week.\n\nIn the meantime:\n\n"
    "1. {fix1}\n2. {fix2}\n\nIf it happens again after the update, reply here and we'll take a look at your "
    "device's diagnostics.",
    "Hi {asker}, I've looked at your device's diagnostics (with your permission) and the problem is on our "
    "side, not yours. {fix1}\n\nWe've added your case to the bug report, and I'll update this thread when the "
    "fix ships.",
    "Hi {asker}, thanks for your patience. From what you describe this is most likely the setting below.\n\n"
    "> {fix1}\n\nIf that doesn't help, please send us a message from **Settings → Help → Contact support** "
    "and quote this thread.",
]
COMMENTS = [
    "Thanks, that did it!",
    "Same here on {fw}.",
    "Did you also restart the router afterwards? I needed to.",
    "@{asker} which {model} is it exactly?",
    "+1, I'd love to know too.",
    "This worked for me, but only after the second reboot.",
    "Confirmed on {platform} as well.",
    "Thanks @{answerer}, trying this tonight.",
    "The setting moved to **Advanced** in the latest version, for anyone looking.",
]
PLATFORMS = ["iOS 18", "Android 14", "Android 15", "iOS 17"]
REGIONS = ["the UK", "Germany", "Australia", "Brazil", "Japan", "the US", "Canada"]

INSIDERS_TOPICS = [
    ("question", "Beta firmware 4.2 for Halo T2: first impressions",
     "The 4.2 beta landed on my Halo T2 yesterday. Early notes:\n\n- Heat-up prediction feels better\n"
     "- The new **comfort band** setting is confusing, it took me a while to find\n\n"
     "Is the comfort band supposed to replace the offset, or work with it?",
     "It works with it: the offset corrects the sensor, the comfort band says how far the room may drift "
     "before the Halo reacts. We'll make that clearer in the next beta."),
    ("question", "Meshpoint M5 preview unit: wired backhaul over powerline?",
     "Got my preview M5 today, thanks team! Is powerline backhaul supported in this build, or only "
     "Ethernet? My loft has no cable run.",
     "Ethernet only in this build; powerline backhaul is planned for the next preview."),
    ("discussion", "Roadmap call notes: what we heard about Homebase 6",
     "A summary of last Thursday's call for those who missed it:\n\n1. Multi-home dashboards are coming\n"
     "2. Automations get conditions (*only if nobody is home*)\n3. Local control for Halo and Meshpoint\n\n"
     "What would you want first?",
     "Local control, please! My internet goes down more often than I'd like."),
    ("question", "Lumen Doorbell 2 prototype: chime compatibility",
     "Testing the prototype with an old mechanical chime (Friedland D107). It buzzes but doesn't ring. "
     "Is a chime adapter planned for the retail version?",
     "Yes: the retail box will include a chime kit for mechanical chimes; the prototype doesn't have it yet."),
]


# Building it -----------------------------------------------------------------------------------------


@dataclass
class Summary:
    members: int = 0
    spaces: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0
    solved: int = 0
    escalated: int = 0
    waiting: int = 0
    kudos: int = 0
    seconds: float = 0.0
    password: str = ""
    staff: list[str] = field(default_factory=list)


class DemoAlreadyLoaded(Exception):
    pass


def demo_loaded() -> bool:
    return Space.objects.filter(slug=MARKER_SLUG).exists()


def build_demo(seed: int = DEFAULT_SEED, password: str | None = None,
               progress: Callable[[str], None] = lambda message: None) -> Summary:
    """Build the demo community in one transaction. Raises DemoAlreadyLoaded if it is there."""
    if demo_loaded():
        raise DemoAlreadyLoaded("The demo community is already loaded.")
    started = time.monotonic()
    # Demo content sends no mail and calls no helpdesk; its events are consumed at once so search
    # and notifications are complete when the command ends, not whenever the worker catches up.
    quiet = override_settings(HUEY_IMMEDIATE=True, HELPDESK_WEBHOOK_URL="",
                              EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    with quiet, transaction.atomic():
        summary = _Builder(random.Random(seed), password or secrets.token_urlsafe(12), progress).build()
    summary.seconds = time.monotonic() - started
    return summary


class _Builder:
    def __init__(self, rng: random.Random, password: str, progress: Callable[[str], None]):
        self.rng = rng
        self.password = password
        self.progress = progress
        self.now = timezone.now()
        self.summary = Summary(password=password)
        self.members: list[Any] = []
        self.member_products: dict[int, set[str]] = {}
        self.agents: list[Any] = []
        self.admin: Any = None
        self.moderator: Any = None
        self.spaces: dict[str, Space] = {}
        self.titles: set[str] = set()
        self.pending_escalations = 0

    def build(self) -> Summary:
        self._people()
        self._spaces()
        self._questions()
        self._insiders()
        return self.summary

    # People ---------------------------------------------------------------------------------------

    def _people(self) -> None:
        for username, display_name, roles, region in STAFF:
            user = create_member(None, username=username, email=f"{username}@townhall.example",
                                 password=self.password, display_name=display_name, roles=roles)
            update_profile(user, region=region, languages="English",
                           products=", ".join(p.name for p in PRODUCTS))
            self.summary.staff.append(username)
            if "admin" in roles:
                self.admin = user
            elif "agent" in roles:
                self.agents.append(user)
            else:
                self.moderator = user
        for username, display_name, region, languages in MEMBERS:
            user = create_member(self.admin, username=username, email=f"{username}@example.com",
                                 display_name=display_name)
            products = self.rng.sample(PRODUCTS, self.rng.choice([1, 1, 2, 2, 3]))
            update_profile(
                user, region=region, languages=languages,
                products=", ".join(p.name for p in products),
                bio=self.rng.choice([
                    "Tinkerer. I automate everything in my flat, then undo half of it.",
                    "Electrician by trade, smart-home nerd by night.",
                    "Happy to help with wiring questions.",
                    "Network engineer. Ask me about VLANs.",
                    "Retired teacher, learning this stuff one device at a time.",
                    "",
                ]),
            )
            self.members.append(user)
            self.member_products[user.pk] = {p.slug for p in products}
        self.summary.members = len(STAFF) + len(MEMBERS)
        self.progress(f"members: {self.summary.members}")

    # Spaces ---------------------------------------------------------------------------------------

    def _spaces(self) -> None:
        for position, product in enumerate(PRODUCTS):
            parent = create_space(self.admin, slug=product.slug, name=product.name, kind="forum",
                                  visibility="public", description=product.description, position=position,
                                  support_email=f"support+{product.slug}@townhall.example")
            self.spaces[product.slug] = parent
            for cat_position, (cat_slug, cat_name, cat_description) in enumerate(CATEGORIES):
                self.spaces[f"{product.slug}-{cat_slug}"] = create_space(
                    self.admin, slug=f"{product.slug}-{cat_slug}", name=f"{product.name} {cat_name}",
                    kind="forum", visibility="public", parent=parent, description=cat_description,
                    position=cat_position, support_email=f"support+{product.slug}@townhall.example",
                )
        insiders = create_space(
            self.admin, slug="insiders", name="Insiders", kind="group", visibility="private",
            position=len(PRODUCTS),
            description="Our invite-only group of core customers: previews, betas and the roadmap, "
                        "before anyone else.",
        )
        self.spaces["insiders"] = insiders
        for user in [*self.agents, self.moderator, *self.rng.sample(self.members, 9)]:
            add_member(self.admin, insiders, user.username)
        self.summary.spaces = len(self.spaces)
        self.progress(f"spaces: {self.summary.spaces}")

    # Questions ------------------------------------------------------------------------------------

    def _words(self, product: Product, author: Any) -> dict[str, str]:
        rng = self.rng
        device = rng.choice(product.devices)
        symptom = rng.choice(product.symptoms)
        fw = rng.choice(product.firmware)
        fixes = rng.sample(product.fixes, 2)
        return {
            "product": product.name, "model": rng.choice(product.models), "fw": fw,
            "device": device, "device_short": device.removeprefix("a ").removeprefix("an "),
            "symptom": symptom,
            "error": rng.choice(product.errors), "feature": rng.choice(product.features),
            "place": rng.choice(product.places), "platform": rng.choice(PLATFORMS),
            "region": rng.choice(REGIONS), "log": product.log, "days": str(rng.randint(12, 90)),
            "asker": author.name.split(" ")[0], "fix1": fixes[0], "fix2": fixes[1],
        }

    def _pick_author(self, product: Product) -> Any:
        users = [u for u in self.members if product.slug in self.member_products[u.pk]]
        return self.rng.choice(users or self.members)

    def _time_after(self, start: datetime, min_minutes: int, max_minutes: int) -> datetime:
        moment = start + timedelta(minutes=self.rng.randint(min_minutes, max_minutes))
        return min(moment, self.now - timedelta(minutes=1))

    def _question_times(self, count: int) -> list[datetime]:
        # Most questions are older; a few are fresh enough to be still waiting for a first answer.
        times = [self.now - timedelta(hours=self.rng.uniform(30, DAYS * 24)) for _ in range(count - 6)]
        times += [self.now - timedelta(hours=self.rng.uniform(0.5, 20)) for _ in range(6)]
        return sorted(times)

    def _questions(self) -> None:
        plan = []
        for _ in range(96):
            product = self.rng.choice(PRODUCTS)
            plan.append((product, self.rng.choice(CATEGORIES)[0]))
        for index, created_at in enumerate(self._question_times(len(plan))):
            product, category = plan[index]
            fresh = created_at > self.now - timedelta(hours=24)
            self._one_question(product, category, created_at, fresh)
            if (index + 1) % 25 == 0:
                self.progress(f"questions: {index + 1}")
        self._ensure_queue()

    def _ensure_queue(self) -> None:
        """Whatever the seed, the agent queue shows something: the newest overdue open question."""
        if Question.objects.filter(queue_state__in=["queued", "claimed"]).exists():
            return
        topic = (Topic.objects.filter(kind="question", status="open", space__visibility="public",
                                      created_at__lte=self.now - timedelta(hours=24))
                 .select_related("space").order_by("-created_at").first())
        if topic is not None:
            reason = "unanswered" if topic.answer_count == 0 else "unsolved"
            if escalate_question(topic, reason=reason, now=self.now - timedelta(hours=1)):
                self.summary.escalated += 1

    def _title_and_body(self, product: Product, category: str, author: Any,
                        words: dict[str, str]) -> tuple[str, str]:
        for _ in range(20):
            template_title, template_body = self.rng.choice(QUESTION_TEMPLATES[category])
            title = template_title.format(**words)
            title = title[0].upper() + title[1:]
            if title not in self.titles:
                break
            words = self._words(product, author)
        self.titles.add(title)
        return title, template_body.format(**words)

    def _one_question(self, product: Product, category: str, created_at: datetime, fresh: bool) -> None:
        rng = self.rng
        space = self.spaces[f"{product.slug}-{category}"]
        author = self._pick_author(product)
        words = self._words(product, author)
        title, body = self._title_and_body(product, category, author, words)
        tags = rng.sample(product.tags, rng.randint(1, 3))
        topic = ask_question(author, space, title=title, body=body, tags=tags,
                             created_at=created_at, check_rate=False)
        self.summary.questions += 1

        answer_count = 0 if fresh and rng.random() < 0.7 else rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
        answers: list[Post] = []
        moment = created_at
        others = [u for u in self.members if u.pk != author.pk]
        for answerer in rng.sample(others, answer_count):
            moment = self._time_after(moment, 20, 60 * 30)
            answers.append(self._answer(topic, answerer, product, words, moment))
        for answer in answers:
            for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
                commenter = rng.choice([author, *rng.sample(others, 2)])
                text = rng.choice(COMMENTS).format(
                    **{**words, "asker": author.username, "answerer": answer.author.username})
                moment = self._time_after(answer.created_at, 10, 60 * 12)
                create_post(commenter, topic, body=text, parent=answer, created_at=moment, check_rate=False)
                self.summary.comments += 1
            for giver in rng.sample(others, rng.choice([0, 1, 1, 2, 3, 5])):
                if giver.pk != answer.author_id:
                    give_kudos(giver, answer)
                    self.summary.kudos += 1
        for voter in rng.sample(others, rng.choice([0, 0, 1, 1, 2, 4])):
            me_too(voter, topic)

        if answers and rng.random() < 0.62:
            best = max(answers, key=lambda a: (a.kudos_count, -a.pk)) if rng.random() < 0.7 else answers[0]
            accepter = author if rng.random() < 0.85 else rng.choice([self.moderator, *self.agents])
            accept_solution(accepter, topic, best)
            self.summary.solved += 1
        else:
            self._escalate_if_overdue(topic, product, words)

    def _answer(self, topic: Topic, answerer: Any, product: Product, words: dict[str, str],
                moment: datetime) -> Post:
        rng = self.rng
        if rng.random() < 0.3:
            body = rng.choice(SHORT_ANSWERS).format(**words)
        else:
            steps = "\n".join(f"{n}. {fix}" for n, fix in enumerate(rng.sample(product.fixes, rng.randint(2, 3)), 1))
            body = f"{rng.choice(ANSWER_OPENERS).format(**words)}\n\n{steps}"
            if rng.random() < 0.25:
                body += f"\n\nFor reference, this is what mine looks like now:\n\n```\n{product.log}\n```"
            closer = rng.choice(ANSWER_CLOSERS).format(**words)
            if closer:
                body += f"\n\n{closer}"
        self.summary.answers += 1
        return create_post(answerer, topic, body=body, created_at=moment, check_rate=False)

    def _escalate_if_overdue(self, topic: Topic, product: Product, words: dict[str, str]) -> None:
        """What the escalation job would have done by now, and what the support team did about it."""
        topic.refresh_from_db(fields=["answer_count"])
        space = topic.space
        escalated_at = None
        if topic.answer_count == 0 and topic.created_at <= self.now - timedelta(hours=space.unanswered_hours):
            escalated_at = topic.created_at + timedelta(hours=space.unanswered_hours)
            escalate_question(topic, reason="unanswered", now=escalated_at)
        if topic.created_at <= self.now - timedelta(hours=space.unsolved_hours):
            at = topic.created_at + timedelta(hours=space.unsolved_hours)
            escalate_question(topic, reason="unsolved", now=at)
            escalated_at = escalated_at or at
        if escalated_at is None:
            if topic.answer_count == 0:
                self.summary.waiting += 1
            return
        self.summary.escalated += 1
        if escalated_at > self.now - timedelta(days=4):
            # Recent escalations are still with the support team: every other one claimed by an agent.
            self.pending_escalations += 1
            if self.pending_escalations % 2 == 0:
                claim_question(self.rng.choice(self.agents), topic)
            return
        agent = self.rng.choice(self.agents)
        claim_question(agent, topic)
        body = self.rng.choice(OFFICIAL_ANSWERS).format(**words)
        create_post(agent, topic, body=body, created_at=self._time_after(escalated_at, 30, 60 * 8),
                    check_rate=False)
        self.summary.answers += 1
        resolve_question(agent, topic)

    # The private group ----------------------------------------------------------------------------

    def _insiders(self) -> None:
        insiders = self.spaces["insiders"]
        member_ids = set(insiders.memberships.values_list("user_id", flat=True))
        people = [u for u in self.members if u.pk in member_ids]
        for kind, title, body, reply in INSIDERS_TOPICS:
            created_at = self.now - timedelta(hours=self.rng.uniform(48, 24 * 20))
            author = self.rng.choice(people)
            topic = create_topic(author, insiders, kind=kind, title=title, body=body,
                                 created_at=created_at, check_rate=False)
            if kind == "question":
                self.summary.questions += 1
            # The company answers its insiders; the roadmap discussion is answered by a fellow member.
            replier = self.rng.choice(self.agents) if kind == "question" else self.rng.choice(
                [p for p in people if p.pk != author.pk])
            post = create_post(replier, topic, body=reply, created_at=self._time_after(created_at, 30, 60 * 24),
                               check_rate=False)
            self.summary.answers += 1
            if kind == "question":
                accept_solution(author, topic, post)
                self.summary.solved += 1
        self.progress(f"insiders: {len(INSIDERS_TOPICS)} topics")
