"""Load fictional demo data (idempotent: running it again changes nothing).

    python manage.py demo_data                      # load
    python manage.py demo_data --list-logins        # print the demo logins
    python manage.py demo_data --list-logins --format json

Later capabilities add their own demo content in `powershare/<app>/demo.py` with a `load()`
function; this command calls them in order.
"""

import json
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from powershare.accounts.models import Membership, Organisation, Share, User
from powershare.accounts.roles import Role

DEMO_PASSWORD = "powershare-demo"

# (email, full name, role, organisation name, job title)
DEMO_PEOPLE = [
    (
        "aileen.murray@fife.example",
        "Aileen Murray",
        Role.PARTICIPATION_LEAD,
        "Fife Council",
        "Participation and engagement officer",
    ),
    (
        "callum.reid@fife.example",
        "Callum Reid",
        Role.LEARNING_LEAD,
        "Fife Council",
        "Workforce development lead",
    ),
    (
        "fiona.grant@fife.example",
        "Fiona Grant",
        Role.LEADER,
        "Fife Council",
        "Chief social work officer",
    ),
    (
        "tariq.hussain@fife.example",
        "Tariq Hussain",
        Role.FACILITATOR,
        "Fife Council",
        "Senior practitioner",
    ),
    (
        "morag.stewart@fife.example",
        "Morag Stewart",
        Role.ADMINISTRATOR,
        "Fife Council",
        "Systems administrator",
    ),
    (
        "priya.nair@dundee.example",
        "Priya Nair",
        Role.PARTICIPATION_LEAD,
        "Dundee City Council",
        "Lived experience coordinator",
    ),
    (
        "euan.macleod@dundee.example",
        "Euan MacLeod",
        Role.LEARNING_LEAD,
        "Dundee City Council",
        "Learning and development adviser",
    ),
    (
        "jean.baxter@dundee.example",
        "Jean Baxter",
        Role.LEADER,
        "Dundee City Council",
        "Service manager",
    ),
    (
        "kofi.mensah@dundee.example",
        "Kofi Mensah",
        Role.FACILITATOR,
        "Dundee City Council",
        "Team leader",
    ),
    (
        "isla.fraser@dundee.example",
        "Isla Fraser",
        Role.ADMINISTRATOR,
        "Dundee City Council",
        "Systems administrator",
    ),
    (
        "ruth.campbell@improvement.example",
        "Ruth Campbell",
        Role.NATIONAL_COORDINATOR,
        "Improvement Service",
        "National programme coordinator",
    ),
    (
        "sam.docherty@rlp.example",
        "Sam Docherty",
        Role.FACILITATOR,
        "Resilience Learning Partnership",
        "Lived experience trainer",
    ),
]

# Fictional services; phone numbers are from Ofcom's ranges kept for drama and examples.
DEMO_SUPPORT_SERVICES = [
    (
        "Fife Council",
        "Kingdom Listening Line",
        "A trained volunteer listens and talks things through, with no judgement and no pressure to say more than you want.",
        "Anyone aged 16 or over in Fife",
        "0808 157 0101",
        "",
        "",
        "Every day, 24 hours",
        True,
    ),
    (
        "Fife Council",
        "Forth Carers Hub",
        "Advice, short breaks and a weekly peer group for unpaid carers.",
        "Unpaid carers of any age",
        "01632 960 101",
        "",
        "hello@forthcarers.example",
        "Monday to Friday, 9am to 5pm",
        False,
    ),
    (
        "Fife Council",
        "Second Step Advocacy",
        "An independent advocate can come with you to meetings and help you say what you want to say.",
        "Adults who use social work services",
        "01632 960 102",
        "",
        "",
        "Monday to Thursday, 10am to 4pm",
        False,
    ),
    (
        "Dundee City Council",
        "Tay Young People's Space",
        "Drop-in support, a hot meal and someone to talk to for young people.",
        "Young people aged 12 to 25",
        "01632 960 201",
        "07700 900 201",
        "",
        "Tuesday to Saturday, 3pm to 9pm",
        False,
    ),
    (
        "Dundee City Council",
        "Riverside Recovery Café",
        "Peer support for people in recovery from drug or alcohol use, run by people with lived experience.",
        "Adults in recovery and their families",
        "01632 960 202",
        "",
        "",
        "Wednesday and Friday, 11am to 3pm",
        False,
    ),
]

