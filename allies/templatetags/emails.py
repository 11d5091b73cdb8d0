from django import template
from django.utils.html import format_html

register = template.Library()


@register.tag
def footer(parser, token):
    """{% footer %}...{% endfooter %}: the email's small print under a rule, or nothing at all
    when there is nothing to say, rather than a rule above an empty paragraph."""
    nodelist = parser.parse(("endfooter",))
    parser.delete_first_token()
    return FooterNode(nodelist)


class FooterNode(template.Node):
    def __init__(self, nodelist):
        # A {% block %} inside stays one that child templates fill: Django finds the blocks
        # of a parent through each node's `nodelist`.
        self.nodelist = nodelist

    def render(self, context):
        text = self.nodelist.render(context)  # safe: rendered, so escaped where it must be
        if not text.strip():
            return ""
        return format_html("<hr>\n<p><small>{}</small></p>", text)
