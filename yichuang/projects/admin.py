from django.contrib import admin

from .models import Commitment, Project, StageDefinition


@admin.register(StageDefinition)
class StageDefinitionAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "target_days", "counts_toward_target", "government_bundle", "private_bundle")
    ordering = ("number",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only: projects change through their services (registration, stage applications)."""

    list_display = ("code", "name", "owner", "investment_kind", "current_stage")
    search_fields = ("code", "name", "owner__name")
    list_filter = ("investment_kind", "current_stage")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("project", "item_name", "department", "check_due", "state")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
