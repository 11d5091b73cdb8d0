"""Date formats per language (settings.FORMAT_MODULE_PATH), on top of Django's own.

English as in Britain, like the rest of the site ("7 May 2026, 18:30"), not Django's American
default ("May 7, 2026, 6:30 p.m."). The short formats, for tables and lists, say the month in
three letters: "7 May 2026" in English, "7 mei 2026" in Dutch, where months are written in
lower case (Django's "M" capitalises them: "Mei").
"""
