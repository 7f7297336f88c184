"""Data minimisation (ETHICS.md C7): phones, e-mail and street addresses become tags; ordinary
numbers stay."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.persona.redact import (
    ADDRESS_TAG,
    EMAIL_TAG,
    PHONE_TAG,
    find_sensitive,
    redact,
    redact_counting,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me at +1 555 123 4567 tonight", "Call me at [phone] tonight"),
        ("Office: (555) 123-4567.", "Office: [phone]."),
        ("cell 555-123-4567, home 555.987.6543", "cell [phone], home [phone]"),
        ("UK: +44 20 7946 0958 or 020 7946 0958", "UK: [phone] or [phone]"),
        ("mobile 07700 900123", "mobile [phone]"),
        ("+86 138 0013 8000", "[phone]"),
        ("+8613800138000", "[phone]"),
        ("电话13800138000吧", "电话[phone]吧"),
        ("我的手机是138-0013-8000，座机010-12345678", "我的手机是[phone]，座机[phone]"),
        ("Mail anna.b@example.co.uk now", f"Mail {EMAIL_TAG} now"),
        ("邮箱abc_123@qq.com", f"邮箱{EMAIL_TAG}"),
        ("I live at 12 Elm Street, Apt 4B now", f"I live at {ADDRESS_TAG} now"),
        ("Send it to 221B Baker St. please", f"Send it to {ADDRESS_TAG} please"),
        ("Suite 300 is upstairs", f"{ADDRESS_TAG} is upstairs"),
        ("我住在中山路123号3栋502室", f"我住在{ADDRESS_TAG}"),
        ("他家在解放街5号，常来玩", f"他家在{ADDRESS_TAG}，常来玩"),
        ("阳光小区3号楼2单元", ADDRESS_TAG),
    ],
)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2019 we paid $1,299.99 for it",
        "See you at 12:30 on 2020-12-31 or 12/31/2020",
        "We won 3-2; 100 people came, 1,000,000 views",
        "version 1.2.3.4567 and order 4567-8901",
        "#1 fan, and Unit of work, on the 2nd floor",
        "Born 1938, married 1960, 4 kids, 11 grandkids",
        "价格是128.50元，2023年5月1日下午3点",
        "我们3号见，五一路过你家",
        "Pi is 3.14159265358979",
        "Temperature 36.6, pulse 72, weight 68.5kg",
        "ISBN 978-3-16-148410-0",
        "I was 12 years old in 1950",
        "",
    ],
)
def test_leaves_ordinary_numbers_alone(text: str) -> None:
    assert redact(text) == text


def test_counting_reports_kinds() -> None:
    counts: Counter[str] = Counter()
    assert redact_counting("a@b.co and +1 555 123 4567 at 1 Main Street", counts) == (
        f"{EMAIL_TAG} and {PHONE_TAG} at {ADDRESS_TAG}"
    )
    assert counts == {"email": 1, "phone": 1, "address": 1}


def test_finds_do_not_overlap() -> None:
    found = find_sensitive("write 13800138000@qq.com or call 13800138000")
    assert [item.kind for item in found] == ["email", "phone"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


FAST = settings(max_examples=150, deadline=500, derandomize=True)
TAG = re.compile(r"\[(?:phone|email|address)\]")


@FAST
@given(st.text(max_size=300))
def test_any_text_redacts_quickly_and_idempotently(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    if not find_sensitive(text):
        assert once == text


digits = st.text(alphabet="0123456789", min_size=1, max_size=4)


@FAST
@given(year=st.integers(1900, 2099), price=st.integers(0, 99_999), cents=st.integers(0, 99),
       hour=st.integers(0, 23), minute=st.integers(0, 59), count=st.integers(0, 999_999))  # fmt: skip
def test_years_prices_times_dates_counts_survive(year: int, price: int, cents: int, hour: int, minute: int,
                                                  count: int) -> None:  # fmt: skip
    text = (f"In {year} it cost ${price:,}.{cents:02d} at {hour:02d}:{minute:02d} on {year}-{(count % 12) + 1:02d}-"
            f"{(count % 28) + 1:02d}; {count:,} people, {count} votes, {price} 元")  # fmt: skip
    assert redact(text) == text


@FAST
@given(prefix=st.text(max_size=30), suffix=st.text(max_size=30),
       number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))  # fmt: skip
def test_chinese_mobiles_anywhere_in_chinese_text(prefix: str, suffix: str, number: str) -> None:
    text = f"{prefix}我的电话是{number}，{suffix}"
    assert number not in redact(text)


@FAST
@given(user=st.from_regex(r"[a-z][a-z0-9._]{0,10}", fullmatch=True), host=st.from_regex(r"[a-z]{1,10}", fullmatch=True),
       tld=st.sampled_from(["com", "org", "cn", "co.uk"]), around=st.text(max_size=20))  # fmt: skip
def test_emails_are_always_redacted(user: str, host: str, tld: str, around: str) -> None:
    address = f"{user}@{host}.{tld}"
    assert address not in redact(f"{around} {address} {around}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appelle-moi au 06 12 34 56 78 ce soir", "appelle-moi au [phone] ce soir"),
        ("fixe 01 23 45 67 89", "fixe [phone]"),
        ("ring 030 12345678 an", "ring [phone] an"),
        ("liga 912 345 678", "liga [phone]"),
        ("+351 212 345 678", "[phone]"),
        ("0049 30 1234567", "[phone]"),
        ("手机１３８００１３８０００", "手机[phone]"),
        ("身份证110101199003074514", "身份证[id number]"),
        ("escreve para joao(at)gmail.com", "escreve para [email]"),
        ("ana [at] web [dot] de", "[email]"),
        ("Mora na Rua das Flores, 123, 2º Esq.", "Mora na [address]"),
        ("12 bis rue de la Paix", "[address]"),
        ("Hauptstraße 5 in Berlin", "[address] in Berlin"),
        ("Calle Mayor 5, 3º B", "[address]"),
        ("浙江省杭州市西湖区文三路90号", "[address]"),
        ("CEP 01310-100", "CEP [address]"),
    ],
)
def test_redacts_local_formats(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["order 4567-8901", "I walked down Rue de la Paix", "Mein Geburtsjahr 1942", "身份证号码我忘了", "110101199003074515"],
)
def test_local_formats_leave_ordinary_text(text: str) -> None:
    assert redact(text) == text
