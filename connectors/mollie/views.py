"""How Mollie's records read to a person: labels in Dutch and English, kinds, codes.

Facts come from Mollie's OpenAPI (`/work/shared/specs/mollie/specs.yaml`, mollie/openapi
cfbba47): amounts are `{currency, value}` objects with `value` a string in currency units;
dates are ISO 8601 with an offset. Codes, by schema: `payment-status` (open … failed, with
Mollie's "handling payment status" guide for their meaning), `payment-method` (the methods),
`sequence-type` (oneoff, first, recurring), `refund-status` (queued … canceled),
`mandate-method` and `mandate-status` (valid, pending, invalid), `subscription-status` and
`subscription-method`; the mandate's `details` (`consumerName`, `consumerAccount`,
`consumerBic`, `cardHolder`, `cardNumber` as its last four digits, `cardExpiryDate` as
`YYYY-MM-DD`). A chargeback's `reason` is the card scheme's or bank's `code` with Mollie's
`description`. A payment's `cardExpiryDate` (`MM/YY` in the sandbox) is not in the spec: shown as
text.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, RecordView, Words

PAYMENT_STATUS: Mapping[str, Words] = {
    "open": Words("Nog niet betaald", "Not paid yet"),
    "pending": Words("Wordt verwerkt", "Being processed"),
    "authorized": Words("Goedgekeurd, nog niet afgeschreven", "Authorised, not yet charged"),
    "paid": Words("Betaald", "Paid"),
    "canceled": Words("Geannuleerd", "Cancelled"),
    "expired": Words("Verlopen", "Expired"),
    "failed": Words("Mislukt", "Failed"),
}
METHOD: Mapping[str, Words] = {
    "alma": Words("Alma (betalen in termijnen)", "Alma (pay in instalments)"),
    "applepay": Words("Apple Pay", "Apple Pay"),
    "bacs": Words("Bacs-incasso", "Bacs Direct Debit"),
    "bancomatpay": Words("Bancomat Pay", "Bancomat Pay"),
    "bancontact": Words("Bancontact", "Bancontact"),
    "banktransfer": Words("Overboeking", "Bank transfer"),
    "belfius": Words("Belfius Pay Button", "Belfius Pay Button"),
    "billie": Words("Billie (zakelijk achteraf betalen)", "Billie (business pay later)"),
    "billink": Words("Billink (achteraf betalen)", "Billink (pay later)"),
    "bizum": Words("Bizum", "Bizum"),
    "bitcoin": Words("Bitcoin", "Bitcoin"),
    "blik": Words("BLIK", "BLIK"),
    "creditcard": Words("Creditcard", "Credit card"),
    "directdebit": Words("Automatische incasso (SEPA)", "SEPA Direct Debit"),
    "eps": Words("EPS", "EPS"),
    "giftcard": Words("Cadeaukaart", "Gift card"),
    "giropay": Words("Giropay", "Giropay"),
    "googlepay": Words("Google Pay", "Google Pay"),
    "ideal": Words("iDEAL", "iDEAL"),
    "in3": Words("iDEAL in3 (in drie termijnen)", "iDEAL in3 (in three instalments)"),
    "inghomepay": Words("ING Home'Pay", "ING Home'Pay"),
    "kbc": Words("KBC/CBC-betaalknop", "KBC/CBC Payment Button"),
    "klarna": Words("Klarna", "Klarna"),
    "klarnapaylater": Words("Klarna: achteraf betalen", "Klarna: pay later"),
    "klarnapaynow": Words("Klarna: direct betalen", "Klarna: pay now"),
    "klarnasliceit": Words("Klarna: in termijnen", "Klarna: slice it"),
    "mbway": Words("MB WAY", "MB WAY"),
    "mobilepay": Words("MobilePay", "MobilePay"),
    "multibanco": Words("Multibanco", "Multibanco"),
    "mybank": Words("MyBank", "MyBank"),
    "paybybank": Words("Betalen via uw bank", "Pay by Bank"),
    "paypal": Words("PayPal", "PayPal"),
    "paysafecard": Words("paysafecard", "paysafecard"),
    "podiumcadeaukaart": Words("Podium Cadeaukaart", "Podium gift card"),
    "pointofsale": Words("Betaalautomaat in de winkel", "Card terminal in the shop"),
    "przelewy24": Words("Przelewy24", "Przelewy24"),
    "riverty": Words("Riverty (achteraf betalen)", "Riverty (pay later)"),
    "satispay": Words("Satispay", "Satispay"),
    "sofort": Words("SOFORT-bankoverboeking", "SOFORT Banking"),
    "swish": Words("Swish", "Swish"),
    "trustly": Words("Trustly", "Trustly"),
    "twint": Words("TWINT", "TWINT"),
    "vipps": Words("Vipps", "Vipps"),
    "voucher": Words("Maaltijd- of ecocheque", "Meal or eco voucher"),
}
SEQUENCE: Mapping[str, Words] = {
    "oneoff": Words("Eenmalige betaling", "One-off payment"),
    "first": Words("Eerste betaling van een abonnement", "First payment of a recurring series"),
    "recurring": Words("Terugkerende betaling", "Recurring payment"),
}
REFUND_STATUS: Mapping[str, Words] = {
    "queued": Words("In de wachtrij", "Queued"),
    "pending": Words("Wordt verwerkt", "Being processed"),
    "processing": Words("Wordt uitgevoerd", "Being carried out"),
    "refunded": Words("Terugbetaald", "Refunded"),
    "failed": Words("Mislukt", "Failed"),
    "canceled": Words("Geannuleerd", "Cancelled"),
}
MANDATE_METHOD: Mapping[str, Words] = {
    key: METHOD[key] for key in ("creditcard", "directdebit", "paypal")
}
MANDATE_STATUS: Mapping[str, Words] = {
    "valid": Words("Geldig", "Valid"),
    "pending": Words("Nog niet bevestigd", "Not yet confirmed"),
    "invalid": Words("Ongeldig", "Invalid"),
}
SUBSCRIPTION_STATUS: Mapping[str, Words] = {
    "pending": Words("Nog niet gestart", "Not started yet"),
    "active": Words("Actief", "Active"),
    "canceled": Words("Opgezegd", "Cancelled"),
    "suspended": Words("Opgeschort", "Suspended"),
    "completed": Words("Afgelopen", "Completed"),
}

COMMON_INTERNAL = ("_links", "resource", "mode", "profileId", "webhookUrl")


def _address(prefix: str, nl: str, en: str) -> tuple[Field, ...]:
    return tuple(
        Field(f"{prefix}.{key}", Words(f"{n} ({nl})", f"{e} ({en})"), kind)
        for key, n, e, kind in (
            ("givenName", "Voornaam", "First name", Kind.text),
            ("familyName", "Achternaam", "Last name", Kind.text),
            ("email", "E-mail", "E-mail", Kind.email),
            ("phone", "Telefoon", "Phone", Kind.text),
            ("streetAndNumber", "Straat en huisnummer", "Street and number", Kind.text),
            ("postalCode", "Postcode", "Postcode", Kind.text),
            ("city", "Plaats", "City", Kind.text),
            ("country", "Land", "Country", Kind.text),
        )
        if not (prefix == "shippingAddress" and key in ("email", "phone"))
    )


def _money(path: str, nl: str, en: str) -> Field:
    """A Mollie amount: `{currency, value}`."""
    return Field(f"{path}.value", Words(nl, en), Kind.money, currency=f"{path}.currency")


PAYMENT = RecordView(
    label=Words("Betaling", "Payment"),
    title="description",
    when="createdAt",
    amount="amount.value",
    fields=(
        Field("description", Words("Omschrijving", "Description")),
        Field("id", Words("Betalingskenmerk", "Payment reference")),
        Field("metadata.order_id", Words("Bestelling", "Order")),
        _money("amount", "Bedrag", "Amount"),
        Field("status", Words("Status", "Status"), Kind.code, codes=PAYMENT_STATUS),
        Field("method", Words("Betaalmethode", "Payment method"), Kind.code, codes=METHOD),
        Field(
            "sequenceType", Words("Soort betaling", "Kind of payment"), Kind.code, codes=SEQUENCE
        ),
        Field("createdAt", Words("Gestart op", "Started on"), Kind.datetime),
        Field("paidAt", Words("Betaald op", "Paid on"), Kind.datetime),
        _money("amountRefunded", "Terugbetaald", "Refunded"),
        _money("amountChargedBack", "Teruggeboekt", "Charged back"),
        Field("details.consumerName", Words("Naam rekeninghouder", "Account holder")),
        Field("details.consumerAccount", Words("Rekeningnummer (IBAN)", "Account number (IBAN)")),
        Field("details.consumerBic", Words("BIC van de bank", "Bank's BIC")),
        Field("details.cardHolder", Words("Naam op de kaart", "Name on the card")),
        Field("details.cardLabel", Words("Soort kaart", "Card brand")),
        Field(
            "details.cardNumber",
            Words("Laatste 4 cijfers van de kaart", "Last 4 digits of the card"),
        ),
        Field("details.cardExpiryDate", Words("Kaart geldig tot", "Card valid until")),
        Field("details.cardCountryCode", Words("Land van de kaart", "Card's country")),
        *_address("billingAddress", "factuuradres", "billing address"),
        *_address("shippingAddress", "bezorgadres", "shipping address"),
        Field("countryCode", Words("Land van de betaler", "Payer's country")),
        Field("locale", Words("Taal van de betaalpagina", "Language of the payment page")),
    ),
    internal=(
        *COMMON_INTERNAL,
        "redirectUrl",
        "isCancelable",
        "customerId",
        "mandateId",
        "subscriptionId",
        "amountRemaining",
        "details.cardFingerprint",
        "details.cardSecurity",
        "details.cardAudience",
        "details.feeRegion",
        "_embedded",
    ),
)

REFUND = RecordView(
    label=Words("Terugbetaling", "Refund"),
    title="id",
    when="createdAt",
    amount="amount.value",
    fields=(
        Field("id", Words("Kenmerk", "Reference")),
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
        _money("amount", "Bedrag", "Amount"),
        Field("status", Words("Status", "Status"), Kind.code, codes=REFUND_STATUS),
        Field("description", Words("Omschrijving", "Description")),
        Field("paymentId", Words("Van betaling", "Of payment")),
    ),
    internal=(*COMMON_INTERNAL, "metadata", "settlementAmount", "orderId"),
)

CHARGEBACK = RecordView(
    label=Words("Terugboeking", "Chargeback"),
    title="id",
    when="createdAt",
    amount="amount.value",
    fields=(
        Field("id", Words("Kenmerk", "Reference")),
        Field("createdAt", Words("Teruggeboekt op", "Charged back on"), Kind.datetime),
        _money("amount", "Bedrag", "Amount"),
        Field("reason.description", Words("Reden", "Reason")),
        Field(
            "reason.code", Words("Redencode van de bank of kaart", "Bank's or card's reason code")
        ),
        Field("reversedAt", Words("Teruggedraaid op", "Reversed on"), Kind.datetime),
        Field("paymentId", Words("Van betaling", "Of payment")),
    ),
    internal=(*COMMON_INTERNAL, "metadata", "settlementAmount"),
)

CUSTOMER = RecordView(
    label=Words("Klant bij Mollie", "Customer at Mollie"),
    title="name",
    when="createdAt",
    fields=(
        Field("name", Words("Naam", "Name")),
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("id", Words("Klantnummer", "Customer number")),
        Field("locale", Words("Taal", "Language")),
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
    ),
    internal=(*COMMON_INTERNAL, "metadata"),
)

MANDATE = RecordView(
    label=Words("Machtiging", "Mandate"),
    title="mandateReference",
    when="createdAt",
    fields=(
        Field("mandateReference", Words("Kenmerk machtiging", "Mandate reference")),
        Field("method", Words("Betaalmethode", "Payment method"), Kind.code, codes=MANDATE_METHOD),
        Field("status", Words("Status", "Status"), Kind.code, codes=MANDATE_STATUS),
        Field("signatureDate", Words("Getekend op", "Signed on"), Kind.date),
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
        Field("details.consumerName", Words("Naam rekeninghouder", "Account holder")),
        Field("details.consumerAccount", Words("Rekeningnummer (IBAN)", "Account number (IBAN)")),
        Field("details.consumerBic", Words("BIC van de bank", "Bank's BIC")),
        Field("details.cardHolder", Words("Naam op de kaart", "Name on the card")),
        Field("details.cardLabel", Words("Soort kaart", "Card brand")),
        Field(
            "details.cardNumber",
            Words("Laatste 4 cijfers van de kaart", "Last 4 digits of the card"),
        ),
        Field("details.cardExpiryDate", Words("Kaart geldig tot", "Card valid until"), Kind.date),
    ),
    internal=(*COMMON_INTERNAL, "metadata", "customerId", "details.cardFingerprint"),
)

SUBSCRIPTION = RecordView(
    label=Words("Abonnement", "Subscription"),
    title="description",
    when="createdAt",
    fields=(
        Field("description", Words("Omschrijving", "Description")),
        Field("status", Words("Status", "Status"), Kind.code, codes=SUBSCRIPTION_STATUS),
        _money("amount", "Bedrag per keer", "Amount each time"),
        Field("interval", Words("Hoe vaak (interval)", "How often (interval)")),
        Field("times", Words("Aantal keer", "Number of times"), Kind.number),
        Field("timesRemaining", Words("Nog te gaan", "Times remaining"), Kind.number),
        Field("method", Words("Betaalmethode", "Payment method"), Kind.code, codes=MANDATE_METHOD),
        Field("startDate", Words("Begint op", "Starts on"), Kind.date),
        Field("nextPaymentDate", Words("Volgende betaling", "Next payment"), Kind.date),
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
        Field("canceledAt", Words("Opgezegd op", "Cancelled on"), Kind.datetime),
    ),
    internal=(*COMMON_INTERNAL, "metadata", "customerId", "mandateId"),
)

VIEWS: dict[str, RecordView] = {
    "payment": PAYMENT,
    "refund": REFUND,
    "chargeback": CHARGEBACK,
    "mollie_customer": CUSTOMER,
    "mandate": MANDATE,
    "subscription": SUBSCRIPTION,
}
