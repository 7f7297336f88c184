"""Property tests: any stream of records imports cleanly and idempotently; any captions file gives
photos or one clean error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.consent import new_record
from companion.persona.bundle.importer import SKIP_DUPLICATE, import_records
from companion.persona.bundle.keys import BundleError
from companion.persona.bundle.maintenance import read_captions, verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.ingest.records import ChatRecord

_counter = itertools.count()

records = st.builds(
    ChatRecord,
    source=st.sampled_from(["whatsapp", "telegram", "text"]),
    conversation=st.sampled_from(["a", "b", "家"]),
    speaker=st.sampled_from(["Rose", "rose ", "Ann", "", "Bob"]),
    text=st.text(min_size=0, max_size=40),
    time=st.one_of(st.none(), st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1))),
    record_id=st.one_of(st.none(), st.sampled_from(["1", "2", "3"])),
    reply_to=st.one_of(st.none(), st.sampled_from(["1", "2", "3", "99"])),
    is_group=st.booleans(),
)


def test_any_records_import_cleanly_and_only_once(tmp_path: Path) -> None:
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    bundle = Bundle.create(tmp_path / "b", b"property-pass", PersonaCard("Rose", "Rose", "en", ("?",)), consent)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(batch=st.lists(records, max_size=25), include_groups=st.booleans())
    def check(batch: list[ChatRecord], include_groups: bool) -> None:
        # A fresh conversation name per example keeps examples independent (and replayable).
        example = next(_counter)
        batch = [dataclasses.replace(r, conversation=f"{example}-{r.conversation}") for r in batch]
        before = (bundle.count("records"), bundle.count("reply_pairs"))
        summary = import_records(bundle, batch, filename="x", file_sha256=f"{next(_counter):064x}", fmt="whatsapp",
                                 speaker="ROSE", include_groups=include_groups, progress=False,
                                 redactor=lambda text: text)
        assert summary.read == len(batch)
        assert bundle.count("records") == before[0] + summary.kept + summary.contexts
        assert bundle.count("reply_pairs") == before[1] + summary.pairs
        # A message repeated word for word is stored once but may answer two different things.
        assert summary.pairs <= summary.kept + summary.skipped[SKIP_DUPLICATE]
        again = import_records(bundle, batch, filename="x", file_sha256=f"{next(_counter):064x}", fmt="whatsapp",
                               speaker="ROSE", include_groups=include_groups, progress=False,
                               redactor=lambda text: text)
        assert again.kept == again.contexts == again.pairs == 0

    check()
    assert verify_bundle(bundle).ok
    bundle.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300))
def test_any_captions_file_gives_photos_or_one_clean_error(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "captions.csv").write_bytes(content)
    try:
        photos = read_captions(tmp_path)
    except BundleError as exc:
        assert exc.where
        return
    for path, caption in photos:
        assert tmp_path.resolve() in path.parents and isinstance(caption, str)
