"""The event bus behind one interface: Kafka when distributed, in-process when embedded."""

from shared.bus.base import Bus, BusMessage, MessageHandler
from shared.bus.inprocess import InProcessBus

__all__ = ["Bus", "BusMessage", "InProcessBus", "MessageHandler"]
