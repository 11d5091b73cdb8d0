from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import Circle

SORTS = {
    "attention": (_("needing attention first"), ("-flag_count", "municipality", "name")),
    "municipality": (_("municipality"), ("municipality", "name")),
    "name": (_("name"), ("name", "municipality")),
    "last_held": (_("last dinner, longest ago first"), ("last_held", "municipality", "name")),
    "next_planned": (_("next dinner, soonest first"), ("next_planned", "municipality", "name")),
}
DEFAULT_SORT = "attention"
DEFAULT_ORDERING = SORTS[DEFAULT_SORT][1]


class OverviewForm(forms.Form):
    """Filter and sort the overview of all circles (GET)."""

    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
    )
    flagged = forms.BooleanField(label=_("Only circles with a flag"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = (
            Circle.objects.order_by("municipality")
            .values_list("municipality", flat=True)
            .distinct()
        )
        self.fields["municipality"].choices = [("", _("All municipalities"))] + [
            (name, name) for name in municipalities
        ]

    def ordering(self) -> tuple:
        key = self.cleaned_data.get("sort") or DEFAULT_SORT
        return SORTS[key][1]
