"""manage.py erase_person <username or email>: anonymise a person everywhere."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from allies.models import User
from allies.privacy import person_erase


class Command(BaseCommand):
    help = (
        "Erase a person: their name, username, email and phone are replaced everywhere "
        "(also in others' text and in the history), their memberships end, their account is "
        "closed; the circles' counts, minutes and actions stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("person", help="username or email address")
        parser.add_argument("--no-input", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, person, no_input, **options):
        matches = list(User.objects.filter(Q(username=person) | Q(email__iexact=person))[:2])
        if not matches:
            raise CommandError(f"No person with username or email {person!r}.")
        if len(matches) > 1:
            raise CommandError(f"{person!r} matches more than one person; give the username.")
        found = matches[0]
        if not no_input:
            answer = input(f"Erase {found.name} ({found.username})? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing erased.")
        pk = found.pk
        person_erase(person=found)
        self.stdout.write(self.style.SUCCESS(f"Erased person {pk}."))
