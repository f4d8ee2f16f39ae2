from django import template

from messaging.selectors import unread_count

register = template.Library()


@register.inclusion_tag("messaging/inbox_link.html", takes_context=True)
def inbox_link(context):
    """A link to the inbox with the number of unread messages (one query)."""
    return {"unread": unread_count(user=context["request"].user)}
