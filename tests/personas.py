"""The shared test personas, used by every test layer (unit, isolation, browser, contract).

* alice   – participation lead, council A
* bob     – facilitator, council A (same organisation, weaker role)
* charlie – participation lead, council B (another organisation: sees nothing of A's)
* nina    – national coordinator (aggregates only)
* admin   – administrator, council A (two-factor sign-in required)
* dora    – administrator, council B (another organisation's administrator: still sees nothing)
* rhona   – council A's survey respondent: drafts and sends council A's national survey return
* erin    – an expert by experience on council A's register, with her own portal login and no
            staff role: she sees her own record and nothing else

Council A's private records carry MARKER in their text, so a test can prove none of it leaks.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django_otp.plugins.otp_totp.models import TOTPDevice

from powershare.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationKind,
    Share,
    User,
)
from powershare.accounts.roles import Role

if TYPE_CHECKING:
    from powershare.people.models import Person

PASSWORD = "correct-horse-battery-staple"
MARKER = "zq-council-a-private"


@dataclass
class Personas:
    council_a: Organisation
    council_b: Organisation
    national: Organisation
    alice: User
    bob: User
    charlie: User
    nina: User
    admin: User
    admin_device: TOTPDevice
    dora: User
    erin: User
    erin_person: "Person"
    rhona: User
    samples: dict = field(default_factory=dict)

    def by_name(self, name: str) -> User | None:
        return getattr(self, name) if name else None


def _org(name: str, kind: str) -> Organisation:
    from django.utils.text import slugify

    organisation, _ = Organisation.objects.get_or_create(
        slug=slugify(name), defaults={"name": name, "kind": kind}
    )
    return organisation


def _user(email: str, full_name: str, organisation: Organisation, role: str) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=PASSWORD, full_name=full_name
    )
    Membership.objects.get_or_create(
        user=user, organisation=organisation, ended_at=None, defaults={"role": role}
    )
    return user


def _expert_by_experience(organisation: Organisation):
    """Erin: on council A's register, signed up to her portal, agreed to be contacted."""
    import datetime

    from powershare.people.models import (
        ConsentDecision,
        ConsentMethod,
        ConsentPurpose,
        ConsentRecord,
        Person,
    )
    from powershare.privacy.selectors import consent_statement_current

    user = User.objects.filter(email="erin@people.example").first() or User.objects.create_user(
        email="erin@people.example", password=PASSWORD, full_name="Erin Edwards"
    )
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            organisation=organisation,
            full_name="Erin Edwards",
            preferred_name="Erin",
            email="erin@people.example",
            phone="07700 900 555",
            date_of_birth=datetime.date(1990, 5, 17),
            age_band="26_64",
            user=user,
            support_contact_name="Shona Gray",
            support_contact_role="Support worker, Circle Community Project",
            support_contact_phone="01632 960 555",
        )
        for purpose in (ConsentPurpose.CONTACT, ConsentPurpose.TAKE_PART):
            ConsentRecord.objects.create(
                person=person,
                purpose=purpose,
                statement=consent_statement_current(
                    organisation_id=organisation.pk, purpose=purpose
                ),
                decision=ConsentDecision.GIVEN,
                method=ConsentMethod.ONLINE,
                recorded_by=user,
            )
    return user, person


def make_personas() -> Personas:
    from powershare.engagement.default_ladders import default_ladders_install
    from powershare.improvement.default_frameworks import default_frameworks_install
    from powershare.privacy.default_statements import default_statements_install

    # Browser and contract tests empty the database between tests, taking the migration's
    # default consent wording and ladders of participation with them.
    default_statements_install()
    default_ladders_install()
    default_frameworks_install()
    council_a = _org("Aberdeen City Council", OrganisationKind.LOCAL_AUTHORITY)
    council_b = _org("Angus Council", OrganisationKind.LOCAL_AUTHORITY)
    national = _org("Improvement Service", OrganisationKind.NATIONAL_BODY)
    admin = _user(f"admin.{MARKER}@a.example", "Ada Admin", council_a, Role.ADMINISTRATOR)
    device, _ = TOTPDevice.objects.get_or_create(
        user=admin, name="Authenticator app", defaults={"confirmed": True}
    )
    dora = _user("dora@b.example", "Dora Duncan", council_b, Role.ADMINISTRATOR)
    TOTPDevice.objects.get_or_create(
        user=dora, name="Authenticator app", defaults={"confirmed": True}
    )
    erin, erin_person = _expert_by_experience(council_a)
    return Personas(
        erin=erin,
        erin_person=erin_person,
        council_a=council_a,
        council_b=council_b,
        national=national,
        alice=_user(
            f"alice.{MARKER}@a.example", "Alice Anderson", council_a, Role.PARTICIPATION_LEAD
        ),
        bob=_user(f"bob.{MARKER}@a.example", "Bob Brown", council_a, Role.FACILITATOR),
        charlie=_user("charlie@b.example", "Charlie Campbell", council_b, Role.PARTICIPATION_LEAD),
        nina=_user("nina@national.example", "Nina Ness", national, Role.NATIONAL_COORDINATOR),
        admin=admin,
        admin_device=device,
        dora=dora,
        rhona=_user("rhona@a.example", "Rhona Reid", council_a, Role.SURVEY_RESPONDENT),
    )


