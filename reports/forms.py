from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allies.formfields import PlainTextMixin

SORTS = {
    "attention": (_("needing attention first"), ("-flag_count", "municipality", "name")),
    "municipality": (_("municipality"), ("municipality", "name")),
    "name": (_("name"), ("name", "municipality")),
    "last_held": (_("last dinner, longest ago first"), ("last_dinner_at", "municipality", "name")),
    "next_planned": (_("next dinner, soonest first"), ("next_dinner_at", "municipality", "name")),
}
DEFAULT_SORT = "attention"
DEFAULT_ORDERING = SORTS[DEFAULT_SORT][1]


class OverviewForm(PlainTextMixin, forms.Form):
    """Filter and sort the overview of all circles (GET)."""

    # A search, not a list of every municipality: a country has hundreds.
    search = forms.CharField(
        label=_("Municipality or circle"),
        max_length=120,
        required=False,
        widget=forms.SearchInput,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
    )
    flagged = forms.BooleanField(label=_("Only circles with a flag"), required=False)

    def filter(self, circles):
        """The circles whose municipality or name holds the search."""
        words = self.cleaned_data["search"]
        if not words:
            return circles
        return circles.filter(Q(municipality__icontains=words) | Q(name__icontains=words))

    def ordering(self) -> tuple:
        key = self.cleaned_data.get("sort") or DEFAULT_SORT
        return SORTS[key][1]
