"""Admin fixtures: a superuser, and a logged-in client per persona."""

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas are created with passwords; a slow hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@parley.example", "correct horse battery")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst_client(analyst) -> Client:
    return _client_for(analyst)


@pytest.fixture
def editor_client(editor) -> Client:
    return _client_for(editor)


@pytest.fixture
def superuser_client(superuser) -> Client:
    return _client_for(superuser)
