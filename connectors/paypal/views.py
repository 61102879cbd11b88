"""How PayPal's records read to a person: labels in Dutch and English, kinds, codes.

Facts come from PayPal's OpenAPI specs (`/work/shared/specs/paypal/`, paypal-rest-api-
specifications ec4d8f3):
- `reporting_transactions_v1.json`, schemas `transaction_info` (`transaction_status`: D denied,
  P pending, S success, V reversed; `protection_eligibility` 01/02/03; amounts are `money`
  objects `{currency_code, value}`; dates in RFC 3339 with an offset), `payer_info`
  (`address_status` Y/N verified; `payer_status` Y/N), `shipping_info` and `cart_info.item_details`
  (`item_name`, `item_quantity`, `item_unit_price`, `total_item_amount`);
- `invoicing_v2.json`, schemas `invoice` and `invoice_status` (DRAFT … PAYMENT_PENDING),
  `invoice_detail` (`invoice_number`, `invoice_date` as a date, `payment_term.due_date`),
  `recipient_info` (`billing_info`, `shipping_info`).
The transaction event codes (`T0006` a PayPal Checkout payment, `T1107` a refund by the
merchant, …) are listed on PayPal's developer page "Transaction event codes", which the spec
links to and which is not stored here: the meanings below follow that page as PayPal publishes
it, for the codes a webshop's PayPal account shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

TRANSACTION_STATUS: Mapping[str, Words] = {
    "D": Words("Geweigerd door PayPal of de winkel", "Denied by PayPal or the merchant"),
    "P": Words("In behandeling", "Pending"),
    "S": Words("Voltooid", "Completed"),
    "V": Words("Teruggedraaid en terugbetaald", "Reversed and refunded"),
}
EVENT_CODE: Mapping[str, Words] = {
    "T0000": Words("Ontvangen betaling", "Payment received"),
    "T0001": Words("Massabetaling", "Mass payment"),
    "T0002": Words("Betaling voor een abonnement", "Subscription payment"),
    "T0003": Words("Vooraf goedgekeurde betaling", "Pre-approved payment"),
    "T0004": Words("Betaling voor een eBay-veiling", "eBay auction payment"),
    "T0005": Words("Directe betaling", "Direct payment"),
    "T0006": Words("Betaling via PayPal Checkout", "PayPal Checkout payment"),
    "T0007": Words(
        "Betaling via een PayPal-knop op de website", "Website payments standard payment"
    ),
    "T0011": Words("Mobiele betaling", "Mobile payment"),
    "T0013": Words("Donatie", "Donation"),
    "T1106": Words("Terugboeking door PayPal", "Payment reversal by PayPal"),
    "T1107": Words("Terugbetaling door de winkel", "Refund by the merchant"),
    "T1110": Words("Bedrag vastgehouden voor een geschil", "Hold for a dispute"),
    "T1111": Words("Vasthouden voor een geschil opgeheven", "Dispute hold released"),
    "T1201": Words("Terugboeking (chargeback)", "Chargeback"),
    "T1202": Words("Terugboeking ongedaan gemaakt", "Chargeback reversal"),
}
PROTECTION: Mapping[str, Words] = {
    "01": Words("Komt in aanmerking voor bescherming", "Eligible for protection"),
    "02": Words("Komt niet in aanmerking voor bescherming", "Not eligible for protection"),
    "03": Words("Komt deels in aanmerking voor bescherming", "Partly eligible for protection"),
}
YES_NO: Mapping[str, Words] = {
    "Y": Words("Geverifieerd", "Verified"),
    "N": Words("Niet geverifieerd", "Not verified"),
}
INVOICE_STATUS: Mapping[str, Words] = {
    "DRAFT": Words("Concept", "Draft"),
    "SENT": Words("Verstuurd", "Sent"),
    "SCHEDULED": Words("Ingepland", "Scheduled"),
    "PAID": Words("Betaald", "Paid"),
    "MARKED_AS_PAID": Words("Als betaald gemarkeerd", "Marked as paid"),
    "CANCELLED": Words("Geannuleerd", "Cancelled"),
    "REFUNDED": Words("Terugbetaald", "Refunded"),
    "PARTIALLY_PAID": Words("Deels betaald", "Partly paid"),
    "PARTIALLY_REFUNDED": Words("Deels terugbetaald", "Partly refunded"),
    "MARKED_AS_REFUNDED": Words("Als terugbetaald gemarkeerd", "Marked as refunded"),
    "UNPAID": Words("Onbetaald", "Unpaid"),
    "PAYMENT_PENDING": Words("Betaling in behandeling", "Payment pending"),
}


def _money(path: str, nl: str, en: str) -> Field:
    """A PayPal amount: `{currency_code, value}`."""
    return Field(f"{path}.value", Words(nl, en), Kind.money, currency=f"{path}.currency_code")


INFO = "transaction_info"
PAYER = "payer_info"
SHIP = "shipping_info"

TRANSACTION = RecordView(
    label=Words("PayPal-transactie", "PayPal transaction"),
    title=f"{INFO}.transaction_id",
    when=f"{INFO}.transaction_initiation_date",
    amount=f"{INFO}.transaction_amount.value",
    fields=(
        Field(f"{INFO}.transaction_id", Words("Transactienummer", "Transaction ID")),
        Field(
            f"{INFO}.transaction_event_code",
            Words("Soort transactie", "Kind of transaction"),
            Kind.code,
            codes=EVENT_CODE,
        ),
        Field(
            f"{INFO}.transaction_status",
            Words("Status", "Status"),
            Kind.code,
            codes=TRANSACTION_STATUS,
        ),
        Field(
            f"{INFO}.transaction_initiation_date", Words("Gestart op", "Started on"), Kind.datetime
        ),
        Field(
            f"{INFO}.transaction_updated_date",
            Words("Laatst bijgewerkt", "Last updated"),
            Kind.datetime,
        ),
        _money(f"{INFO}.transaction_amount", "Bedrag", "Amount"),
        _money(f"{INFO}.shipping_amount", "Verzendkosten", "Shipping"),
        Field(f"{INFO}.invoice_id", Words("Factuur- of bestelnummer", "Invoice or order number")),
        Field(f"{INFO}.custom_field", Words("Kenmerk van de winkel", "Merchant's reference")),
        Field(
            f"{INFO}.protection_eligibility",
            Words("Bescherming", "Protection"),
            Kind.code,
            codes=PROTECTION,
        ),
        Field(f"{PAYER}.payer_name.given_name", Words("Voornaam", "First name")),
        Field(f"{PAYER}.payer_name.surname", Words("Achternaam", "Last name")),
        Field(f"{PAYER}.payer_name.alternate_full_name", Words("Volledige naam", "Full name")),
        Field(
            f"{PAYER}.email_address",
            Words("E-mail van uw PayPal-rekening", "E-mail of your PayPal account"),
            Kind.email,
        ),
        Field(
            f"{PAYER}.account_id", Words("Nummer van uw PayPal-rekening", "Your PayPal account ID")
        ),
        Field(
            f"{PAYER}.payer_status",
            Words("Status van uw PayPal-rekening", "PayPal account status"),
            Kind.code,
            codes=YES_NO,
        ),
        Field(
            f"{PAYER}.phone_number.country_code", Words("Landnummer telefoon", "Phone country code")
        ),
        Field(f"{PAYER}.phone_number.national_number", Words("Telefoon", "Phone")),
        Field(f"{PAYER}.address.line1", Words("Adres", "Address")),
        Field(f"{PAYER}.address.postal_code", Words("Postcode", "Postcode")),
        Field(f"{PAYER}.address.city", Words("Plaats", "City")),
        Field(f"{PAYER}.address.country_code", Words("Land", "Country")),
        Field(
            f"{PAYER}.address_status",
            Words("Status van het adres", "Address status"),
            Kind.code,
            codes=YES_NO,
        ),
        Field(f"{SHIP}.name", Words("Naam (bezorgadres)", "Name (shipping address)")),
        Field(f"{SHIP}.address.line1", Words("Adres (bezorgadres)", "Address (shipping address)")),
        Field(
            f"{SHIP}.address.postal_code",
            Words("Postcode (bezorgadres)", "Postcode (shipping address)"),
        ),
        Field(f"{SHIP}.address.city", Words("Plaats (bezorgadres)", "City (shipping address)")),
        Field(
            f"{SHIP}.address.country_code",
            Words("Land (bezorgadres)", "Country (shipping address)"),
        ),
    ),
    lines=(
        Lines(
            "cart_info.item_details",
            Words("Producten", "Products"),
            (
                Field("item_name", Words("Product", "Product")),
                Field("item_quantity", Words("Aantal", "Quantity"), Kind.number),
                _money("item_unit_price", "Stukprijs", "Unit price"),
                _money("total_item_amount", "Bedrag", "Amount"),
            ),
        ),
    ),
    internal=(
        f"{INFO}.paypal_account_id",
        f"{INFO}.fee_amount",
        f"{INFO}.paypal_reference_id",
        f"{INFO}.paypal_reference_id_type",
        f"{INFO}.ending_balance",
        f"{INFO}.available_balance",
        f"{PAYER}.country_code",
        "store_info",
        "auction_info",
        "incentive_info",
    ),
)

RECIPIENTS = "primary_recipients"

INVOICE = RecordView(
    label=Words("PayPal-factuur", "PayPal invoice"),
    title="detail.invoice_number",
    when="detail.invoice_date",
    amount="amount.value",
    fields=(
        Field("detail.invoice_number", Words("Factuurnummer", "Invoice number")),
        Field("detail.invoice_date", Words("Factuurdatum", "Invoice date"), Kind.date),
        Field("status", Words("Status", "Status"), Kind.code, codes=INVOICE_STATUS),
        _money("amount", "Bedrag", "Amount"),
        _money("due_amount", "Nog te betalen", "Amount due"),
        Field("detail.payment_term.due_date", Words("Te betalen voor", "Due by"), Kind.date),
        Field("detail.reference", Words("Referentie", "Reference")),
        Field("detail.note", Words("Bericht aan u", "Note to you")),
        Field("invoicer.business_name", Words("Van", "From")),
        Field(
            "invoicer.email_address", Words("E-mail van de afzender", "Sender's e-mail"), Kind.email
        ),
        Field("detail.metadata.first_sent_time", Words("Verstuurd op", "Sent on"), Kind.datetime),
        Field(
            "detail.metadata.recipient_view_url",
            Words("Factuur bekijken", "View the invoice"),
            Kind.url,
        ),
    ),
    lines=(
        Lines(
            RECIPIENTS,
            Words("Aan", "To"),
            (
                Field("billing_info.name.full_name", Words("Naam", "Name")),
                Field("billing_info.email_address", Words("E-mail", "E-mail"), Kind.email),
                Field("billing_info.address.address_line_1", Words("Adres", "Address")),
                Field("billing_info.address.postal_code", Words("Postcode", "Postcode")),
                Field("billing_info.address.admin_area_2", Words("Plaats", "City")),
                Field("billing_info.address.country_code", Words("Land", "Country")),
                Field(
                    "shipping_info.address.address_line_1",
                    Words("Adres (bezorgadres)", "Address (shipping address)"),
                ),
            ),
        ),
    ),
    internal=(
        "id",
        "links",
        "configuration",
        "amount.breakdown",
        "detail.currency_code",
        "detail.payment_term.term_type",
        "detail.metadata.invoicer_view_url",
        "detail.metadata.created_by_flow",
        "detail.metadata.create_time",
        "detail.metadata.last_sent_time",
        "detail.metadata.last_update_time",
    ),
)

VIEWS: dict[str, RecordView] = {
    "paypal_transaction": TRANSACTION,
    "paypal_invoice": INVOICE,
}