def make_council_a_samples(personas: Personas) -> dict:
    """One of each kind of council A record, for the isolation walk (see tests/isolation.py)."""
    from powershare.support.models import SupportService

    a = personas.council_a
    service, _ = SupportService.objects.get_or_create(
        organisation=a,
        name=f"Service {MARKER}",
        defaults={"how_they_help": f"Helps {MARKER}", "phone": "01632 960 001"},
    )
    token = ApiToken.objects.filter(user=personas.alice, name=f"Token {MARKER}").first()
    if token is None:
        from powershare.accounts.services import api_token_create

        token, _ = api_token_create(user=personas.alice, name=f"Token {MARKER}")
    partner = _org("Resilience Learning Partnership", OrganisationKind.LIVED_EXPERIENCE_LED)
    share, _ = Share.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(SupportService),
        object_id=service.pk,
        partner=partner,
        ended_at=None,
        defaults={"owner": a, "shared_by": personas.alice},
    )
    # A live worker, so /healthz answers 200 during the walk.
    from django.utils import timezone

    from powershare.system.services import worker_heartbeat_record

    worker_heartbeat_record(worker_id="test-worker", hostname="test", started_at=timezone.now())
    bob_membership = Membership.objects.get(user=personas.bob, organisation=a, ended_at=None)
    people_samples = _council_a_people_samples(personas)
    engagement_samples = _council_a_engagement_samples(personas, people_samples["person"])
    accountability_samples = _council_a_accountability_samples(personas, engagement_samples)
    payment_samples = _council_a_payment_samples(personas, people_samples, engagement_samples)
    learning_samples = _council_a_learning_samples(personas, people_samples, engagement_samples)
    evaluation_samples = _council_a_evaluation_samples(personas, learning_samples)
    improvement_samples = _council_a_improvement_samples(
        personas, people_samples, engagement_samples, accountability_samples, evaluation_samples
    )
    national_samples = _national_samples(personas)
    parts = [
        national_samples,
        people_samples,
        engagement_samples,
        accountability_samples,
        payment_samples,
        learning_samples,
        evaluation_samples,
        improvement_samples,
    ]
    seen: set[str] = set()
    for part in parts:
        # One app's sample must never silently replace another's of the same name.
        assert not seen & part.keys(), f"Sample names used twice: {sorted(seen & part.keys())}"
        seen |= part.keys()
    personas.samples = {
        **people_samples,
        **engagement_samples,
        **accountability_samples,
        **payment_samples,
        **learning_samples,
        **evaluation_samples,
        **improvement_samples,
        **national_samples,
        "organisation": a,
        "membership": bob_membership,
        "support_service": service,
        "share": share,
        "api_token": token,
    }
    return personas.samples


def _council_a_people_samples(personas: Personas) -> dict:
    """A person on council A's register (not erin), with a tag, a consent decision, a subject
    access request and an erasure request: every kind of people record, carrying MARKER."""
    import datetime

    from powershare.people.models import (
        ConsentDecision,
        ConsentMethod,
        ConsentRecord,
        LivedExperienceArea,
        Person,
    )
    from powershare.privacy.models import ErasureRequest, SubjectAccessRequest
    from powershare.privacy.selectors import consent_statement_current

    a = personas.council_a
    area, _ = LivedExperienceArea.objects.get_or_create(organisation=a, name=f"Area {MARKER}")
    person = Person.objects.filter(organisation=a, full_name=f"Person {MARKER}").first()
    if person is None:
        person = Person.objects.create(
            organisation=a,
            full_name=f"Person {MARKER}",
            email=f"person.{MARKER}@a.example",
            phone="01632 960 777",
            age_band="26_64",
            access_needs=f"Needs {MARKER}",
            created_by=personas.alice,
        )
        person.areas.add(area)
        ConsentRecord.objects.create(
            person=person,
            purpose="contact",
            statement=consent_statement_current(organisation_id=a.pk, purpose="contact"),
            decision=ConsentDecision.GIVEN,
            method=ConsentMethod.WRITTEN,
            recorded_by=personas.alice,
            note=f"Form {MARKER}",
        )
    today = datetime.date.today()
    subject_access, _ = SubjectAccessRequest.objects.get_or_create(
        person=person,
        defaults={
            "organisation": a,
            "received_on": today,
            "due_on": today + datetime.timedelta(days=30),
            "how_received": f"Letter {MARKER}",
            "logged_by": personas.alice,
        },
    )
    erasure, _ = ErasureRequest.objects.get_or_create(
        person=person,
        defaults={"organisation": a, "reason": f"Asked {MARKER}", "requested_by": personas.alice},
    )
    return {
        "area": area,
        "person": person,
        "subject_access_request": subject_access,
        "erasure_request": erasure,
    }


