"""What the people register holds about a person, for subject access and erasure."""

from powershare.privacy import registry

from .models import ConsentRecord, Person
from .services import person_identity_erase

registry.register(
    Person,
    person_lookup="pk",
    label="Your record",
    erase=person_identity_erase,
    order=0,
)
registry.register(
    ConsentRecord,
    person_lookup="person",
    label="What you agreed to, and when",
    erase=registry.blank_fields("guardian_name", "note"),
    order=10,
)
