"""How The Feedback Company's records read to a person: labels in Dutch and English, kinds, codes.

The Feedback Company publishes no API reference; vendor-apis.md §6 (SECONDARY: the shop plugins
and clients that call its v2 API) gives what is known: an invitation is what a shop sends with
`POST /orders` (`external_id`: the order number, `customer{email, fullname}`,
`invitation{delay, reminder}` with `unit` "days" and `amount`; reminder amount 0: no
reminder); a review shows `id, date_created, total_score` (0-5), `recommends`, `client{name}`
and `questions[{question_id, value}]`. The invitations' own fields (`date_scheduled`,
`date_sent`, `status` pending/sent/reviewed) and a review's `client.city` and question `title`
are UNCONFIRMED: they follow the sandbox fake (`connectors/feedbackcompany/fake.py`, `seed.py`).
Dates are ISO 8601 with the Amsterdam offset.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

INVITATION_STATUS: Mapping[str, Words] = {
    "pending": Words("Nog niet verstuurd", "Not sent yet"),
    "sent": Words("Verstuurd", "Sent"),
    "reviewed": Words("Beoordeling geschreven", "Review written"),
}
UNIT: Mapping[str, Words] = {
    "days": Words("dagen", "days"),
}

INVITATION = RecordView(
    label=Words("Uitnodiging om een beoordeling te schrijven", "Invitation to write a review"),
    title="external_id",
    when="date_created",
    fields=(
        Field("external_id", Words("Bestelnummer", "Order number")),
        Field("customer.fullname", Words("Naam", "Name")),
        Field("customer.email", Words("E-mail", "E-mail"), Kind.email),
        Field("status", Words("Status", "Status"), Kind.code, codes=INVITATION_STATUS),
        Field("date_created", Words("Aangemaakt op", "Created on"), Kind.datetime),
        Field("date_scheduled", Words("Gepland voor", "Scheduled for"), Kind.datetime),
        Field("date_sent", Words("Verstuurd op", "Sent on"), Kind.datetime),
        Field("invitation.delay.amount", Words("Verstuurd na", "Sent after"), Kind.number),
        Field("invitation.delay.unit", Words("Eenheid", "Unit"), Kind.code, codes=UNIT),
        Field(
            "invitation.reminder.amount",
            Words("Herinnering na (0: geen)", "Reminder after (0: none)"),
            Kind.number,
        ),
    ),
    internal=("id", "invitation.reminder.unit", "products"),
)

REVIEW = RecordView(
    label=Words("Beoordeling van de winkel", "Review of the shop"),
    when="date_created",
    fields=(
        Field("date_created", Words("Geschreven op", "Written on"), Kind.datetime),
        Field("client.name", Words("Naam bij de beoordeling", "Name on the review")),
        Field("client.city", Words("Woonplaats bij de beoordeling", "Town on the review")),
        Field("total_score", Words("Score (0-5)", "Score (0-5)"), Kind.number),
        Field("recommends", Words("Beveelt de winkel aan", "Recommends the shop"), Kind.boolean),
    ),
    lines=(
        Lines(
            "questions",
            Words("Antwoorden", "Answers"),
            (
                Field("title", Words("Vraag", "Question")),
                Field("value", Words("Antwoord", "Answer")),
            ),
        ),
    ),
    internal=("id", "product"),
)

VIEWS: dict[str, RecordView] = {
    "review_invitation": INVITATION,
    "feedback_review": REVIEW,
}
