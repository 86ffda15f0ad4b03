from apps.services.management.commands.import_openapi import Command as ImportOpenApi


class Command(ImportOpenApi):
    help = "Same as import_openapi: " + ImportOpenApi.help
