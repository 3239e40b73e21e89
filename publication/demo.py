"""Demo public profiles: the demo constable and inspector chose to be named on the public pages,
so a neighbourhood page and the API's people endpoints show a team. Safe to run again."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from publication.models import PublicProfile
from publication.services import public_profile_save


@dataclass(frozen=True)
class DemoProfile:
    username: str  # a crm.demo.DEMO_LOGINS username
    display_name: str
    rank: str
    bio: str


DEMO_PROFILES = (
    DemoProfile("officer", "PC Priya Shah", "Police Constable",
                "Your beat officer for the neighbourhood. Come and talk to me at a beat meeting or a street surgery."),
    DemoProfile("manager", "Inspector Alex Morgan", "Inspector",
                "I lead neighbourhood policing across the force and read what each area's meetings ask of us."),
)


def seed_public_profiles() -> int:
    """Publish each demo officer's profile through the service (audited, as the officer's own choice);
    a profile already as it should be is left alone, so seeding again writes nothing."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=[p.username for p in DEMO_PROFILES])}
    current = {profile.user_id: profile for profile in PublicProfile.objects.filter(user__in=users.values())}
    published = 0
    for demo in DEMO_PROFILES:
        user = users.get(demo.username)
        if user is None:  # seed_people has not run: no one to name
            continue
        profile = current.get(user.pk)
        wanted = (demo.display_name, demo.rank, demo.bio, True)
        if profile is None or (profile.display_name, profile.rank, profile.bio, profile.published) != wanted:
            public_profile_save(acting_user=user, display_name=demo.display_name, rank=demo.rank, bio=demo.bio, published=True)
        published += 1
    return published
