from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.accounts import username_taken

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class GiveLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_(
            "Something the volunteer will remember, such as their phone number or their name "
            "in English letters. Letters, digits and @ . + - _ only. Not the national ID number."
        ),
    )

    def __init__(self, *args, national_id: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.national_id = national_id
        self.fields["username"].widget.attrs.update(autocapitalize="none", autocomplete="off")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip().translate(THAI_DIGITS)
        digits = "".join(c for c in username if c.isdigit())
        # A national ID is on every form the person ever filled: it is no secret and
        # would tell anyone the login of whoever's ID they have seen.
        if len(digits) == 13 and (digits == self.national_id or username.isdigit()):
            raise ValidationError(_("Do not use a national ID number as the username."))
        if username_taken(username):
            raise ValidationError(
                _("The username %(username)s is taken. Choose another one."),
                params={"username": username},
            )
        return username
