"""A choice list is a page of data too: every form of the app, built by its own view
for each kind of user of centre A with objects of two centres in the database, offers
only what that user may see.

The forms are found by walking the apps' `forms` modules, and each page of the app is
opened (GET, or an empty POST where the page only takes POST) while every form and
formset the view builds is noted. So a new form, or a new page building an old one, is
checked without a new test — and this module fails while a form with a model choice
field is built by no page it opens."""

import datetime
import importlib
import inspect
from dataclasses import dataclass

import pytest
from django import forms
from django.apps import apps
from django.core.files import File
from django.db import models
from django.forms.formsets import BaseFormSet
from django.test import override_settings
from django.urls import reverse

from cases.models import Case, CaseConference, PlanAction, VisitPhoto
from coordination.models import Agency, Center
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CenterFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
    agency_of,
)
from tests.images import phone_photo
from tests.module_data import assert_in_own_savepoint, built_once
from tests.test_isolation_sweep import APP_ROUTES, POST_ONLY, ROUTES
from volunteers.models import Team, Volunteer

OUR_APPS = ("coordination", "volunteers", "cases")
USERS_OF_CENTRE_A = ["coordinator", "volunteer_on_team", "volunteer_off_team", "no_role"]


def app_form_classes() -> dict[str, type]:
    """Every form and formset class the apps' forms modules offer, by its name there.
    Formsets made by Django's factories are defined in Django's module, so they are
    taken by where they are found; bases without a model are not forms anyone builds."""
    found = {}
    for label in OUR_APPS:
        name = f"{apps.get_app_config(label).name}.forms"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for attribute, value in vars(module).items():
            if not inspect.isclass(value):
                continue
            defined_here = issubclass(value, forms.BaseForm) and value.__module__ == name
            a_formset = issubclass(value, BaseFormSet) and getattr(value, "form", None)
            if defined_here or a_formset:
                found[f"{name}.{attribute}"] = value
    return found


def has_model_choices(form_class: type) -> bool:
    if issubclass(form_class, BaseFormSet):
        # A model formset's rows carry an `id` choice field: which existing row is meant.
        return issubclass(form_class, forms.BaseModelFormSet) or has_model_choices(form_class.form)
    return any(
        isinstance(field, forms.ModelChoiceField) for field in form_class.base_fields.values()
    )


# Reference data every user may see: no centre's data in them.
REFERENCE_MODELS = {"coordination.TargetGroup", "coordination.Province", "coordination.District",
                    "coordination.Subdistrict"}  # fmt: skip


def visible(model: type[models.Model], user) -> models.QuerySet:
    """What `user` may see of `model`: the pages' own rule, with the one widening the
    pages make — a volunteer sees the other members of their teams (on a case, a visit)."""
    if model._meta.label in REFERENCE_MODELS:
        return model.objects.all()
    manager = model._default_manager
    assert hasattr(manager, "visible_to"), f"say who may see {model._meta.label} (visible_to)"
    seen = manager.visible_to(user)
    if model is Volunteer:
        seen = seen | Volunteer.objects.filter(
            memberships__team__in=Team.objects.visible_to(user), memberships__left_on__isnull=True
        )
    return seen


@dataclass
class World:
    users: dict
    args: dict
    extra_urls: list


