"""A consumer used by the worker tests (loaded through SHENGUAN_EXTRA_CONSUMERS)."""

import os
import time

from shenguan.core import journal
from shenguan.core.consumers import consumer


@consumer("test.effect", "test.*")
def apply_effect(event):
    time.sleep(float(os.environ.get("SG_TEST_CONSUMER_SLEEP", "0")))
    if event.payload.get("fail"):
        raise RuntimeError("this consumer was told to fail")
    journal.record("test.effect.applied", object_type="core.outboxevent", object_id=str(event.id))
