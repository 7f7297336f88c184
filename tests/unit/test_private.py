"""private_reason: codes, passwords, card/account numbers, IBANs, IDs, addresses and contact details
are private; ordinary reminiscence with numbers is not (issue 19 item 1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.persona.private import iban_ok, luhn_ok, private_reason

PRIVATE = [
    "The code word for the bank is bluebird, remember it",
    "Your PIN is 4821",
    "the alarm code is 1942#",
    "the wifi password is Bluebird7",
    "safe combination 12-34-56",
    "card 4111 1111 1111 1111",
    "IBAN DE89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432",
    "call Tom on 07700 900123",
    "Tom's number is 555-123-4567",
    "his email is tom(at)gmail.com",
    "she lives at 12 Elm Street",
    "密码是123456",
    "我的银行卡号6222 0212 3456 7890 128",
    "暗号是“天王盖地虎”",
    "身份证110101199003074514",
    "小王的手机是13912345678",
    "她住在中山路123号3栋502室",
    "A senha é 4321",
    "Mora na Rua das Flores, 123",
    "le code de la porte: 4B21",
    "mot de passe : soleil",
    "appelle Marie au 06 12 34 56 78",
    "das Passwort ist Sonnenblume",
    "Sie wohnt in der Hauptstraße 5",
    'la contraseña es "gato"',
    "El código del portal es 1234",
    "手机１３８００１３８０００",
]

ORDINARY = [
    "I was born in 1942",
    "we had 4 kids",
    "room 12",
    "We married in 1960 and lived in Leeds",
    "Grandpa used to say the secret of life is patience",
    "the password is in the drawer, love",
    "I baked 24 cookies for 3 hours at 180 degrees",
    "pins and needles in my feet",
    "我们1998年搬到北京，住了十年",
    "他今年85岁了，还天天散步",
    "the combination of flour and eggs",
    "our phone number changed in 1999",
    "I paid 12,000 for the car in 1975",
    "Room 101 at the hospital",
    "My code of conduct is simple",
    "flight BA 2490 at 14:30",
    "the number of guests was 120",
    "We walked down Rue de la Paix every Sunday",
    "Nasci em 1950 e tive 3 filhos",
    "J'avais 20 ans en 1962",
    "Wir hatten 4 Kinder und 9 Enkel",
    "",
]


@pytest.mark.parametrize("text", PRIVATE)
def test_private_texts_are_flagged(text: str) -> None:
    assert private_reason(text) is not None


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_reminiscence_is_not(text: str) -> None:
    assert private_reason(text) is None


def test_redaction_tags_are_not_private() -> None:
    assert private_reason("call [phone] or write to [email] at [address]") is None


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE88 3704 0044 0532 0130 00")
    assert private_reason("ref 4111 1111 1111 1112") is None  # fails Luhn: an order number


@settings(max_examples=150, deadline=200, derandomize=True)
@given(year=st.integers(1900, 2030), count=st.integers(0, 999), age=st.integers(1, 110))
def test_years_counts_and_ages_are_never_private(year: int, count: int, age: int) -> None:
    assert private_reason(f"In {year} we had {count} guests and I was {age}; room {count}.") is None
    assert private_reason(f"{year}年我{age}岁，家里有{count}只鸡") is None


@settings(max_examples=100, deadline=200, derandomize=True)
@given(st.text(max_size=400))
def test_any_text_gives_a_reason_or_none(text: str) -> None:
    reason = private_reason(text)
    assert reason is None or isinstance(reason, str)
