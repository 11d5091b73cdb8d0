"""Admin building blocks that keep change pages at a fixed number of queries."""

import datetime
from functools import cached_property

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as delete_selected_confirmed
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import NestedObjects, display_for_value, unquote
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import CharField, DateTimeField, Exists, OuterRef, Subquery, TextField
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from psycopg import sql
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper, ObjDiffDisplay

from circles.health import year_bounds


class CompactTabularInline(admin.TabularInline):
    """Rows in a table on a change page: a long text is a box as wide as a column, not admin's
    48em one, and a line of text a field of 18 characters, not admin's 20em one: they pushed
    the meeting's agenda past the right edge of a 1280-px window, in Dutch by its longer
    headings (a box can still be dragged larger, and a line scrolls as it is typed)."""

    formfield_overrides = {
        TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 30})},
        CharField: {"widget": forms.TextInput(attrs={"size": 18})},
    }


class PersonRowsInline(CompactTabularInline):
    """Existing rows show their person read-only (joined in one query, not one per row);
    a rendered person widget would look each selected person up separately."""

    person_field = "person"
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.person_field)

    def get_readonly_fields(self, request, obj=None):
        return [self.person_field, *super().get_readonly_fields(request, obj)]

    def has_add_permission(self, request, obj=None):
        return False


class CachedChoicesInline(CompactTabularInline):
    """Foreign-key choices (of short lists) fetched once per page instead of once per row."""

    cached_choice_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name not in self.cached_choice_fields:
            return formfield
        cache = request.__dict__.setdefault("_admin_choices", {})
        key = (self.model, db_field.name)
        if key not in cache:
            cache[key] = list(formfield.choices)
        formfield.choices = cache[key]
        return formfield


class ReadableChanges(HistoricalRecordContextHelper):
    """The changes on a history page as the change page shows the values, in the reader's
    language: a choice by its label ("bevestigd", not the stored "confirmed"), a yes or no as
    a word (not True or False), a date or time as on admin's lists (local, not in UTC), the
    people of a many-to-many field by name (not a Python list), nothing (None, an empty text
    or no one) as admin's empty value, and a long text in whole words (WholeWordsExcerpts)."""

    def __init__(self, *args, empty: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty = empty

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value in (None, "", []) or (isinstance(value, DeletedObject) and value.pk is None):
            return self.empty  # a foreign key set from nothing is no deleted object
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, datetime.date):  # a time in the site's time zone, as on a list
            return display_for_value(value, self.empty)
        if field.flatchoices:
            return dict(field.flatchoices).get(value, value)
        if field.many_to_many:
            return ", ".join(sorted(map(str, super().prepare_delta_change_value(change, value))))
        return super().prepare_delta_change_value(change, value)

    def get_obj_diff_display(self):
        return WholeWordsExcerpts()


class WholeWordsExcerpts(ObjDiffDisplay):
    """Long texts (minutes, a commitment) on a history page: whole up to `words` words; a
    longer one shows that many of its words, starting a few before where the old and the new
    text first differ, with "…" where a part is left out. simple-history shortened them to 100
    characters, cut mid-word and marked in English ("vijf ke[192 chars]neem.")."""

    def __init__(self, *, words=80, before=10):
        super().__init__()
        self.words, self.before = words, before

    def common_shorten_repr(self, *args):
        texts = [str(arg).split() for arg in args]
        if max(map(len, texts)) <= self.words:
            return tuple(map(str, args))
        # How many words the texts start with alike.
        alike = next(
            (n for n, words in enumerate(zip(*texts, strict=False)) if len(set(words)) > 1),
            min(map(len, texts)),
        )
        start = max(alike - self.before, 0)
        return tuple(self._excerpt(words, start) for words in texts)

    def _excerpt(self, words: list[str], start: int) -> str:
        end = start + self.words
        return "".join(
            ["…" if start else "", " ".join(words[start:end]), "…" if end < len(words) else ""]
        )


class HistoryAdmin(SimpleHistoryAdmin):
    """The admin of a model with a history: its "History" page reads like the change page."""

    def get_historical_record_context_helper(self, request, historical_record):
        empty = self.get_empty_value_display()
        return ReadableChanges(self.model, historical_record, empty=empty)

    def history_view(self, request, object_id, extra_context=None):
        # A change that no one signed in made (the reminders' cron, say) names no one.
        extra = {"empty_value": self.get_empty_value_display(), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=extra)


