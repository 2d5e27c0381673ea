"""The event bus behind one interface: Kafka when distributed, in-process when embedded."""

from shared.bus.base import BatchHandler, Bus, BusMessage, MessageHandler
from shared.bus.inprocess import InProcessBus

__all__ = ["BatchHandler", "Bus", "BusMessage", "InProcessBus", "MessageHandler"]