def build_world(media) -> World:
    """Two centres, each with a team and its members, a volunteer on no team, an inactive
    volunteer, a case with a team and one without, visits, household and income rows."""
    ours, theirs = CenterFactory(district_id="1027"), CenterFactory(district_id="1001")
    objects = {}
    for center in (ours, theirs):
        team = TeamFactory(center=center)
        TeamFactory(center=center)  # a second team, to be offered or not
        volunteer = VolunteerFactory(
            center=center, user=UserFactory(center=center, role="volunteer")
        )
        membership = volunteer.join_team(team)
        VolunteerFactory(center=center)  # on no team: the LEFT JOIN bug offered these
        VolunteerFactory(center=center, status=Volunteer.Status.INACTIVE)
        case = CaseFactory(center=center, team=team)
        unassigned = CaseFactory(center=center, team=None)
        HouseholdMemberFactory(case=case)
        IncomeSourceFactory(case=case)
        IncomeSourceFactory(case=unassigned)
        visit = HomeVisitFactory(case=case, author=volunteer.user)
        visit.volunteers.add(volunteer)
        # A visit asking for a referral: the referral form offers its need to answer.
        HomeVisitFactory(case=case, author=volunteer.user, referral_needed=True, needs="ทนาย")
        with phone_photo(media / "p.jpg", size=(40, 30)).open("rb") as handle:
            photo = VisitPhoto.objects.create(visit=visit, image=File(handle, name="p.jpg"))
        Agency.objects.create(center=center, name=f"agency of {center.pk}", kind="ngo")
        conference = CaseConference.objects.create(
            center=center, held_on=datetime.date(2026, 1, 5), place="ศูนย์", created_by=volunteer.user
        )
        PlanAction.objects.create(
            case=case, what="โทรหา", owner_team=team, due_on=datetime.date(2026, 1, 9)
        )
        objects[center.pk] = {
            "conference": conference,
            "team": team,
            "volunteer": volunteer,
            "membership": membership,
            "case": case,
            "unassigned": unassigned,
            "visit": visit,
            "photo": photo,
            "referral": ReferralFactory(case=case, visit=visit),
            "agency": AgencyFactory(center=center),
        }
        agency_of(center)  # a centre's own agency, offered to it and to no other
    agency_of(None)  # a national one, offered to all
    a = objects[ours.pk]
    users = {
        "coordinator": UserFactory(center=ours, role="coordinator"),
        "volunteer_on_team": a["volunteer"].user,
        "volunteer_off_team": VolunteerFactory(
            center=ours, user=UserFactory(center=ours, role="volunteer")
        ).user,
        "no_role": UserFactory(center=ours),
    }
    args = {
        **{
            name: [a["case"].pk]
            for name in APP_ROUTES
            if name.startswith("cases:case-") and "<int:pk>" in str(ROUTES[name].pattern)
        },
        "cases:visit-create": [a["case"].pk],
        "cases:visit-detail": [a["visit"].pk],
        "cases:visit-edit": [a["visit"].pk],
        "cases:visit-photo": [a["photo"].pk],
        "volunteers:volunteer-detail": [a["volunteer"].pk],
        "volunteers:volunteer-edit": [a["volunteer"].pk],
        "volunteers:volunteer-status": [a["volunteer"].pk],
        "volunteers:volunteer-account": [a["volunteer"].pk],
        "password-set": ["MQ", "c5y8k0-0123456789abcdef"],
        "volunteers:team-detail": [a["team"].pk],
        "volunteers:team-add-member": [a["team"].pk],
        "volunteers:team-end-membership": [a["team"].pk, a["membership"].pk],
        "volunteers:team-make-leader": [a["team"].pk, a["membership"].pk],
        "cases:assistance-create": [a["case"].pk],
        "cases:conference-detail": [a["conference"].pk],
        "cases:referral-create": [a["case"].pk],
        **dict.fromkeys(
            [
                "cases:referral-detail",
                "cases:referral-status",
                "cases:referral-outcome-read",
                "cases:referral-letter",
            ],
            [a["referral"].pk],
        ),
        "cases:visit-referral-dismiss": [a["visit"].pk],
        **{
            name: [a["agency"].pk]
            for name in APP_ROUTES
            if name.startswith("coordination:agency-") and "<int:pk>" in str(ROUTES[name].pattern)
        },
    }
    extra_urls = [
        # The finding: a case with no team offered every centre's unteamed volunteers.
        ("get", reverse("cases:visit-create", args=[a["unassigned"].pk])),
        ("get", reverse("cases:case-edit", args=[a["unassigned"].pk])),
        ("get", reverse("cases:case-assign", args=[a["unassigned"].pk])),
        # Filter forms, bound: their querysets are the same, but their pages differ.
        ("get", reverse("cases:case-list") + "?status=all&team=&subdistrict="),
        ("get", reverse("cases:followup-list") + "?team=&volunteer="),
    ]
    assert Center.objects.count() == 2
    return World(users=users, args=args, extra_urls=extra_urls)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module; each test runs in a savepoint of its own (`built_once`):
    the pages one test POSTs to change nothing another test sees."""
    media = tmp_path_factory.mktemp("choices-media")
    with (
        override_settings(MEDIA_ROOT=media),
        built_once(django_db_blocker, lambda: build_world(media)) as world,
    ):
        yield world


@pytest.fixture
def world(db, module_world) -> World:
    assert_in_own_savepoint()
    return module_world


@pytest.fixture
def built_forms(monkeypatch) -> list:
    """Every form and formset built while the test runs, as the views built them. This
    records and calls through: nothing of the forms' behaviour is replaced."""
    built: list = []
    for base in (forms.BaseForm, BaseFormSet):
        original = base.__init__

        def recording(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            built.append(self)

        monkeypatch.setattr(base, "__init__", recording)
    return built


def open_every_page(client, world: World) -> None:
    for name in APP_ROUTES:
        if name in ("logout", "set_language"):
            continue
        url = reverse(name, args=world.args.get(name, []))
        client.post(url) if name in POST_ONLY else client.get(url)
    for method, url in world.extra_urls:
        getattr(client, method)(url)


def choice_fields(built: list) -> list[tuple[str, str, forms.ModelChoiceField]]:
    found = []
    for instance in built:
        if isinstance(instance, BaseFormSet):
            continue  # its forms were recorded one by one
        for field_name, field in instance.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                found.append((type(instance).__name__, field_name, field))
    return found


@pytest.mark.parametrize("role", USERS_OF_CENTRE_A)
def test_every_choice_on_every_form_is_something_the_user_may_see(client, world, built_forms, role):
    user = world.users[role]
    client.force_login(user)
    open_every_page(client, world)
    leaks = []
    for form_name, field_name, field in choice_fields(built_forms):
        model = field.queryset.model
        offered = set(field.queryset.values_list("pk", flat=True))
        allowed = set(visible(model, user).values_list("pk", flat=True))
        if offered - allowed:
            leaks.append((form_name, field_name, model.__name__, sorted(offered - allowed)))
    assert leaks == []


def test_every_form_with_model_choices_is_built_by_some_page(client, world, built_forms):
    """Coordinators reach every form; a form no page builds is a form this module
    cannot check — give it a page (or a URL in `extra_urls`) before it ships."""
    client.force_login(world.users["coordinator"])
    open_every_page(client, world)
    seen = {type(instance) for instance in built_forms}
    # An inline formset's rows are of a class its factory derives from the form named
    # in forms.py (cases.forms.PlanActionForm): a row of a subclass counts as built.
    unchecked = [
        name
        for name, cls in app_form_classes().items()
        if has_model_choices(cls) and not any(issubclass(built, cls) for built in seen)
    ]
    assert unchecked == []


def test_the_sweep_sees_the_forms_it_claims_to():
    """The discovery itself: it finds the forms we know of, and their choice fields."""
    names = {name for name, cls in app_form_classes().items() if has_model_choices(cls)}
    assert {
        "cases.forms.VisitForm",
        "cases.forms.CaseForm",
        "cases.forms.VisitIncomeFormSet",
        "cases.forms.HouseholdFormSet",
        "volunteers.forms.AddMemberForm",
        "cases.forms.BulkAssignForm",
    } <= names
    assert {"cases.forms.StatusForm", "cases.forms.CloseForm"}.isdisjoint(names)


def test_the_unassigned_case_visit_form_offers_the_centres_active_volunteers_only(
    client, world, built_forms
):
    client.force_login(world.users["coordinator"])
    unassigned = Case.objects.get(team=None, center__district_id="1027")
    client.get(reverse("cases:visit-create", args=[unassigned.pk]))
    (form,) = [f for f in built_forms if type(f).__name__ == "VisitForm"]
    offered = set(form.fields["volunteers"].queryset)
    assert offered == set(Volunteer.objects.filter(center=unassigned.center).active())
    assert offered  # not an empty list that trivially passes
