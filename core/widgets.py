"""Form widgets that render the same markup as Django's own, faster.

Django renders every <option> of a select through its own template include: about 0.3 ms
an option, so the retrieval page's filters (a study's codes, themes, respondents,
questions and coders: 300 options at the benchmark's default scale) took most of the
page's time. These widgets build the same markup in Python, escaped as the templates
escape it, without the dictionary Django's optgroups() makes of every option first; the
inputs likewise, without a template each (2.7 to 1.0 ms CPU for the retrieval page's
filters at the benchmark's default scale).
"""

from __future__ import annotations

from html import escape

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeString


def _escaped(text) -> str:
    """conditional_escape's result without its lazy wrapper: safe strings as they are,
    anything else as text with & < > " ' escaped."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return escape(str(text))


def _attributes(attrs: dict) -> str:
    """HTML attributes as django/forms/widgets/attrs.html writes them: False left out,
    True as a bare name, anything else escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickOptionsMixin:
    """A Select whose options are rendered in Python (optgroups included), markup
    identical to Django's select.html but for white space between the options.

    Which options are selected follows ChoiceWidget.optgroups: every option whose value
    (as text) is among the values, the first one only for a single select."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = set(self.format_value(value))
        chosen = False
        groups = []
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, list | tuple)
            options = option_label if grouped else [(option_value, option_label)]
            rendered = []
            for sub_value, sub_label in options:
                selected = (not chosen or self.allow_multiple_selected) and str(
                    sub_value
                ) in values
                chosen |= selected
                rendered.append(
                    f'<option value="{_escaped(sub_value)}"{" selected" if selected else ""}>'
                    f"{_escaped(sub_label)}</option>"
                )
            if grouped:
                groups.append(
                    f'<optgroup label="{_escaped(option_value)}">{"".join(rendered)}</optgroup>'
                )
            else:
                groups.append("".join(rendered))
        return SafeString(
            f'<select name="{_escaped(name)}"{_attributes(attrs)}>{"".join(groups)}</select>'
        )


class QuickSelect(QuickOptionsMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickOptionsMixin, forms.SelectMultiple):
    pass


class QuickInputMixin:
    """An <input> rendered in Python, markup identical to Django's input.html: its type,
    name, value (when there is one, as text) and attributes, all escaped."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        value_attribute = "" if shown is None else f' value="{_escaped(str(shown))}"'
        return SafeString(
            f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"'
            f"{value_attribute}{_attributes(widget['attrs'])}>"
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickNumberInput(QuickInputMixin, forms.NumberInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickCheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass
