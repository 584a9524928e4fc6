"""Django's own messages that its Thai catalogue leaves untranslated, so that the
password change page would speak English in the middle of a Thai page.

Our catalogue (LOCALE_PATHS, read before Django's own) carries their Thai. They are
listed here only so that `makemessages` keeps them in our catalogue; nothing imports
this module. The texts must stay exactly Django's (5.2): a changed letter and the
English comes back — tests/coordination/test_password_pages.py would see it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django/contrib/auth/password_validation.py
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
    "min_length",
)
gettext_noop("The password is too similar to the %(verbose_name)s.")
gettext_noop("Your password can’t be too similar to your other personal information.")
gettext_noop("This password is too common.")
gettext_noop("Your password can’t be a commonly used password.")
gettext_noop("This password is entirely numeric.")
gettext_noop("Your password can’t be entirely numeric.")
# django/contrib/auth/forms.py
gettext_noop("Enter the same password as before, for verification.")
# django/contrib/auth/forms.py (SetPasswordMixin): the set-password page of a one-time link
gettext_noop("The two password fields didn’t match.")
