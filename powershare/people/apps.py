from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "powershare.people"
    label = "people"
    verbose_name = "People register"

    def ready(self):
        from auditlog.registry import auditlog

        from . import privacy_registration  # noqa: F401
        from .models import ConsentRecord, LivedExperienceArea, Person

        # The change log says which personal fields changed and who changed them, never their
        # values: the values are the record itself, seen only by those who may see it.
        auditlog.register(
            Person,
            mask_fields=list(Person.personal_data_fields),
            m2m_fields={"areas"},
        )
        auditlog.register(ConsentRecord, mask_fields=list(ConsentRecord.personal_data_fields))
        auditlog.register(LivedExperienceArea)
