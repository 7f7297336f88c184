"""FairLock serves waiting threads in the order they asked: a thread that lets the lock go and asks
again at once (the synonym warm-up, chunk after chunk) goes behind one already waiting (a turn's
crisis check), which a plain threading.Lock does not promise."""

from __future__ import annotations

import threading

import pytest
from companion.fairlock import FairLock, background


def test_a_thread_that_asks_again_goes_behind_the_one_waiting() -> None:
    lock, order = FairLock(), []

    def turn(name: str) -> None:
        with lock:
            order.append(name)

    lock.acquire()
    waiter = threading.Thread(target=turn, args=("crisis check",))
    waiter.start()
    assert lock.wait_for_waiting(2, 60), "the crisis check to queue"
    lock.release()
    turn("warm-up, next chunk")  # asks again at once: served after the thread that was waiting
    waiter.join()
    assert order == ["crisis check", "warm-up, next chunk"]


def test_waiters_are_served_in_the_order_they_asked() -> None:
    lock, order = FairLock(), []

    def turn(name: str) -> None:
        with lock:
            order.append(name)

    lock.acquire()
    threads = []
    for number, name in enumerate("abcd", start=2):
        thread = threading.Thread(target=turn, args=(name,))
        thread.start()
        threads.append(thread)
        assert lock.wait_for_waiting(number, 60), f"{name} to queue"
    lock.release()
    for thread in threads:
        thread.join()
    assert order == list("abcd") and lock.waiting == 0


def test_background_work_gives_way_to_a_thread_that_asked_later() -> None:
    lock, order = FairLock(), []

    def warm_up() -> None:
        with background(), lock:
            order.append("warm-up chunk")

    def turn() -> None:
        with lock:
            order.append("crisis check")

    lock.acquire()
    first = threading.Thread(target=warm_up)
    first.start()
    assert lock.wait_for_waiting(2, 60), "the warm-up to queue"
    second = threading.Thread(target=turn)
    second.start()
    assert lock.wait_for_waiting(3, 60), "the turn to queue"
    lock.release()
    first.join()
    second.join()
    assert order == ["crisis check", "warm-up chunk"]
    with lock:  # outside the block this thread is not background work
        assert lock.waiting == 1


def test_an_error_inside_releases_the_lock_and_a_stray_release_is_refused() -> None:
    lock = FairLock()
    with pytest.raises(ValueError), lock:
        raise ValueError("model failed")
    assert lock.waiting == 0
    with lock:
        pass
    with pytest.raises(RuntimeError, match="unheld"):
        lock.release()