def _council_a_engagement_samples(personas: Personas, person) -> dict:
    """An activity of council A's (carrying MARKER) with a question, the sample person's
    invitation and a contribution from an anonymous group; and erin's own invitation and contribution, to an
    activity without MARKER (her own pages must show her own things, and nothing of others')."""
    import datetime

    from powershare.engagement.models import (
        Activity,
        ActivityKind,
        ActivityQuestion,
        ActivitySetting,
        Contribution,
        ContributionKind,
        Invitation,
        InvitationStatus,
        Ladder,
        LadderRung,
        UseLevel,
    )

    a = personas.council_a
    ladder = Ladder.objects.get(organisation=None, slug="arnstein")
    rung = ladder.rungs.get(position=4)
    today = datetime.date.today()

    def activity(title, **extra):
        found = Activity.objects.filter(organisation=a, title=title).first()
        return found or Activity.objects.create(
            organisation=a,
            title=title,
            purpose=f"Purpose of {title}",
            kind=ActivityKind.FOCUS_GROUP,
            starts_on=today - datetime.timedelta(days=7),
            ends_on=today - datetime.timedelta(days=7),
            setting=ActivitySetting.COMMUNITY,
            feedback_due_on=today + datetime.timedelta(days=21),
            ladder=ladder,
            rung=rung,
            created_by=personas.alice,
            **extra,
        )

    marked = activity(f"Activity {MARKER}", content_notes=f"Notes {MARKER}")
    question, _ = ActivityQuestion.objects.get_or_create(
        activity=marked, text=f"Question {MARKER}?"
    )
    invitation, _ = Invitation.objects.get_or_create(
        activity=marked,
        person=person,
        defaults={
            "status": InvitationStatus.ACCEPTED,
            "invited_by": personas.alice,
            "access_arrangements": f"Access {MARKER}",
            "wellbeing_note": f"Wellbeing {MARKER}",
        },
    )
    # From an anonymous group, so it shows inside council A whatever anyone's consent.
    contribution = Contribution.objects.filter(activity=marked, person=None).first()
    if contribution is None:
        contribution = Contribution.objects.create(
            organisation=a,
            activity=marked,
            question=question,
            group_label=f"Group {MARKER}",
            group_consent_held_by="Partner youth project",
            kind=ContributionKind.VIEW,
            text=f"Said {MARKER}",
            use_level=UseLevel.INTERNAL,
            created_by=personas.alice,
        )
    erins_activity = activity("Erin's co-design workshop")
    erin_invitation, _ = Invitation.objects.get_or_create(
        activity=erins_activity,
        person=personas.erin_person,
        defaults={"status": InvitationStatus.ACCEPTED, "invited_by": personas.alice},
    )
    erin_contribution = Contribution.objects.filter(
        activity=erins_activity, person=personas.erin_person
    ).first() or Contribution.objects.create(
        organisation=a,
        activity=erins_activity,
        person=personas.erin_person,
        kind=ContributionKind.IDEA,
        text="Erin's idea: meet in the library, not the council office.",
        use_level=UseLevel.INTERNAL,
        created_by=personas.alice,
    )
    # Council A's own ladder of participation (not used by any activity).
    own_ladder, created = Ladder.objects.get_or_create(
        organisation=a,
        slug=f"ladder-{MARKER}",
        defaults={"name": f"Ladder {MARKER}", "description": f"Why {MARKER}"},
    )
    if created:
        for position, rung_name in enumerate(("Told", "Asked", "Deciding together"), start=1):
            LadderRung.objects.create(
                ladder=own_ladder,
                position=position,
                name=f"{rung_name} {MARKER}",
                plain_words=f"{rung_name} {MARKER}",
            )
    return {
        "activity": marked,
        "question": question,
        "invitation": invitation,
        "contribution": contribution,
        "erin_invitation": erin_invitation,
        "erin_contribution": erin_contribution,
        "ladder": own_ladder,
    }


def verify_two_factor(client, user: User) -> None:
    """Mark a test client's session as having passed two-factor sign-in (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(client, user: User | None) -> None:
    if user is None:
        return
    client.force_login(user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        verify_two_factor(client, user)


def _council_a_accountability_samples(personas: Personas, engagement: dict) -> dict:
    """A response (carrying MARKER) to the group contribution of council A's sample activity,
    with an evidence file and a progress note; the activity's letter, sent (to the sample
    person, and shared with the group's partner); the same for erin's activity, so her portal
    has a letter; and council A's public page, published."""
    from django.core.files.base import ContentFile

    from powershare.accountability.models import (
        Decision,
        Delivery,
        EvidenceFile,
        FeedbackLetter,
        PublicPage,
        Response,
        ResponseContribution,
        ResponseProgress,
    )
    from powershare.accountability.services import letter_draft_start, letter_send

    a = personas.council_a

    def response_to(contribution, words):
        found = Response.objects.filter(activity=contribution.activity).first()
        if found:
            return found
        response = Response.objects.create(
            organisation=a,
            activity=contribution.activity,
            decision=Decision.WILL_DO,
            what_will_change=words,
            owner=personas.alice,
            created_by=personas.alice,
        )
        ResponseContribution.objects.create(response=response, contribution=contribution)
        return response

    def sent_letter(activity):
        found = FeedbackLetter.objects.filter(activity=activity, status="sent").first()
        if found:
            return found
        letter = letter_draft_start(actor=personas.alice, activity=activity)
        letter_send(actor=personas.alice, letter=letter)
        return FeedbackLetter.objects.get(pk=letter.pk)

    response = response_to(engagement["contribution"], f"We will change {MARKER}")
    if not response.progress.exists():
        ResponseProgress.objects.create(
            response=response, text=f"Progress {MARKER}", written_by=personas.alice
        )
    evidence = response.files.first()
    if evidence is None:
        evidence = EvidenceFile(
            response=response,
            key=f"evidence-{response.pk}",
            original_name=f"Evidence {MARKER}.txt",
            content_type="text/plain",
            size=len(MARKER),
            uploaded_by=personas.alice,
        )
        evidence.file.save(evidence.key, ContentFile(MARKER.encode()), save=False)
        evidence.save()
    letter = sent_letter(engagement["activity"])
    erin_response = response_to(
        engagement["erin_contribution"], "We will meet in the library from now on."
    )
    erin_letter = sent_letter(engagement["erin_contribution"].activity)
    public_page, _ = PublicPage.objects.get_or_create(
        organisation=a, defaults={"is_published": True, "introduction": "What we changed."}
    )
    return {
        "response": response,
        "evidence_file": evidence,
        "letter": letter,
        "recipient": letter.recipients.filter(person__isnull=False).first(),
        "group_recipient": letter.recipients.get(delivery=Delivery.PARTNER),
        "erin_response": erin_response,
        "erin_letter": erin_letter,
        "public_page": public_page,
    }


