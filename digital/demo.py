"""A labelled, synthetic set of posts: for the demo, the tests' quality checks and the benchmark.

Each post is written from a category's phrases, placed one of four ways (coordinates inside its
neighbourhood, the source's place text, a place named in the text, or nowhere), sometimes misspelt,
with a tone. The truth (neighbourhood and category) is kept beside it so placing and topics can be
measured. Synthetic: no real person's words.
"""
from __future__ import annotations

import json
import random
from datetime import timedelta

from django.utils import timezone

PHRASES = {
    "off-road-bikes": ["off road bikes tearing round the field again", "scramblers on the cycle path", "quad bikes racing past the school",
                       "kids on motorbikes with no helmets on the playing field", "dirt bikes wheelying down the prom"],
    "fly-tipping": ["someone has dumped a mattress and a fridge", "fly tipping behind the shops again", "rubbish dumped in the back lane",
                    "bags of waste tipped by the recycling bins", "sofa dumped on the verge"],
    "speeding": ["cars speeding down the road every night", "boy racers doing 60 mph", "racing up and down past the primary school",
                 "someone will get killed with this speeding", "need speed cameras, cars far too fast"],
    "drugs": ["dealing drugs openly by the park", "smell of cannabis every evening", "needles left in the alley",
              "nitrous canisters all over the car park", "drug dealers hanging round the flats"],
    "noise": ["loud music until 3am again", "noisy party every weekend", "shouting and noise in the street all night",
              "dog barking non stop and loud music", "noise from the flat above is unbearable"],
    "graffiti": ["graffiti sprayed all over the underpass", "tagging on the new bus shelter", "spray painted the church wall",
                 "more graffiti on the shop shutters", "kids tagging the bridge again"],
}
POSITIVE = ["Thanks to the local police for sorting it quickly, brilliant work.", "Great to see officers at the meeting, really helpful.",
            "Really pleased with the response, well done.", ""]
NEGATIVE = ["Absolutely disgusting and nobody does anything.", "Fed up, the police never come.", "Terrible, it is getting worse and worse.", ""]
SITES = ["Facebook: Community noticeboard", "Facebook: Residents' group", "X", "Nextdoor", "Local forum"]


def _misspell(name: str, rng: random.Random) -> str:
    if len(name) < 6:
        return name
    position = rng.randrange(1, len(name) - 2)
    return name[:position] + name[position + 1] + name[position] + name[position + 2:]


def labelled_posts(count: int, neighbourhoods: list[dict], *, seed: int = 7, weeks: int = 10, now=None) -> list[dict]:
    """`neighbourhoods`: [{"name", "west", "south", "east", "north"}] (a bounding box inside each, in WGS84).
    Returns generic-format records, each with "truth_neighbourhood" and "truth_category"."""
    rng = random.Random(seed)
    now = now or timezone.now()
    categories = list(PHRASES)
    posts = []
    for number in range(count):
        category = categories[number % len(categories)] if rng.random() < 0.9 else rng.choice(categories)
        place = rng.choice(neighbourhoods)
        text = rng.choice(PHRASES[category])
        way = rng.random()
        record = {"post_id": f"demo-{seed}-{number}", "site": rng.choice(SITES), "author": f"resident{rng.randrange(count // 3 + 1)}",
                  "time": (now - timedelta(minutes=rng.randrange(weeks * 7 * 24 * 60))).isoformat(), "place": "",
                  "latitude": "", "longitude": "", "url": f"https://example.org/posts/{seed}/{number}"}
        truth = place["name"]
        if way < 0.3:
            record["longitude"] = round(rng.uniform(place["west"], place["east"]), 6)
            record["latitude"] = round(rng.uniform(place["south"], place["north"]), 6)
            body = text.capitalize() + "."
        elif way < 0.5:
            record["place"] = place["name"] if rng.random() < 0.8 else _misspell(place["name"], rng)
            body = text.capitalize() + "."
        elif way < 0.75:
            body = f"{text.capitalize()} in {place['name']}."
        else:
            truth = None
            body = text.capitalize() + "."
        mood = rng.random()
        body = f"{body} {rng.choice(POSITIVE) if mood < 0.3 else rng.choice(NEGATIVE) if mood < 0.7 else ''}".strip()
        record["text"] = body
        posts.append({**record, "truth_neighbourhood": truth, "truth_category": category})
    return posts


def as_generic_json(posts: list[dict]) -> bytes:
    return json.dumps([{key: value for key, value in post.items() if not key.startswith("truth_")} for post in posts]).encode()


def seed_demo_posts(*, neighbourhoods, officer, count: int = 600) -> int:
    """The demo's imported conversations: a labelled set for the demo force's neighbourhoods, imported and
    analysed through the same services as an upload (so the hot-topics pages have something to show).
    Idempotent: the posts' ids are fixed, so a second run adds nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from digital.models import ImportStatus
    from digital.services import (
        analyse_conversations, conversation_import_check, conversation_import_commit, conversation_import_start, importing_organisation,
    )

    if importing_organisation(officer) is None:
        return 0
    boxes = []
    for neighbourhood in neighbourhoods:
        inside = neighbourhood.boundary.point_on_surface
        boxes.append({"name": neighbourhood.name, "west": inside.x - 0.0004, "east": inside.x + 0.0004,
                      "south": inside.y - 0.0004, "north": inside.y + 0.0004})
    data = as_generic_json(labelled_posts(count, boxes, seed=2026))
    job = conversation_import_start(upload=SimpleUploadedFile("demo-conversations.json", data), file_format="generic",
                                    lawful_basis="law_enforcement", purpose="Demo: understanding local concerns before PACT meetings",
                                    acting_user=officer, queue_check=False)
    job = conversation_import_check(job_id=job.pk)
    if job.status != ImportStatus.CHECKED:
        return 0
    type(job).objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    job = conversation_import_commit(job_id=job.pk)
    analyse_conversations(organisation_id=job.organisation_id)
    return job.created_count
