"""How Mailchimp's audience members read to a person: labels in Dutch and English, kinds, codes.

Facts come from the Mailchimp Marketing API v3 reference, as the sandbox fake cites it
(`connectors/mailchimp/fake/__init__.py`, its source [S1]: the API's list-member, member-notes
and activity-feed schemas): a member's `status` is one of `subscribed`, `unsubscribed`,
`cleaned` (the address bounced), `pending` (waiting for the person's confirmation),
`transactional` (synced from the shop, never signed up) or `archived`; `merge_fields` hold the
audience's own fields (FNAME, LNAME, ADDRESS, PHONE, BIRTHDAY as MM/DD); `ip_signup` and
`timestamp_signup`, `ip_opt` and `timestamp_opt` record the sign-up and the confirmation;
`location` is Mailchimp's estimate from the IP address; `stats` the open and click rates and,
for a connected store, the orders; `member_rating` 1-5 stars of engagement. The activity feed's
`activity_type`s are those the fake's docstring lists from the spec's alternative schemas.
Dates are ISO 8601 with an offset. The connector adds `audience_name`, `notes` and `activity`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

STATUS: Mapping[str, Words] = {
    "subscribed": Words("Ingeschreven", "Subscribed"),
    "unsubscribed": Words("Uitgeschreven", "Unsubscribed"),
    "cleaned": Words("Verwijderd: het adres was onbereikbaar", "Cleaned: the address bounced"),
    "pending": Words("Wacht op uw bevestiging", "Waiting for your confirmation"),
    "transactional": Words(
        "Alleen opgenomen via de winkel, niet ingeschreven", "Added by the shop, never subscribed"
    ),
    "archived": Words("Gearchiveerd", "Archived"),
}
ACTIVITY: Mapping[str, Words] = {
    "sent": Words("E-mail verstuurd", "E-mail sent"),
    "open": Words("E-mail geopend", "E-mail opened"),
    "click": Words("Link aangeklikt", "Link clicked"),
    "bounce": Words("E-mail kwam niet aan", "E-mail bounced"),
    "unsub": Words("Uitgeschreven", "Unsubscribed"),
    "note": Words("Notitie van de winkel", "Note by the shop"),
    "marketing_permission": Words(
        "Toestemming gegeven of gewijzigd", "Permission given or changed"
    ),
    "website_signup": Words("Ingeschreven via de website", "Signed up on the website"),
    "order": Words("Bestelling in de winkel", "Order in the shop"),
}

MEMBER = RecordView(
    label=Words("Inschrijving voor een mailinglijst", "Mailing list membership"),
    title="audience_name",
    when="timestamp_signup",
    fields=(
        Field("audience_name", Words("Mailinglijst", "Mailing list")),
        Field("email_address", Words("E-mail", "E-mail"), Kind.email),
        Field("status", Words("Status", "Status"), Kind.code, codes=STATUS),
        Field("full_name", Words("Naam", "Name")),
        Field("merge_fields.FNAME", Words("Voornaam", "First name")),
        Field("merge_fields.LNAME", Words("Achternaam", "Last name")),
        Field("merge_fields.PHONE", Words("Telefoon", "Phone")),
        Field("merge_fields.BIRTHDAY", Words("Verjaardag (maand/dag)", "Birthday (month/day)")),
        Field("merge_fields.ADDRESS.addr1", Words("Adres", "Address")),
        Field("merge_fields.ADDRESS.addr2", Words("Adresregel 2", "Address line 2")),
        Field("merge_fields.ADDRESS.zip", Words("Postcode", "Postcode")),
        Field("merge_fields.ADDRESS.city", Words("Plaats", "City")),
        Field("merge_fields.ADDRESS.state", Words("Provincie", "Province")),
        Field("merge_fields.ADDRESS.country", Words("Land", "Country")),
        Field("source", Words("Hoe toegevoegd", "How added")),
        Field("timestamp_signup", Words("Ingeschreven op", "Signed up on"), Kind.datetime),
        Field("ip_signup", Words("IP-adres bij inschrijven", "IP address at sign-up")),
        Field("timestamp_opt", Words("Bevestigd op", "Confirmed on"), Kind.datetime),
        Field("ip_opt", Words("IP-adres bij bevestigen", "IP address at confirmation")),
        Field("last_changed", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
        Field("unsubscribe_reason", Words("Reden van uitschrijven", "Reason for unsubscribing")),
        Field("language", Words("Taal", "Language")),
        Field("email_client", Words("E-mailprogramma", "E-mail program")),
        Field("vip", Words("VIP-lid", "VIP member"), Kind.boolean),
        Field(
            "member_rating",
            Words("Betrokkenheid (1-5 sterren)", "Engagement (1-5 stars)"),
            Kind.number,
        ),
        Field(
            "stats.avg_open_rate",
            Words("Deel van de e-mails geopend", "Share of e-mails opened"),
            Kind.number,
        ),
        Field(
            "stats.avg_click_rate",
            Words("Deel van de e-mails aangeklikt", "Share of e-mails clicked"),
            Kind.number,
        ),
        Field(
            "stats.ecommerce_data.number_of_orders",
            Words("Bestellingen bekend bij Mailchimp", "Orders known to Mailchimp"),
            Kind.number,
        ),
        Field(
            "stats.ecommerce_data.total_revenue",
            Words("Totaal besteed volgens Mailchimp", "Total spent according to Mailchimp"),
            Kind.money,
            currency="stats.ecommerce_data.currency_code",
        ),
        Field(
            "location.country_code", Words("Geschatte locatie: land", "Estimated location: country")
        ),
        Field("location.region", Words("Geschatte locatie: regio", "Estimated location: region")),
        Field(
            "location.latitude",
            Words("Geschatte locatie: breedtegraad", "Estimated location: latitude"),
            Kind.number,
        ),
        Field(
            "location.longitude",
            Words("Geschatte locatie: lengtegraad", "Estimated location: longitude"),
            Kind.number,
        ),
        Field("location.timezone", Words("Tijdzone", "Time zone")),
        Field(
            "consents_to_one_to_one_messaging",
            Words("Toestemming voor persoonlijke berichten", "Consent to one-to-one messages"),
            Kind.boolean,
        ),
        Field("sms_phone_number", Words("Telefoon voor sms", "Phone for text messages")),
        Field("last_note.note", Words("Laatste notitie van de winkel", "Shop's latest note")),
    ),
    lines=(
        Lines("tags", Words("Labels", "Tags"), (Field("name", Words("Label", "Tag")),)),
        Lines(
            "marketing_permissions",
            Words("Toestemmingen", "Permissions"),
            (
                Field("text", Words("Waarvoor", "For")),
                Field("enabled", Words("Gegeven", "Given"), Kind.boolean),
            ),
        ),
        Lines(
            "notes",
            Words("Notities van de winkel", "Notes by the shop"),
            (
                Field("created_at", Words("Geschreven op", "Written on"), Kind.datetime),
                Field("created_by", Words("Door", "By")),
                Field("note", Words("Notitie", "Note")),
            ),
        ),
        Lines(
            "activity",
            Words("Activiteit", "Activity"),
            (
                Field("created_at_timestamp", Words("Wanneer", "When"), Kind.datetime),
                Field("activity_type", Words("Wat", "What"), Kind.code, codes=ACTIVITY),
                Field("campaign_title", Words("E-mail", "E-mail")),
                Field("link_clicked", Words("Link", "Link"), Kind.url),
                Field("order_id", Words("Bestelling", "Order")),
                Field("order_total", Words("Bedrag van de bestelling", "Order total"), Kind.money),
            ),
        ),
    ),
    internal=(
        "_links",
        "id",
        "contact_id",
        "unique_email_id",
        "web_id",
        "list_id",
        "email_type",
        "interests",
        "tags_count",
        "location.gmtoff",
        "location.dstoff",
        "last_note.note_id",
        "last_note.created_at",
        "last_note.created_by",
        "sms_subscription_status",
        "sms_subscription_last_updated",
    ),
)

VIEWS: dict[str, RecordView] = {"audience_member": MEMBER}