def _council_a_payment_samples(personas: Personas, people: dict, engagement: dict) -> dict:
    """Council A's rate card; a payment owed to the sample person and an expense claim of
    theirs (sent, with a receipt), carrying MARKER; and erin's own payment and a claim she
    started in her portal and has not sent yet, with a receipt (no MARKER)."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from powershare.payments.models import (
        ClaimStatus,
        ExpenseClaim,
        ExpenseLine,
        Payment,
        PaymentKind,
        PaymentMethod,
        RateCard,
        Receipt,
    )

    a = personas.council_a
    card, _ = RateCard.objects.get_or_create(
        organisation=a,
        effective_from=datetime.date(2020, 1, 1),
        defaults={
            "hourly_rate": Decimal("20.00"),
            "half_day_rate": Decimal("75.00"),
            "full_day_rate": Decimal("140.00"),
            "notes": f"Rates {MARKER}",
            "created_by": personas.admin,
        },
    )

    def payment(person, description, created_by):
        found = Payment.objects.filter(person=person, description=description).first()
        return found or Payment.objects.create(
            organisation=a,
            person=person,
            kind=PaymentKind.TASK,
            description=description,
            worked_on=datetime.date.today() - datetime.timedelta(days=3),
            quantity=Decimal("2"),
            rate_card=card,
            rate=card.hourly_rate,
            amount=Decimal("40.00"),
            method=PaymentMethod.BANK_TRANSFER,
            created_by=created_by,
        )

    def claim(person, note, status, created_by, receipt_name, receipt_bytes):
        found = ExpenseClaim.objects.filter(person=person, note=note).first()
        if found:
            return found
        made = ExpenseClaim.objects.create(
            organisation=a,
            person=person,
            activity=engagement["activity"] if person == people["person"] else None,
            status=status,
            note=note,
            created_by=created_by,
        )
        line = ExpenseLine.objects.create(
            claim=made,
            kind="taxi",
            incurred_on=datetime.date.today() - datetime.timedelta(days=3),
            description=f"{note} taxi",
            amount=Decimal("12.40"),
        )
        receipt = Receipt(
            line=line,
            key=f"receipt-{made.pk}",
            original_name=receipt_name,
            content_type="image/png",
            size=len(receipt_bytes),
            uploaded_by=created_by,
        )
        receipt.file.save(receipt.key, ContentFile(receipt_bytes), save=False)
        receipt.save()
        return made

    png = b"\x89PNG\r\n\x1a\n" + MARKER.encode()
    sample_claim = claim(
        people["person"],
        f"Claim {MARKER}",
        ClaimStatus.SUBMITTED,
        personas.alice,
        f"Receipt {MARKER}.png",
        png,
    )
    erin_claim = claim(
        personas.erin_person,
        "Bus to the library",
        ClaimStatus.DRAFT,
        personas.erin,
        "bus-ticket.png",
        b"\x89PNG\r\n\x1a\nbus ticket",
    )
    sample_line = sample_claim.lines.first()
    erin_line = erin_claim.lines.first()
    return {
        "rate_card": card,
        "payment": payment(people["person"], f"Task {MARKER}", personas.alice),
        "erin_payment": payment(personas.erin_person, "Reading the new leaflet", personas.alice),
        "claim": sample_claim,
        "claim_line": sample_line,
        "receipt": sample_line.receipts.first(),
        "erin_claim": erin_claim,
        "erin_claim_line": erin_line,
        "erin_receipt": erin_line.receipts.first(),
    }


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII), small enough to build by hand."""
    words = text.replace("\\", "").replace("(", "").replace(")", "").encode("latin-1")
    stream = b"BT /F1 12 Tf 72 720 Td (" + words + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def _council_a_learning_samples(personas: Personas, people: dict, engagement: dict) -> dict:
    """Council A's learning: a product (carrying MARKER) with a version, an outcome and a
    material quoting the sample contribution; a delivery at council A with a session, bob on
    the team, the sample person commissioned from the trainer pool with a support plan, and a
    learner booked and marked present. And a second product without MARKER that erin
    co-delivers (her portal shows it), whose material quotes her own contribution; its public
    booking link and one learner's own booking link are the public pages."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from powershare.learning.models import (
        Attendance,
        Booking,
        BookingSource,
        BookingStatus,
        Commission,
        CommissionSupport,
        Delivery,
        DeliverySession,
        Facilitator,
        Learner,
        LearningOutcome,
        LearningProduct,
        Material,
        MaterialKind,
        MaterialQuote,
        ProductStatus,
        ProductVersion,
        SessionMode,
        SupportStage,
        Trainer,
    )

    a = personas.council_a
    soon = datetime.date.today() + datetime.timedelta(days=10)

    def product(title, slug):
        found = LearningProduct.objects.filter(organisation=a, slug=slug).first()
        if found:
            return found, found.versions.get(number=1)
        made = LearningProduct.objects.create(
            organisation=a,
            slug=slug,
            title=title,
            aims=f"Aims of {title}",
            audience="Social workers",
            sessions_planned=2,
            session_minutes=180,
            interval_min_weeks=2,
            interval_max_weeks=4,
            status=ProductStatus.PUBLISHED,
            owner=personas.alice,
            created_by=personas.alice,
        )
        version = ProductVersion.objects.create(product=made, number=1, created_by=personas.alice)
        LearningOutcome.objects.create(version=version, position=1, text=f"Outcome of {title}")
        return made, version

    def material(version, title, contribution):
        found = version.materials.filter(title=title).first()
        if found:
            return found
        made = Material(
            version=version,
            title=title,
            kind=MaterialKind.HANDOUT,
            original_name=f"{title}.pdf",
            content_type="application/pdf",
            size=20,
            uploaded_by=personas.alice,
        )
        # A real (tiny) PDF, so tests that read downloads as PDFs can read it.
        made.file.save(made.key, ContentFile(_tiny_pdf(title)), save=False)
        made.save()
        MaterialQuote.objects.create(material=made, contribution=contribution)
        return made

    def delivery(the_product, version, cohort):
        found = Delivery.objects.filter(product=the_product, cohort=cohort).first()
        if found:
            return found, found.sessions.get(number=1)
        made = Delivery.objects.create(
            organisation=a,
            product=the_product,
            version=version,
            site=a,
            cohort=cohort,
            capacity=12,
            created_by=personas.alice,
        )
        session = DeliverySession.objects.create(
            delivery=made,
            number=1,
            date=soon,
            starts_at=datetime.time(9, 30),
            ends_at=datetime.time(12, 30),
            mode=SessionMode.IN_PERSON,
            venue="Council A offices",
        )
        return made, session

    def booking(the_delivery, name, email):
        found = the_delivery.bookings.filter(learner__email=email).first()
        if found:
            return found
        learner = Learner.objects.create(
            organisation=a, name=name, email=email, job_role="Social worker", team="Team A"
        )
        return Booking.objects.create(
            delivery=the_delivery,
            learner=learner,
            status=BookingStatus.BOOKED,
            source=BookingSource.STAFF,
        )

    sample_product, sample_version = product(f"Course {MARKER}", "course-a")
    sample_material = material(sample_version, f"Handout {MARKER}", engagement["contribution"])
    sample_delivery, sample_session = delivery(sample_product, sample_version, f"Cohort {MARKER}")
    bob_on_team, _ = Facilitator.objects.get_or_create(
        delivery=sample_delivery,
        user=personas.bob,
        defaults={"professional": True, "is_lead": True},
    )
    trainer, _ = Trainer.objects.get_or_create(
        organisation=a,
        person=people["person"],
        defaults={"topics": f"Topics {MARKER}", "created_by": personas.alice},
    )
    trainer_on_team, _ = Facilitator.objects.get_or_create(
        delivery=sample_delivery, person=people["person"], defaults={"lived": True}
    )
    commission = Commission.objects.filter(delivery=sample_delivery, trainer=trainer).first()
    if commission is None:
        commission = Commission.objects.create(
            delivery=sample_delivery,
            trainer=trainer,
            facilitator=trainer_on_team,
            hours=Decimal("6"),
            preparation_hours=Decimal("2"),
            created_by=personas.alice,
        )
        for stage in SupportStage.values:
            CommissionSupport.objects.create(
                commission=commission,
                stage=stage,
                plan=f"Support {MARKER}",
                support_person=personas.alice,
                planned_on=soon,
            )
    sample_booking = booking(sample_delivery, f"Learner {MARKER}", "learner@a.example")
    attendance, _ = Attendance.objects.get_or_create(
        session=sample_session,
        booking=sample_booking,
        defaults={"attended": True, "recorded_by": personas.bob},
    )

    # Erin's own: a course she co-delivers (no MARKER), whose handout quotes her words.
    erin_product, erin_version = product("Listening well", "listening-well")
    erin_material = material(
        erin_version, "Listening well handout", engagement["erin_contribution"]
    )
    erin_delivery, _ = delivery(erin_product, erin_version, "Spring cohort")
    erin_facilitator, _ = Facilitator.objects.get_or_create(
        delivery=erin_delivery, person=personas.erin_person, defaults={"lived": True}
    )
    public_booking = booking(erin_delivery, "Sam Learner", "sam.learner@example.org")
    return {
        "product": sample_product,
        "version": sample_version,
        "material": sample_material,
        "delivery": sample_delivery,
        "session": sample_session,
        "facilitator": bob_on_team,
        "trainer": trainer,
        "commission": commission,
        "support": commission.support.get(stage=SupportStage.BEFORE),
        "booking": sample_booking,
        "attendance": attendance,
        "erin_product": erin_product,
        "erin_material": erin_material,
        "erin_delivery": erin_delivery,
        "erin_facilitator": erin_facilitator,
        "public_booking": public_booking,
    }


def _council_a_evaluation_samples(personas: Personas, learning: dict) -> dict:
    """Council A's evaluation: a questionnaire (carrying MARKER) on the sample product, with a
    section, a Likert question tied to the sample outcome, a quotable free-text question, an
    answer link on the sample session with a paper code, one anonymous response (its words
    carry MARKER), an import, and the product's summary of learning. And a questionnaire
    without MARKER on erin's course, whose answer link is the public answer page."""
    import datetime

    from powershare.evaluation.models import (
        Answer,
        AnswerLink,
        ImportBatch,
        LearningSummary,
        PaperCode,
        Question,
        Questionnaire,
        QuestionnaireKind,
        QuestionnaireResponse,
        QuestionPurpose,
        QuestionType,
        ResponseSource,
        Section,
        SummaryStatus,
        TextAnswer,
    )

    a = personas.council_a
    today = datetime.date.today()
    product = learning["product"]
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="a-sample-pre",
        defaults={
            "organisation": a,
            "title": f"Before {MARKER}",
            "kind": QuestionnaireKind.PRE,
            "product": product,
            "intro": f"Intro {MARKER}",
            "created_by": personas.alice,
        },
    )
    section, _ = Section.objects.get_or_create(
        questionnaire=questionnaire, position=1, defaults={"title": f"Section {MARKER}"}
    )
    outcome = learning["version"].outcomes.first()
    question, _ = Question.objects.get_or_create(
        questionnaire=questionnaire,
        code="ilo-1",
        defaults={
            "section": section,
            "position": 1,
            "text": f"Outcome statement {MARKER}",
            "type": QuestionType.LIKERT,
            "purpose": QuestionPurpose.OUTCOME,
            "outcome": outcome,
        },
    )
    words, _ = Question.objects.get_or_create(
        questionnaire=questionnaire,
        code="will-do-next",
        defaults={
            "section": section,
            "position": 2,
            "text": f"What next {MARKER}",
            "type": QuestionType.TEXT,
            "purpose": QuestionPurpose.NEXT_STEPS,
            "quotable": True,
        },
    )
    link, _ = AnswerLink.objects.get_or_create(
        questionnaire=questionnaire,
        session=learning["session"],
        defaults={
            "delivery": learning["delivery"],
            "opens_on": today - datetime.timedelta(days=5),
            "closes_on": today + datetime.timedelta(days=20),
        },
    )
    PaperCode.objects.get_or_create(link=link, code="SAMPLE23")
    batch, _ = ImportBatch.objects.get_or_create(
        questionnaire=questionnaire,
        file_name=f"answers-{MARKER}.csv",
        defaults={"rows": 1, "imported_by": personas.alice},
    )
    if not questionnaire.responses.exists():
        response = QuestionnaireResponse.objects.create(
            questionnaire=questionnaire,
            link=link,
            delivery=learning["delivery"],
            session=learning["session"],
            site=a,
            submitted_on=today,
        )
        Answer.objects.create(response=response, question=question, value=4)
        TextAnswer.objects.create(response=response, question=words, text=f"I will {MARKER}")
        imported = QuestionnaireResponse.objects.create(
            questionnaire=questionnaire,
            site=a,
            submitted_on=today,
            source=ResponseSource.IMPORT,
            import_batch=batch,
        )
        Answer.objects.create(response=imported, question=question, value=2)
        # Counted into the results' tallies, as the services do when they store answers.
        from powershare.evaluation.tallies import tallies_rebuild

        tallies_rebuild(questionnaire_ids=[questionnaire.pk])
    summary, _ = LearningSummary.objects.get_or_create(
        product=product,
        defaults={"background": f"Background {MARKER}", "status": SummaryStatus.NOT_MADE},
    )
    # Erin's course: a questionnaire without MARKER, whose link is the public answer page.
    erin_questionnaire, _ = Questionnaire.objects.get_or_create(
        code="listening-well-post",
        defaults={
            "organisation": a,
            "title": "Listening well: after the course",
            "kind": QuestionnaireKind.POST,
            "product": learning["erin_product"],
            "created_by": personas.alice,
        },
    )
    Question.objects.get_or_create(
        questionnaire=erin_questionnaire,
        code="useful",
        defaults={
            "position": 1,
            "text": "I found the course useful.",
            "type": QuestionType.LIKERT,
            "purpose": QuestionPurpose.REACTION,
        },
    )
    erin_session = learning["erin_delivery"].sessions.order_by("number").first()
    public_link, _ = AnswerLink.objects.get_or_create(
        questionnaire=erin_questionnaire,
        session=erin_session,
        defaults={
            "delivery": learning["erin_delivery"],
            "opens_on": today - datetime.timedelta(days=5),
            "closes_on": today + datetime.timedelta(days=20),
        },
    )
    return {
        "questionnaire": questionnaire,
        "section": section,
        "likert_question": question,
        "text_question": words,
        "answer_link": link,
        "import_batch": batch,
        "summary": summary,
        "public_answer_link": public_link,
    }


