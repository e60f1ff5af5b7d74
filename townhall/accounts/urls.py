from django.urls import path

from townhall.accounts import views

urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/profile/", views.settings_profile, name="settings_profile"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.revoke_token, name="settings_token_revoke"),
]
