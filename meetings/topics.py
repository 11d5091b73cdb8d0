"""The topics every installation starts with, stored in English and translated when shown."""

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext, gettext_noop

SEEDED_TOPICS = [
    (gettext_noop("Radicalisation"), gettext_noop("Signs of radicalisation and how to respond")),
    (gettext_noop("Polarisation"), gettext_noop("Tensions between groups in the neighbourhood")),
    (gettext_noop("Nuisance"), gettext_noop("Noise, litter, loitering and other nuisance")),
    (gettext_noop("Poverty"), gettext_noop("Debt, poverty and where people can find help")),
    (gettext_noop("Youth"), gettext_noop("Young people, their places and their prospects")),
    (gettext_noop("Safety at home"), gettext_noop("Domestic violence and neglect")),
    (gettext_noop("Undermining crime"), gettext_noop("Drugs, exploitation and hidden crime")),
    (
        gettext_noop("Trust and cooperation"),
        gettext_noop("How residents, police and the municipality work together"),
    ),
]


def shown_name() -> Case:
    """A topic's name as the reader sees it, in the active language, for the database to sort
    and search on: a seeded topic's translation, any other name as written."""
    return Case(
        *(When(name=name, then=Value(gettext(name))) for name, _ in SEEDED_TOPICS),
        default="name",
        output_field=CharField(),
    )
