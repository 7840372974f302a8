"""What was typed into a form, and the errors to show beside each field.

Forms validate with the API's own schemas and call the same services; this module turns
pydantic's errors and the services' `Invalid`/`Conflict` into one message per field.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.errors import Conflict, Invalid
from app.fields import FROM_TEXT

FORM_ERROR = "__form__"
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Field names that appear inside the schemas' messages, in words.
_FIELD_WORDS = {
    "period_start": "the period start",
    "period_end": "the period end",
    "received_on": "the date received",
    "issued_on": "the issue date",
    "granted_on": "the grant date",
    "expires_on": "the expiry date",
}
_EMPTY = ("", [])


def tidy(text: str) -> str:
    """A schema or service message as a sentence a person reads."""
    text = text.removeprefix("Value error, ")
    text = text.replace("Input should be", "Must be").replace("String should have", "Must have")
    for field, words in _FIELD_WORDS.items():
        text = text.replace(field, words)
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def message_for(error: Mapping[str, Any]) -> str:
    """The message for one pydantic error."""
    kind = error["type"]
    if kind == "missing" or (kind != "value_error" and error.get("input") in _EMPTY):
        return "Required."
    if kind.startswith("date"):
        return "Enter a date as YYYY-MM-DD."
    if kind == "literal_error":
        return "Choose one of the options."
    if kind.startswith("int_"):
        return "Enter a whole number."
    return tidy(error["msg"])


class FormState:
    """The values typed (strings, or lists of strings) and the error beside each field."""

    def __init__(
        self, values: dict[str, Any] | None = None, shown_as: Mapping[str, str] | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.errors: dict[str, str] = {}
        self.found: dict[str, Any] = {}  # field → where a PDF stated its value (a Proposal)
        # A schema field the form asks for under another name (its errors go beside that one).
        self.shown_as: dict[str, str] = dict(shown_as or {})

    @classmethod
    def read(cls, form: FormData, fields: Iterable[str], lists: Iterable[str] = ()) -> "FormState":
        """Take only `fields` from the posted form (anything else is ignored)."""
        lists = set(lists)
        values: dict[str, Any] = {}
        for name in fields:
            if name in lists:
                values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
            else:
                value = form.get(name)
                values[name] = value if isinstance(value, str) else ""
        return cls(values)

    def value(self, name: str) -> Any:
        """What was typed into `name` ('' when nothing)."""
        return self.values.get(name, "")

    def chosen(self, name: str, option: str) -> bool:
        """True when `option` is ticked or selected in `name`."""
        value = self.values.get(name)
        return option in value if isinstance(value, list) else value == option

    def data(self, *, drop_empty: bool = True) -> dict[str, Any]:
        """The schema's input: empty fields left out, so defaults and 'required' apply."""
        return {k: v for k, v in self.values.items() if not (drop_empty and v in _EMPTY)}

    def add(self, field: str, message: str) -> None:
        """Show `message` beside `field` (or above the form when no such field is shown)."""
        field = self.shown_as.get(field, field)
        key = field if field in self.values else FORM_ERROR
        self.errors.setdefault(key, message)

    def add_validation(self, exc: ValidationError) -> None:
        """One message per field from a pydantic ValidationError."""
        for error in exc.errors():
            loc = error["loc"]
            text = message_for(error)
            if len(loc) > 1 and isinstance(loc[1], int):
                text = f"Row {loc[1] + 1}: {text[:1].lower()}{text[1:]}"
            self.add(str(loc[0]) if loc else FORM_ERROR, text)

    @property
    def form_error(self) -> str | None:
        """The error about the form as a whole, if any."""
        return self.errors.get(FORM_ERROR)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.errors


def submit(
    form: FormState,
    schema: type[M],
    data: Mapping[str, Any],
    action: Callable[[M], T],
    conflicts: Mapping[str, str] | None = None,
) -> T | None:
    """Validate `data` with `schema` and run `action`; on failure note the errors, return None."""
    try:
        return action(schema.model_validate(data, context=FROM_TEXT))
    except ValidationError as exc:
        form.add_validation(exc)
    except Invalid as exc:
        form.add(exc.field, tidy(exc.message))
    except Conflict as exc:
        detail = str(exc.detail)
        field = next((f for p, f in (conflicts or {}).items() if detail.startswith(p)), FORM_ERROR)
        form.add(field, tidy(detail))
    return None
