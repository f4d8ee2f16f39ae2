from django import template

register = template.Library()


@register.filter
def mask_phone(value) -> str:
    """138****1234: phone numbers are shown whole only to organizers (in the back office)."""
    digits = str(value or "")
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:  # a landline: keep only both ends
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"
    return "*" * len(digits)


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
