from django import template

register = template.Library()


@register.filter
def mask_phone(value) -> str:
    """138****1234: phone numbers are shown whole only to organizers (in the back office)."""
    digits = str(value or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


STATUS_STYLES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-success",
    "withdrawn": "text-bg-light border",
    "pending": "text-bg-warning",
    "eligible": "text-bg-success",
    "ineligible": "text-bg-danger",
}


@register.filter
def status_badge(value) -> str:
    return STATUS_STYLES.get(str(value), "text-bg-secondary")
