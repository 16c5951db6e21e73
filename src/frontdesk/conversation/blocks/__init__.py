"""The building blocks; importing this package registers every one of them."""

from frontdesk.conversation.blocks.ask_reason import ask_reason
from frontdesk.conversation.blocks.book_appointment import book_appointment
from frontdesk.conversation.blocks.cancel_appointment import cancel_appointment
from frontdesk.conversation.blocks.check_caller import check_caller
from frontdesk.conversation.blocks.check_coverage import check_coverage
from frontdesk.conversation.blocks.choose_location import choose_location
from frontdesk.conversation.blocks.choose_medication import choose_medication
from frontdesk.conversation.blocks.choose_provider import choose_provider
from frontdesk.conversation.blocks.confirm_appointment import confirm_appointment
from frontdesk.conversation.blocks.confirm_booking import confirm_booking
from frontdesk.conversation.blocks.confirm_pharmacy import confirm_pharmacy
from frontdesk.conversation.blocks.find_appointment import find_appointment
from frontdesk.conversation.blocks.find_slots import find_slots
from frontdesk.conversation.blocks.identify_patient import identify_patient
from frontdesk.conversation.blocks.next_intent import next_intent
from frontdesk.conversation.blocks.offer_slots import offer_slots
from frontdesk.conversation.blocks.register_patient import register_patient
from frontdesk.conversation.blocks.start_call import start_call
from frontdesk.conversation.blocks.submit_refill import submit_refill
from frontdesk.conversation.blocks.take_insurance import take_insurance
from frontdesk.conversation.blocks.wrap_up import wrap_up

__all__ = [
    "ask_reason",
    "book_appointment",
    "cancel_appointment",
    "check_caller",
    "check_coverage",
    "choose_location",
    "choose_medication",
    "choose_provider",
    "confirm_appointment",
    "confirm_booking",
    "confirm_pharmacy",
    "find_appointment",
    "find_slots",
    "identify_patient",
    "next_intent",
    "offer_slots",
    "register_patient",
    "start_call",
    "submit_refill",
    "take_insurance",
    "wrap_up",
]