class NeverDeletedAdmin:
    """For records that are never deleted (those has_delete_permission refuses): no button
    leads to their delete page, but its address can be typed. It goes back to the record's
    page, with never_deleted() saying what is done instead (Django refused with the site's 403
    page), or says that there is no such record, as its change page does (Django refused that
    too, asking the delete permission first). Without the right to see it, Django's refusal
    stands."""

    actions = ["delete_selected"]

    def never_deleted(self) -> str:
        raise NotImplementedError

    @admin.action(permissions=["delete"], description=delete_selected_confirmed.short_description)
    def delete_selected(self, request, queryset):
        """Django's action refused the whole selection, on its permission page, for one record
        in it that is never deleted: those are left, named in a message with never_deleted(),
        and the others are deleted after the usual confirmation."""
        kept = [obj for obj in queryset if not self.has_delete_permission(request, obj)]
        if kept:
            listed = ", ".join(f"“{obj}”" for obj in kept)
            message = gettext("Not deleted: %(objects)s.") % {"objects": listed}
            self.message_user(request, f"{message} {self.never_deleted()}", messages.ERROR)
        return delete_the_rest(self, request, queryset, kept)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if self.has_delete_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)
        self.message_user(request, self.never_deleted(), messages.ERROR)
        return back_to_change_page(self, request, object_id)


class KeepRowsAdmin(NeverDeletedAdmin, HistoryAdmin):
    """For records whose loss would break the circles' history (meetings, memberships,
    actions): no delete for anyone, superusers included, so neither the delete button nor
    the "delete selected" action appears, and deleting a circle or person that owns such rows
    is refused too (Django checks the delete permission of every row a delete would cascade
    to; DeleteUnlessKeptAdmin says so). Meetings are cancelled, memberships ended and actions
    dropped instead; every change is kept in the history (the "History" button)."""

    def has_delete_permission(self, request, obj=None):
        return False


def delete_the_rest(model_admin, request, queryset, kept):
    """Django's "delete selected" (its confirmation, then the delete) for the selection less
    the kept records; none left: back to the list, where a message says why."""
    rest = queryset.exclude(pk__in=[obj.pk for obj in kept])
    if kept and not rest.exists():
        return None
    return delete_selected_confirmed(model_admin, request, rest)


def change_page(record) -> str:
    """The path of a record's change page in admin."""
    return reverse(admin_urlname(record._meta, "change"), args=[record.pk])


def back_to_change_page(model_admin, request, object_id) -> HttpResponseRedirect:
    """To the object's change page as it was opened (in a popup, with the list's filters),
    from its delete page: where a message says why it is not deleted."""
    opts = model_admin.opts
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[object_id],
        current_app=model_admin.admin_site.name,
    )
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


class DeleteUnlessKeptAdmin(admin.ModelAdmin):
    """For records that rows which are kept refer to: a circle (its meetings, memberships and
    actions: KeepRowsAdmin) or a topic (the agenda items on it: PROTECT). Django's delete
    page ends at "Cannot delete" for such a record, and its "delete selected" action for the
    whole selection. Here the delete button says in a message what keeps the record, and the
    action says which of the selected are kept and why, then deletes the others after the
    usual confirmation. A record nothing refers to (a circle made by mistake) is deleted as
    before. `instead` tells what to do instead (for a topic: take it out of use)."""

    actions = ["delete_selected"]
    instead = ""

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        # A missing record or a lacking permission goes on to Django's answer for it.
        allowed = obj is not None and self.has_delete_permission(request, obj)
        if not (allowed and self._refuse(request, [obj])):
            return super().delete_view(request, object_id, extra_context)
        return back_to_change_page(self, request, object_id)

    @admin.action(permissions=["delete"], description=delete_selected_confirmed.short_description)
    def delete_selected(self, request, queryset):
        return delete_the_rest(self, request, queryset, self._refuse(request, queryset))

    def _refuse(self, request, objs) -> list:
        """Those of objs that rows which are kept refer to, told in a message with what the
        rows are (their kinds, not each row: a circle may have hundreds)."""
        refused = {obj: kinds for obj in objs if (kinds := self._kept_kinds(request, obj))}
        if refused:
            last = gettext("and")
            listed = ", ".join(
                f"“{obj}” ({get_text_list(kinds, last)})" for obj, kinds in refused.items()
            )
            message = ngettext(
                "Not deleted, as records that are kept refer to it: %(objects)s.",
                "Not deleted, as records that are kept refer to them: %(objects)s.",
                len(refused),
            ) % {"objects": listed}
            self.message_user(request, f"{message} {self.instead}".strip(), messages.ERROR)
        return list(refused)

    def _kept_kinds(self, request, obj) -> list[str]:
        """The kinds of row that keep obj: rows that protect it, and rows a delete of obj would
        take along that admin may not delete (what Django's delete page lists)."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect([obj])
        kept = {type(row) for row in collector.protected}
        for model, rows in collector.model_objs.items():
            if not self.admin_site.is_registered(model):
                continue  # edited inline or not at all: Django asks no permission for it
            model_admin = self.admin_site.get_model_admin(model)
            if not all(model_admin.has_delete_permission(request, row) for row in rows):
                kept.add(model)
        return sorted(str(model._meta.verbose_name_plural) for model in kept)


class EstimatedCountPaginator(Paginator):
    """For the admin lists of tables that grow with the country (people, memberships, meetings
    and their answers, attendances and agenda, actions and their updates, date polls and their
    answers): on PostgreSQL the total of an unfiltered list is
    the planner's row estimate (pg_class.reltuples, kept up by autovacuum) once the table has
    ESTIMATE_FROM rows, so that a page view does not count a hundred thousand rows or more; the
    list then says "about". Filtered lists, smaller tables and SQLite are counted exactly, and
    so is a page in the last tenth of the estimate: autovacuum lets the estimate fall up to a
    tenth behind, and counting there shows the pages after it, so no row is out of reach."""

    ESTIMATE_FROM = 10_000

    def __init__(self, *args, page_number=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_number = page_number
        self.estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.where:
            return super().count
        # One query whichever way it goes, so a page asks as many at any size.
        query = sql.SQL(
            "SELECT CASE WHEN {estimate} THEN reltuples::bigint "
            "ELSE (SELECT COUNT(*) FROM {table}) END, {estimate} "
            "FROM pg_class WHERE oid = %(table)s::regclass"
        ).format(
            table=sql.Identifier(queryset.model._meta.db_table),
            estimate=sql.SQL("(reltuples >= %(least)s AND %(seen)s < reltuples * 0.9)"),
        )
        params = {
            "least": self.ESTIMATE_FROM,
            "seen": self.page_number * self.per_page,
            "table": queryset.model._meta.db_table,
        }
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            count, self.estimated = cursor.fetchone()
        return count


class LargeTableAdmin:
    """For the admin of a table that grows with the country (put it first among the bases):
    estimated totals (see EstimatedCountPaginator), and no second count of the whole table
    under a filtered list."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The list's page (p) or the autocomplete's (page); a bad one is refused later.
        number = request.GET.get("p") or request.GET.get("page") or "1"
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            page_number=int(number) if number.isdecimal() else 1,
        )


