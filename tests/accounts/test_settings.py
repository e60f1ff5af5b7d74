"""A member edits their profile: text fields, an avatar checked by its content, email on/off."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

URL = "/settings/profile/"


def png(width=8, height=8, mode="RGB", name="me.png"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color=1 if mode == "1" else (30, 90, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fields(**overrides):
    data = {"display_name": "Mia M.", "bio": "Widget fan.", "region": "Lyon, France",
            "languages": "French, English", "products": "Widget Pro", "email_notifications": "on"}
    data.update(overrides)
    return data


def test_signing_in_is_required(anon_client, db):
    page = anon_client.get(URL)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_login"))
    assert anon_client.post(URL, fields()).status_code == 302


def test_the_form_starts_with_the_members_profile(member_client, member):
    member.region = "Lyon, France"
    member.save()
    text = member_client.get(URL).content.decode()
    assert 'value="Mia Member"' in text
    assert 'value="Lyon, France"' in text


def test_a_member_saves_their_profile_and_sees_it_on_their_page(member_client, member):
    page = member_client.post(URL, fields(), follow=True)
    assert page.redirect_chain == [(URL, 302)]
    assert "Your profile is saved." in page.content.decode()
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.region) == ("Mia M.", "Widget fan.", "Lyon, France")
    assert member.languages == "French, English" and member.products == "Widget Pro"
    profile = member_client.get(reverse("profile", args=["member"])).content.decode()
    assert "Lyon, France" in profile and "Widget fan." in profile


def test_turning_email_notifications_off_and_on(member_client, member):
    data = fields()
    del data["email_notifications"]  # an unticked checkbox is not sent
    member_client.post(URL, data)
    member.refresh_from_db()
    assert member.email_notifications is False
    member_client.post(URL, fields())
    member.refresh_from_db()
    assert member.email_notifications is True


def test_a_too_long_display_name_is_refused_naming_the_field(member_client, member):
    page = member_client.post(URL, fields(display_name="x" * 81))
    assert page.status_code == 400
    assert "at most 80 characters" in page.content.decode()
    assert 'id="id_display_name_error"' in page.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Mia Member"


def test_a_real_png_becomes_the_avatar_and_shows_on_the_profile(member_client, member):
    page = member_client.post(URL, fields(avatar=png()))
    assert page.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith("avatars/") and member.avatar.name.endswith(".png")
    profile = member_client.get(reverse("profile", args=["member"])).content.decode()
    assert member.avatar.url in profile


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("cat.png", b"#!/bin/sh\necho not an image\n", content_type="image/png"),
         "not an image"),
        (SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10), content_type="image/png"),
         "too large"),
    ],
    ids=["renamed-text-file", "too-large-file"],
)
def test_an_upload_that_is_not_a_usable_image_is_refused(member_client, member, upload, reason):
    page = member_client.post(URL, fields(avatar=upload))
    assert page.status_code == 400
    text = page.content.decode()
    assert reason in text
    assert 'id="id_avatar_error"' in text  # the message sits by the avatar field
    member.refresh_from_db()
    assert not member.avatar
    assert member.display_name == "Mia Member"  # nothing else was half-saved


def test_a_huge_image_is_refused_by_its_dimensions(member_client, member):
    page = member_client.post(URL, fields(avatar=png(10000, 10000, mode="1", name="huge.png")))
    assert page.status_code == 400
    assert "10000×10000" in page.content.decode()
    assert 'id="id_avatar_error"' in page.content.decode()
    member.refresh_from_db()
    assert not member.avatar


def test_a_refused_avatar_keeps_the_previous_one(member_client, member):
    member_client.post(URL, fields(avatar=png()))
    member.refresh_from_db()
    before = member.avatar.name
    member_client.post(URL, fields(avatar=SimpleUploadedFile("x.png", b"nope", content_type="image/png")))
    member.refresh_from_db()
    assert member.avatar.name == before


def test_removing_the_avatar_brings_back_the_initials(member_client, member):
    member_client.post(URL, fields(avatar=png()))
    member_client.post(URL, fields(remove_avatar="on"))
    member.refresh_from_db()
    assert not member.avatar
    assert "avatar-initials" in member_client.get(reverse("profile", args=["member"])).content.decode()


def test_one_member_cannot_edit_another(other_client, member, other):
    other_client.post(URL, fields(display_name="Hijacked"))
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.display_name == "Mia Member"
    assert other.display_name == "Hijacked"  # the form only ever edits the signed-in member
