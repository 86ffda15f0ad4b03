from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import (
    ApiKey,
    Membership,
    Organization,
    Team,
    TeamBan,
    TeamJoinRequest,
    TeamMembership,
    TeamRead,
    User,
)


@admin.register(User)
class OuroUserAdmin(UserAdmin):
    """Django's user admin, with the actor type and the administrator's verification."""

    list_display = (*UserAdmin.list_display, "actor_type", "verified")
    list_filter = (*UserAdmin.list_filter, "actor_type", "verified")
    fieldsets = (*UserAdmin.fieldsets, ("Actor", {"fields": ("actor_type", "verified")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Actor", {"classes": ("wide",), "fields": ("actor_type", "verified")}),
    )


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "created_at")
    search_fields = ("name",)
    inlines = [TeamInline, MembershipInline]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_default", "visibility", "join_policy")
    list_filter = ("visibility", "join_policy")
    inlines = [TeamMembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role", "created_at")
    raw_id_fields = ("user", "team")


@admin.register(TeamJoinRequest)
class TeamJoinRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "status", "created_at", "reviewed_at")
    list_filter = ("status",)
    raw_id_fields = ("user", "team")


@admin.register(TeamBan)
class TeamBanAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "reason", "created_at")
    raw_id_fields = ("user", "team")


@admin.register(TeamRead)
class TeamReadAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "read_at")
    raw_id_fields = ("user", "team")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
