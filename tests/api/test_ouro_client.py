import pytest
from ouro import AuthenticationError

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_official_client_connects_and_reads_the_user(ouro_client, alice, alice_key):
    ouro = ouro_client(alice_key)
    assert ouro.user.username == "alice"
    assert ouro.user.email == "alice@example.org"
    assert ouro.users.me().username == "alice"
    assert str(ouro.organizations.get_context().id) == "00000000-0000-0000-0000-000000000000"


def test_the_official_client_raises_authentication_error_for_a_bad_key(ouro_client, alice):
    with pytest.raises(AuthenticationError):
        ouro_client("ouro_this-key-does-not-exist")
