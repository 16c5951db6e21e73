"""The building blocks; importing this package registers every one of them."""

from frontdesk.conversation.blocks.book_appointment import book_appointment
from frontdesk.conversation.blocks.choose_provider import choose_provider
from frontdesk.conversation.blocks.confirm_booking import confirm_booking
from frontdesk.conversation.blocks.find_slots import find_slots
from frontdesk.conversation.blocks.identify_patient import identify_patient
from frontdesk.conversation.blocks.offer_slots import offer_slots
from frontdesk.conversation.blocks.start_call import start_call
from frontdesk.conversation.blocks.wrap_up import wrap_up

__all__ = [
    "book_appointment",
    "choose_provider",
    "confirm_booking",
    "find_slots",
    "identify_patient",
    "offer_slots",
    "start_call",
    "wrap_up",
]
