"""Django's own messages that its Thai catalogue leaves untranslated, so that the
password change page and the admin would speak English in the middle of a Thai page
(or that it words as a programmer would: "ฟิลด์นี้จำเป็น").

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
# django/forms/fields.py: "ฟิลด์นี้จำเป็น" in Django's catalogue, "field" a programmer's word
gettext_noop("This field is required.")
# django/forms/fields.py: "กรอกหมายเลข" in Django's catalogue, "enter an (ID) number"
gettext_noop("Enter a number.")
gettext_noop("Enter a whole number.")
# django/contrib/admin and django/contrib/auth (admin pages, forms and messages): what a
# centre administrator meets managing their centre's accounts and lists
gettext_noop("Empty")
gettext_noop("Not empty")
gettext_noop("Added “%(object)s”.")
gettext_noop("Changed “%(object)s” — %(changes)s")
gettext_noop("Deleted “%(object)s.”")
gettext_noop("Added {name} “{object}”.")
gettext_noop("Changed {fields} for {name} “{object}”.")
gettext_noop("Deleted {name} “{object}”.")
gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one.")
gettext_noop("Select this object for an action - {}")
gettext_noop("The {name} “{obj}” was added successfully.")
gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below.")
gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below.")
gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below.")
gettext_noop("The {name} “{obj}” was changed successfully.")
gettext_noop("The %(name)s “%(obj)s” was deleted successfully.")
gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
gettext_noop("We’re sorry, but the requested page could not be found.")
gettext_noop("Breadcrumbs")
gettext_noop("Model name")
gettext_noop("Add link")
gettext_noop("Change or view list link")
gettext_noop("You don’t have permission to view or edit anything.")
gettext_noop("After you’ve created a user, you’ll be able to edit more user options.")
gettext_noop("Error:")
gettext_noop("Set password")
ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "n")
gettext_noop(
    "This action will <strong>enable</strong> password-based authentication for this user."
)
gettext_noop("Disable password-based authentication")
gettext_noop("Enable password-based authentication")
gettext_noop("Skip to main content")
gettext_noop("Hide counts")
gettext_noop("Show counts")
gettext_noop("Clear all filters")
gettext_noop("Toggle theme (current theme: auto)")
gettext_noop("Toggle theme (current theme: light)")
gettext_noop("Toggle theme (current theme: dark)")
gettext_noop("Yes, I’m sure")
gettext_noop("Added:")
gettext_noop("Changed:")
gettext_noop("Deleted:")
gettext_noop("Forgotten your login credentials?")
gettext_noop("Toggle navigation")
gettext_noop("Sidebar")
gettext_noop("Start typing to filter…")
gettext_noop("Filter navigation items")
ngettext_lazy("entry", "entries", "n")
gettext_noop(
    "This object doesn’t have a change history. It probably wasn’t added via this admin site."
)
gettext_noop("View selected %(model)s")
gettext_noop("Thanks for spending some quality time with the web site today.")
gettext_noop("In case you’ve forgotten, you are:")
gettext_noop("Select all objects on this page for an action")
gettext_noop("%(name)s object with primary key %(key)r does not exist.")
gettext_noop("Conflicting form data submitted. Please try again.")
gettext_noop("Password-based authentication was disabled.")
gettext_noop("Set password: %s")
gettext_noop("Reset password")
gettext_noop(
    "Whether the user will be able to authenticate using a password or not. If disabled, they may still be able to authenticate using other backends, such as Single Sign-On or LDAP."
)
gettext_noop("Password-based authentication")
gettext_noop("Enabled")
gettext_noop("Disabled")
gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password.")
gettext_noop("Enable password-based authentication for this user by setting a password.")
gettext_noop("content type")
gettext_noop(
    "The groups this user belongs to. A user will get all permissions granted to each of their groups."
)
gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.")
gettext_noop(
    "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
)
gettext_noop(
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
)
# django/contrib/auth/forms.py: the login's refusal, with doubled spaces in Django's Thai
gettext_noop(
    "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
)
# django/core/validators.py and django/forms: what a form says of a number, a text, a
# formset or a choice that does not fit (Django's Thai catalogue leaves them empty)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit in total.",
    "Ensure that there are no more than %(max)s digits in total.",
    "max",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s decimal place.",
    "Ensure that there are no more than %(max)s decimal places.",
    "max",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit before the decimal point.",
    "Ensure that there are no more than %(max)s digits before the decimal point.",
    "max",
)
ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
ngettext_lazy("Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", "num")
ngettext_lazy(
    "Please submit at least %(num)d form.", "Please submit at least %(num)d forms.", "num"
)
gettext_noop("Null characters are not allowed.")
gettext_noop("Enter a valid integer.")
gettext_noop("Enter a complete value.")
gettext_noop("Value %(value)r is not a valid choice.")
gettext_noop("%(model_name)s with this %(field_labels)s already exists.")
# django/contrib/admin/templates/admin/index.html: "ไม่ว่าง" (busy) in Django's catalogue
gettext_noop("None available")
