# Django's Dutch DATETIME_FORMAT ("j F Y H:i") has no comma between the date and the time,
# while every other date-time on the site has one ("zaterdag 12 december 2026, 18:30").
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "D j b Y, H:i"
# Django's Dutch short date is numeric ("3-3-2027"), where the English one names the month and
# every short date-time on the site does too.
SHORT_DATE_FORMAT = "j b Y"
