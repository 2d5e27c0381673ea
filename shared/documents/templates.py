"""Jinja2 for plain-text letters and mail bodies, with `money` formatting as documents do."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.documents.formatting import format_money, format_money_with_code


def text_environment(templates: Path) -> Environment:
    """Templates from `templates`; `{{ amount | money(currency) }}` prints "1,234.50", and
    `{{ amount | money_with_code(currency) }}` prints "1,234.50 USD". Undefined names fail
    loudly; plain text, so no HTML escaping."""
    environment = Environment(
        loader=FileSystemLoader(templates), undefined=StrictUndefined, autoescape=False
    )
    environment.filters["money"] = format_money
    environment.filters["money_with_code"] = format_money_with_code
    return environment
