"""Model fields for personal data at rest."""

from django.db import models

from .crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python code sees the clear text.

    The column cannot be searched or ordered by its clear value: keep a `lookup_hash` beside
    it for equality lookups.
    """

    def from_db_value(self, value, expression, connection):
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_text(value) if value else value