# (owner, service name, partner): a share so the sharing mechanism can be seen at work.
DEMO_SHARES = [("Fife Council", "Kingdom Listening Line", "Dundee City Council")]

# Each later capability adds a module here with a `load(stdout)` function.
# A module may also list demo logins of its own in LOGINS (dicts like those print_logins makes).
DEMO_MODULES: list[str] = [
    "powershare.people.demo",
    "powershare.engagement.demo",
    "powershare.accountability.demo",
    "powershare.payments.demo",
    "powershare.learning.demo",
    "powershare.evaluation.demo",
    "powershare.improvement.demo",
    "powershare.national.demo",
]


class Command(BaseCommand):
    help = "Load fictional demo data (safe to run again), or list the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--list-logins", action="store_true", help="Print the demo logins.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load demo data even with debug off (never on a live service: the demo "
            "accounts, administrators included, share a published password).",
        )

    def handle(self, *args, list_logins=False, format="text", force=False, **options):
        if list_logins:
            self.print_logins(format)
            return
        if not (settings.DEBUG or force):
            raise CommandError(
                "Demo data is for trying PowerShare out: its accounts share a published "
                "password. Debug is off, so this looks like a live service; nothing was loaded. "
                "Use --force if you are sure."
            )
        with transaction.atomic():
            created = self.load_people()
            created += self.load_support_services()
            for path in DEMO_MODULES:
                created += import_string(f"{path}.load")(stdout=self.stdout) or 0
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} new records)."))
        else:
            self.stdout.write("Demo data already loaded: nothing to change.")

    def load_people(self) -> int:
        created = 0
        for email, full_name, role, organisation_name, job_title in DEMO_PEOPLE:
            organisation = Organisation.objects.get(name=organisation_name)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, full_name=full_name
                )
                created += 1
            _, was_created = Membership.objects.get_or_create(
                user=user,
                organisation=organisation,
                ended_at=None,
                defaults={"role": role, "job_title": job_title},
            )
            created += was_created
        return created

    def load_support_services(self) -> int:
        from powershare.support.models import SupportService

        created = 0
        for (
            organisation_name,
            name,
            how,
            who,
            phone,
            text,
            email,
            hours,
            crisis,
        ) in DEMO_SUPPORT_SERVICES:
            organisation = Organisation.objects.get(name=organisation_name)
            _, was_created = SupportService.objects.get_or_create(
                organisation=organisation,
                name=name,
                defaults={
                    "how_they_help": how,
                    "who_it_is_for": who,
                    "phone": phone,
                    "text_number": text,
                    "email": email,
                    "opening_times": hours,
                    "is_crisis_support": crisis,
                },
            )
            created += was_created
        for owner_name, service_name, partner_name in DEMO_SHARES:
            owner = Organisation.objects.get(name=owner_name)
            service = SupportService.objects.get(organisation=owner, name=service_name)
            partner = Organisation.objects.get(name=partner_name)
            _, was_created = Share.objects.get_or_create(
                content_type=ContentType.objects.get_for_model(SupportService),
                object_id=service.pk,
                partner=partner,
                ended_at=None,
                defaults={"owner": owner},
            )
            created += was_created
        return created

    def print_logins(self, format: str) -> None:
        logins = [
            {
                "email": email,
                "password": DEMO_PASSWORD,
                "role": role.label,
                "organisation": organisation_name,
                "name": full_name,
            }
            for email, full_name, role, organisation_name, _ in DEMO_PEOPLE
        ]
        for path in DEMO_MODULES:
            module = import_module(path)
            logins.extend(getattr(module, "LOGINS", []))
        if format == "json":
            self.stdout.write(json.dumps(logins, indent=2))
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        width = max(len(login["email"]) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login['email']:<{width}}  {login['role']}, {login['organisation']}"
            )
        self.stdout.write(
            "\nAdministrators set up two-factor sign-in (an authenticator app) the first time "
            "they sign in.\n"
        )
