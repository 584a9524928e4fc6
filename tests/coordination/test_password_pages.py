"""Changing one's password in Thai: Django's own form and validators, whose messages
Django's Thai catalogue leaves in English, read in Thai (coordination/django_strings.py)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_password_change_page_is_thai_throughout(coordinator_client):
    html = coordinator_client.get(reverse("password_change")).content.decode()
    assert "<h1>เปลี่ยนรหัสผ่าน</h1>" in html
    for thai in [
        "รหัสผ่านเก่า",
        "รหัสผ่านใหม่",
        "รหัสผ่านต้องไม่คล้ายกับข้อมูลส่วนตัวอื่นของท่าน",
        "รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร",
        "รหัสผ่านต้องไม่ใช่รหัสที่มีคนใช้กันทั่วไป",
        "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด",
        "กรอกรหัสผ่านใหม่อีกครั้งให้เหมือนเดิม เพื่อยืนยัน",
    ]:
        assert thai in html, thai
    assert "Your password" not in html and "for verification" not in html


def test_a_weak_new_password_is_refused_in_thai_and_the_old_one_stays(
    coordinator_client, coordinator
):
    before = coordinator.password
    response = coordinator_client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": "1234", "new_password2": "1234"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร" in html
    assert "รหัสผ่านนี้มีคนใช้กันมากเกินไป" in html
    assert "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in html
    assert "too short" not in html
    coordinator.refresh_from_db()
    assert coordinator.password == before


def test_a_password_like_ones_name_is_refused_in_thai(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "coordinator1",
            "new_password2": "coordinator1",
        },
    )
    assert "รหัสผ่านคล้ายกับชื่อผู้ใช้มากเกินไป" in response.content.decode()


def test_a_good_new_password_is_taken_and_the_done_page_is_thai(coordinator_client, coordinator):
    new = "ห้องสมุดริมน้ำ2569"
    response = coordinator_client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "<h1>เปลี่ยนรหัสผ่านแล้ว</h1>" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(new)


def test_the_password_page_in_english(coordinator_client):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = coordinator_client.get(reverse("password_change")).content.decode()
    assert "Old password" in html and "Your password can’t be entirely numeric." in html
