from django.core.management.base import BaseCommand

from meetings.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders that are due (dinners, action due dates, overdue actions, record "
        "the dinner, date polls not answered). Each goes out once: safe to run every few minutes "
        "from cron."
    )

    def handle(self, *args, **options):
        counts = send_reminders()
        summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        self.stdout.write(f"Reminders sent ({summary}).")
