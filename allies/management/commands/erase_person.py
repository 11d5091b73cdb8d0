"""manage.py erase_person <username or email>: anonymise a person everywhere."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from allies.admin_utils import change_page
from allies.models import User
from allies.privacy import name_mentions, person_erase


class Command(BaseCommand):
    help = (
        "Erase a person: their full name, username, email and phone are replaced everywhere "
        "(also in others' text and in the history), their memberships end, their account is "
        "closed; the circles' counts, minutes and actions stay. A first name or surname alone "
        "is not replaced: the records of their circles that still hold one (meetings, agenda "
        "items, answer notes, polls, actions, updates) are listed, to check by hand."
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
        # Looked for first: erasing overwrites the name that is looked for.
        mentions = name_mentions(found)
        person_erase(person=found)
        self.stdout.write(self.style.SUCCESS(f"Erased person {pk}."))
        if not mentions.records:
            self.stdout.write("No record of their circles names them by first name or surname.")
            return
        names = ", ".join(mentions.parts)
        self.stdout.write(f"Free text still names them as {names}; check these by hand in admin:")
        for record, _name in mentions.records:
            self.stdout.write(f"  {record._meta.model_name} {record.pk}: {change_page(record)}")