def _council_a_improvement_samples(
    personas: Personas, people: dict, engagement: dict, accountability: dict, evaluation: dict
) -> dict:
    """Council A's improvement work, each record carrying MARKER: its own version of the Roadmap
    (v2, a driver renamed), a self-assessment made with it (a rating marked as a priority, a
    participant from the register), an action plan with an action from that priority and an
    update, actions from a response and from learners' intentions, a walkthrough (a site, a
    paid expert by experience on the team, an observation that became an action), and a
    partnership group (a partner member, two meetings with attendance, an agenda item, a
    partner update, a decision and an action raised at the first)."""
    import datetime

    from powershare.improvement import services as improvement_services
    from powershare.improvement.models import (
        ActionPlan,
        ActionSource,
        ActionUpdate,
        AgendaItem,
        AssessmentParticipant,
        AttendanceStatus,
        Decision,
        DriverRating,
        Framework,
        GroupMember,
        Meeting,
        MeetingAttendance,
        MeetingFormat,
        Observation,
        ObservationKind,
        ParticipantKind,
        PartnershipGroup,
        PartnerUpdate,
        SelfAssessment,
        TeamRole,
        Walkthrough,
        WalkthroughSite,
        WalkthroughTeamMember,
    )
    from powershare.improvement.selectors import version_current

    a = personas.council_a
    today = datetime.date.today()
    roadmap = Framework.objects.get(key="roadmap")
    version = version_current(framework=roadmap, organisation_id=a.pk)
    if version.organisation_id != a.pk:
        default = version
        version = improvement_services.framework_version_publish(
            actor=personas.admin,
            framework=roadmap,
            organisation=a,
            stages=[
                {"key": s.key, "name": s.name, "description": s.description}
                for s in default.stages.all()
            ],
            drivers=[
                {
                    "key": d.key,
                    "name": f"Budget {MARKER}" if d.key == "budget" else d.name,
                    "description": d.description,
                    "stage_key": d.stage.key,
                }
                for d in default.drivers.select_related("stage")
            ],
            principles=[
                {"key": p.key, "name": p.name, "description": p.description}
                for p in default.principles.all()
            ],
            change_note=f"Renamed budget {MARKER}",
        )
    assessment, _ = SelfAssessment.objects.get_or_create(
        organisation=a,
        period=f"2026/27 {MARKER}",
        defaults={
            "version": version,
            "assessed_on": today - datetime.timedelta(days=30),
            "summary": f"Summary {MARKER}",
            "created_by": personas.alice,
        },
    )
    drivers = list(version.drivers.order_by("stage__order", "order"))
    for number, driver in enumerate(drivers):
        DriverRating.objects.get_or_create(
            assessment=assessment,
            driver=driver,
            defaults={
                "rating": number % 5,
                "evidence": f"Evidence {MARKER}",
                "is_priority": driver.key == "power-sharing",
                "priority_note": f"Why {MARKER}" if driver.key == "power-sharing" else "",
            },
        )
    priority = assessment.ratings.get(driver__key="power-sharing")
    participant, _ = AssessmentParticipant.objects.get_or_create(
        assessment=assessment,
        kind=ParticipantKind.EXPERT_BY_EXPERIENCE,
        person=people["person"],
    )
    plan, _ = ActionPlan.objects.get_or_create(
        organisation=a,
        title=f"Plan {MARKER}",
        defaults={
            "assessment": assessment,
            "starts_on": today - datetime.timedelta(days=20),
            "ends_on": today + datetime.timedelta(days=340),
            "summary": f"Plan summary {MARKER}",
            "created_by": personas.alice,
        },
    )
    action = plan.actions.first() or improvement_services.action_create(
        actor=personas.alice,
        organisation=a,
        title=f"Pay people on the day {MARKER}",
        source=ActionSource.SELF_ASSESSMENT,
        plan=plan,
        priority=priority,
        owner=personas.alice,
        due_on=today - datetime.timedelta(days=3),
    )
    action_update = action.updates.first() or ActionUpdate.objects.create(
        action=action,
        written_on=today - datetime.timedelta(days=5),
        text=f"Progress {MARKER}",
        evidence=f"Evidence link {MARKER}",
        written_by=personas.alice,
    )
    response = accountability["response"]
    response_action = response.improvement_actions.first() or improvement_services.action_create(
        actor=personas.alice,
        organisation=a,
        title=f"From a response {MARKER}",
        source=ActionSource.RESPONSE,
        plan=plan,
        response=response,
        owner=personas.alice,
        due_on=today + datetime.timedelta(days=30),
    )
    question = evaluation["text_question"]
    intention_action = question.improvement_actions.first() or improvement_services.action_create(
        actor=personas.alice,
        organisation=a,
        title=f"From learners' intentions {MARKER}",
        source=ActionSource.LEARNING_INTENTIONS,
        question=question,
        source_note=f"Learners said {MARKER}",
        owner=personas.alice,
        due_on=today + datetime.timedelta(days=60),
    )
    walkthrough, _ = Walkthrough.objects.get_or_create(
        organisation=a,
        title=f"Walkthrough {MARKER}",
        defaults={
            "service": f"Duty team {MARKER}",
            "walked_on": today - datetime.timedelta(days=10),
            "version": version,
            "activity": None,
            "purpose": f"Purpose {MARKER}",
            "created_by": personas.alice,
        },
    )
    site, _ = WalkthroughSite.objects.get_or_create(
        walkthrough=walkthrough, name=f"Reception {MARKER}", defaults={"order": 1}
    )
    team_member, _ = WalkthroughTeamMember.objects.get_or_create(
        walkthrough=walkthrough,
        role=TeamRole.EXPERT_BY_EXPERIENCE,
        person=people["person"],
    )
    observation, _ = Observation.objects.get_or_create(
        walkthrough=walkthrough,
        principle=version.principles.get(key="safety"),
        defaults={
            "site": site,
            "kind": ObservationKind.IMPROVE,
            "text": f"The waiting room {MARKER}",
        },
    )
    walkthrough_action = observation.actions.first() or improvement_services.action_create(
        actor=personas.alice,
        organisation=a,
        title=f"Quieter waiting room {MARKER}",
        source=ActionSource.WALKTHROUGH,
        plan=plan,
        observation=observation,
        owner=personas.alice,
        due_on=today + datetime.timedelta(days=14),
    )
    partner = Organisation.objects.get(name="Resilience Learning Partnership")
    group, _ = PartnershipGroup.objects.get_or_create(
        organisation=a,
        name=f"Partnership group {MARKER}",
        defaults={"purpose": f"Purpose {MARKER}", "created_by": personas.alice},
    )
    member, _ = GroupMember.objects.get_or_create(
        group=group,
        organisation=partner,
        defaults={"representatives": f"Representative {MARKER}"},
    )
    host_member, _ = GroupMember.objects.get_or_create(group=group, organisation=a)
    first, _ = Meeting.objects.get_or_create(
        group=group,
        met_on=today - datetime.timedelta(days=40),
        defaults={
            "format": MeetingFormat.ONLINE,
            "chair": f"Chair {MARKER}",
            "minutes": f"Minutes {MARKER}",
            "created_by": personas.alice,
        },
    )
    second, _ = Meeting.objects.get_or_create(
        group=group,
        met_on=today + datetime.timedelta(days=10),
        defaults={"format": MeetingFormat.IN_PERSON, "place": f"Room {MARKER}"},
    )
    for meeting in (first, second):
        MeetingAttendance.objects.get_or_create(
            meeting=meeting, member=host_member, defaults={"status": AttendanceStatus.PRESENT}
        )
    attendance, _ = MeetingAttendance.objects.get_or_create(
        meeting=first, member=member, defaults={"status": AttendanceStatus.APOLOGIES}
    )
    agenda_item, _ = AgendaItem.objects.get_or_create(
        meeting=first, order=1, defaults={"title": f"Agenda {MARKER}", "notes": f"Notes {MARKER}"}
    )
    partner_update, _ = PartnerUpdate.objects.get_or_create(
        meeting=first, member=member, defaults={"text": f"Partner update {MARKER}"}
    )
    decision, _ = Decision.objects.get_or_create(
        meeting=first, order=1, defaults={"text": f"Decision {MARKER}"}
    )
    group_action = first.actions_raised.first() or improvement_services.action_create(
        actor=personas.alice,
        organisation=a,
        title=f"Partners send updates {MARKER}",
        source=ActionSource.PARTNERSHIP_MEETING,
        meeting=first,
        owner_organisation=partner,
        owner_name=f"Representative {MARKER}",
        due_on=today - datetime.timedelta(days=1),
    )
    return {
        "framework": roadmap,
        "framework_version": version,
        "assessment": assessment,
        "priority": priority,
        "assessment_participant": participant,
        "plan": plan,
        "action": action,
        "action_update": action_update,
        "response_action": response_action,
        "intention_action": intention_action,
        "walkthrough": walkthrough,
        "walkthrough_site": site,
        "walkthrough_team_member": team_member,
        "observation": observation,
        "walkthrough_action": walkthrough_action,
        "group": group,
        "group_member": member,
        "meeting": first,
        "next_meeting": second,
        "meeting_attendance": attendance,
        "agenda_item": agenda_item,
        "partner_update": partner_update,
        "decision": decision,
        "group_action": group_action,
    }