class YearFilter(admin.SimpleListFilter):
    """The rows of one year of a date or date-time field (local time); subclasses name the
    field, which needs an index. It replaces a date hierarchy, which lists the years with a
    DISTINCT over every row of the table (as would dates() or a DISTINCT of the years): 0.8 s
    for the meetings on SQLite at national size, 0.35 s for the actions. Here the years that
    have rows come from the index alone, newest first: one query finds the first and the last
    value, and one more asks, for each year between, whether the index holds a row in it."""

    title = _("year")
    parameter_name = "year"
    field: str
    # The years a link can name; a date outside them (a typing error) is in no year listed.
    # year_bounds needs the next year to exist: not so for 9999.
    FIRST_YEAR, LAST_YEAR = 1900, 9998
    # Years asked in one query, one column each: PostgreSQL returns at most 1,664 columns and
    # SQLite 2,000. Ten years of dinners take one query; a date typed centuries off, a few.
    YEARS_PER_QUERY = 1000

    def lookups(self, request, model_admin):
        rows = model_admin.model._default_manager.filter(**{f"{self.field}__isnull": False})
        # Each from an end of the index, not in one aggregate: SQLite answers MIN and MAX
        # together by reading every row. The last is looked for from the first on: the same
        # read, which SQLite then plans as a search (bench/plans.py takes an ordered read in
        # a subquery for one of the whole table).
        later = rows.filter(**{f"{self.field}__gte": OuterRef(self.field)})
        last = Subquery(later.order_by(f"-{self.field}").values(self.field)[:1])
        ends = rows.order_by(self.field).values_list(self.field, last).first()
        if ends is None:
            return []
        first, last = (self._year(value) for value in ends)
        years = range(min(last, self.LAST_YEAR), max(first, self.FIRST_YEAR) - 1, -1)
        found = []
        for start in range(0, len(years), self.YEARS_PER_QUERY):
            found += self._years_with_rows(rows, years[start : start + self.YEARS_PER_QUERY])
        return [(str(year), str(year)) for year in found]

    def _years_with_rows(self, rows, years: range) -> list[int]:
        """Those of the years that have a row: an index lookup each, in one query, which
        selects them with one row of the table (it has one)."""
        asked = {f"in_{year}": Exists(self._in_year(rows, year)) for year in years}
        [answers] = rows.annotate(**asked).order_by().values_list(*asked)[:1]
        return [year for year, has_rows in zip(years, answers, strict=True) if has_rows]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdecimal() or not (
            self.FIRST_YEAR <= int(self.value()) <= self.LAST_YEAR
        ):
            raise IncorrectLookupParameters(self.value())
        return self._in_year(queryset, int(self.value()))

    def _in_year(self, queryset, year: int):
        if isinstance(queryset.model._meta.get_field(self.field), DateTimeField):
            start, end = year_bounds(year)
        else:
            start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        return queryset.filter(**{f"{self.field}__gte": start, f"{self.field}__lt": end})

    @staticmethod
    def _year(value) -> int:
        return (
            timezone.localtime(value).year if isinstance(value, datetime.datetime) else value.year
        )