def _national_samples(personas: Personas) -> dict:
    """The national body's survey round 2025 (council A and council B invited, the standard
    questions) with council A's return sent by rhona (answers, a shareable example), and a
    question of the round. The national coordinator (nina) may open all of these; council B
    (charlie) none; council A's staff other than rhona none of the return pages. The return
    holds no MARKER: it is meant for the national team."""
    import datetime

    from django.utils import timezone

    from powershare.evaluation.models import Question
    from powershare.national import services as national_services
    from powershare.national.models import SurveyRound

    survey_round = SurveyRound.objects.filter(year=2025).first()
    if survey_round is None:
        today = timezone.localdate()
        survey_round = national_services.round_create(
            actor=personas.nina,
            year=2025,
            opens_on=today - datetime.timedelta(days=10),
            closes_on=today + datetime.timedelta(days=20),
            council_ids=[personas.council_a.pk, personas.council_b.pk],
        )
    council_return = survey_round.returns.get(council=personas.council_a)
    questions = {
        q.code: q for q in Question.objects.filter(questionnaire=survey_round.questionnaire)
    }
    if council_return.status != "submitted":
        national_services.return_save(
            actor=personas.rhona,
            council_return=council_return,
            answers={q.pk: 1 for code, q in questions.items() if q.type == "yes_no"}
            | {questions["driver-activity"].pk: [1, 2]},
            texts={questions["driver-activity-examples"].pk: "Our panel rewrote the letters."},
            shareable={questions["driver-activity-examples"].pk},
            submit=True,
        )
        council_return.refresh_from_db()
    return {
        "survey_round": survey_round,
        "council_return": council_return,
        "survey_question": questions["steering-group"],
    }
