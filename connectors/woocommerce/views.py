"""How WooCommerce's records read to a person: labels in Dutch and English, kinds, codes.

Facts, in order of authority:
- the wc/v3 REST API docs (`/work/shared/specs/woocommerce/`): `_orders.md` "Order properties"
  (the order statuses `pending` … `trash`; `date_created` "in the site's timezone",
  `date_created_gmt` "as GMT"; totals are strings in the order's `currency`; a line's `total` is
  before tax, its tax in `total_tax`), "Order - Line items properties", "Order - Shipping lines
  properties" and "Order - Coupon lines properties"; `_order-refunds.md` (a refund's `amount`,
  `reason`, `refunded_payment`, its `line_items` with negative quantities and totals);
  `_order-notes.md` (`customer_note`: shown to the customer or private); `_product-reviews.md`
  "Product review properties" (statuses `approved`, `hold`, `spam`, `trash`; `rating` 0-5;
  `verified`: the reviewer bought the product); `_customers.md` (roles);
- vendor-apis.md §9 (a real WooCommerce 10): review text comes as HTML (`<p>…</p>`), a
  download's `download_url` carries the customer's e-mail address, download names hold HTML
  entities (`&ndash;`);
- the sandbox fake (`connectors/woocommerce/fake/analytics_query.py`) for WooCommerce Analytics'
  customer rows: `wc_rest_prepare_date_response()` swaps their dates, so `date_registered_gmt`
  is the registration in the shop's local time, `date_last_active` is GMT, and
  `date_last_order` (`Y-m-d H:i:s`) is local time. The shop's zone is taken as
  Europe/Amsterdam (a Dutch webshop).
`checkout-draft` (an order the block checkout started and the customer never finished) is
WooCommerce's own status, not in the v3 docs' list.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

LOCAL = "Europe/Amsterdam"  # the shop's own time zone, for dates WooCommerce gives without one

ORDER_STATUS: Mapping[str, Words] = {
    "pending": Words("Wacht op betaling", "Pending payment"),
    "processing": Words("In behandeling", "Processing"),
    "on-hold": Words("In de wacht", "On hold"),
    "completed": Words("Afgerond", "Completed"),
    "cancelled": Words("Geannuleerd", "Cancelled"),
    "refunded": Words("Terugbetaald", "Refunded"),
    "failed": Words("Mislukt", "Failed"),
    "trash": Words("Verwijderd (prullenbak)", "Deleted (trash)"),
    "checkout-draft": Words("Afrekenen niet afgemaakt", "Checkout not finished"),
}
REVIEW_STATUS: Mapping[str, Words] = {
    "approved": Words("Goedgekeurd en zichtbaar", "Approved and shown"),
    "hold": Words("Wacht op goedkeuring", "Awaiting approval"),
    "spam": Words("Gemarkeerd als spam", "Marked as spam"),
    "trash": Words("In de prullenbak", "In the trash"),
}
ROLE: Mapping[str, Words] = {
    "customer": Words("Klant", "Customer"),
    "subscriber": Words("Abonnee", "Subscriber"),
    "administrator": Words("Beheerder", "Administrator"),
    "shop_manager": Words("Winkelbeheerder", "Shop manager"),
    "editor": Words("Redacteur", "Editor"),
    "author": Words("Auteur", "Author"),
    "contributor": Words("Schrijver", "Contributor"),
}


def _address(prefix: str, nl: str, en: str, *, contact: bool) -> tuple[Field, ...]:
    """A billing or shipping address (`billing.*`, `shipping.*`) of a customer or an order."""
    parts = [
        ("first_name", "Voornaam", "First name"),
        ("last_name", "Achternaam", "Last name"),
        ("company", "Bedrijf", "Company"),
        ("address_1", "Straat en huisnummer", "Street and number"),
        ("address_2", "Adresregel 2", "Address line 2"),
        ("postcode", "Postcode", "Postcode"),
        ("city", "Plaats", "City"),
        ("country", "Land", "Country"),
    ]
    fields = [Field(f"{prefix}.{key}", Words(f"{n} ({nl})", f"{e} ({en})")) for key, n, e in parts]
    if contact:
        fields += [
            Field(f"{prefix}.email", Words(f"E-mail ({nl})", f"E-mail ({en})"), Kind.email),
            Field(f"{prefix}.phone", Words(f"Telefoon ({nl})", f"Phone ({en})")),
        ]
    return tuple(fields)


BILLING = ("factuuradres", "billing address")
SHIPPING = ("bezorgadres", "shipping address")

ORDER = RecordView(
    label=Words("Bestelling", "Order"),
    title="number",
    when="date_created_gmt",
    amount="total",
    fields=(
        Field("number", Words("Bestelnummer", "Order number")),
        Field("status", Words("Status", "Status"), Kind.code, codes=ORDER_STATUS),
        Field("date_created_gmt", Words("Besteld op", "Ordered on"), Kind.datetime),
        Field("date_paid_gmt", Words("Betaald op", "Paid on"), Kind.datetime),
        Field("date_completed_gmt", Words("Afgerond op", "Completed on"), Kind.datetime),
        Field("total", Words("Totaalbedrag", "Total"), Kind.money, currency="currency"),
        Field("total_tax", Words("Waarvan btw", "Of which VAT"), Kind.money, currency="currency"),
        Field(
            "shipping_total",
            Words("Verzendkosten (excl. btw)", "Shipping (excl. VAT)"),
            Kind.money,
            currency="currency",
        ),
        Field(
            "discount_total",
            Words("Korting (excl. btw)", "Discount (excl. VAT)"),
            Kind.money,
            currency="currency",
        ),
        Field("payment_method_title", Words("Betaalmethode", "Payment method")),
        Field("transaction_id", Words("Kenmerk van de betaling", "Payment reference")),
        Field("customer_note", Words("Uw opmerking bij de bestelling", "Your note on the order")),
        *_address("billing", *BILLING, contact=True),
        *_address("shipping", *SHIPPING, contact=False),
        Field("shipping.phone", Words("Telefoon (bezorgadres)", "Phone (shipping address)")),
        Field(
            "customer_ip_address", Words("IP-adres bij het bestellen", "IP address when ordering")
        ),
        Field("customer_user_agent", Words("Browser bij het bestellen", "Browser when ordering")),
        Field("date_modified_gmt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    lines=(
        Lines(
            "line_items",
            Words("Bestelde producten", "Products ordered"),
            (
                Field("name", Words("Product", "Product")),
                Field("sku", Words("Artikelnummer", "Item number")),
                Field("quantity", Words("Aantal", "Quantity"), Kind.number),
                Field(
                    "price", Words("Stukprijs (excl. btw)", "Unit price (excl. VAT)"), Kind.money
                ),
                Field("total", Words("Bedrag (excl. btw)", "Amount (excl. VAT)"), Kind.money),
                Field("total_tax", Words("Btw", "VAT"), Kind.money),
            ),
        ),
        Lines(
            "shipping_lines",
            Words("Verzending", "Shipping"),
            (
                Field("method_title", Words("Verzendmethode", "Shipping method")),
                Field("total", Words("Bedrag (excl. btw)", "Amount (excl. VAT)"), Kind.money),
                Field("total_tax", Words("Btw", "VAT"), Kind.money),
            ),
        ),
        Lines(
            "coupon_lines",
            Words("Kortingscodes", "Coupons"),
            (
                Field("code", Words("Kortingscode", "Coupon code")),
                Field("discount", Words("Korting (excl. btw)", "Discount (excl. VAT)"), Kind.money),
            ),
        ),
    ),
    internal=(
        "_links",
        "id",
        "parent_id",
        "customer_id",
        "order_key",
        "cart_hash",
        "created_via",
        "version",
        "meta_data",
        "payment_method",
        "payment_url",
        "currency_symbol",
        "prices_include_tax",
        "is_editable",
        "needs_payment",
        "needs_processing",
        "cart_tax",
        "shipping_tax",
        "discount_tax",
        "tax_lines",
        "fee_lines",
        "refunds",
        # the same instants in the shop's local time: the `_gmt` fields are shown
        "date_created",
        "date_modified",
        "date_paid",
        "date_completed",
    ),
)

REFUND = RecordView(
    label=Words("Terugbetaling", "Refund"),
    when="date_created_gmt",
    amount="amount",
    fields=(
        Field("date_created_gmt", Words("Terugbetaald op", "Refunded on"), Kind.datetime),
        Field("amount", Words("Bedrag", "Amount"), Kind.money),
        Field("reason", Words("Reden", "Reason")),
        Field(
            "refunded_payment",
            Words("Via de betaaldienst teruggestort", "Paid back through the payment provider"),
            Kind.boolean,
        ),
    ),
    lines=(
        Lines(
            "line_items",
            Words("Terugbetaalde producten", "Products refunded"),
            (
                Field("name", Words("Product", "Product")),
                Field("quantity", Words("Aantal", "Quantity"), Kind.number),
                Field("total", Words("Bedrag (excl. btw)", "Amount (excl. VAT)"), Kind.money),
                Field("total_tax", Words("Btw", "VAT"), Kind.money),
            ),
        ),
    ),
    internal=(
        "_links",
        "id",
        "refunded_by",
        "meta_data",
        "tax_lines",
        "fee_lines",
        "shipping_lines",
        "date_created",
    ),
)

ORDER_NOTE = RecordView(
    label=Words("Notitie bij een bestelling", "Note on an order"),
    when="date_created_gmt",
    fields=(
        Field("date_created_gmt", Words("Geschreven op", "Written on"), Kind.datetime),
        Field("author", Words("Door", "By")),
        Field("note", Words("Notitie", "Note"), Kind.html),
        Field(
            "customer_note",
            Words("Aan u gestuurd", "Sent to you"),
            Kind.boolean,
        ),
    ),
    internal=("_links", "id", "date_created"),
)

CUSTOMER = RecordView(
    label=Words("Klantaccount", "Customer account"),
    title="username",
    when="date_created_gmt",
    fields=(
        Field("first_name", Words("Voornaam", "First name")),
        Field("last_name", Words("Achternaam", "Last name")),
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("username", Words("Gebruikersnaam", "Username")),
        Field("role", Words("Rol", "Role"), Kind.code, codes=ROLE),
        Field(
            "date_created_gmt", Words("Account aangemaakt op", "Account created on"), Kind.datetime
        ),
        Field("date_modified_gmt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
        Field(
            "is_paying_customer", Words("Heeft al eens betaald", "Has paid before"), Kind.boolean
        ),
        Field(
            "avatar_url", Words("Profielfoto (Gravatar)", "Profile picture (Gravatar)"), Kind.url
        ),
        *_address("billing", *BILLING, contact=True),
        *_address("shipping", *SHIPPING, contact=False),
        Field("shipping.phone", Words("Telefoon (bezorgadres)", "Phone (shipping address)")),
    ),
    internal=("_links", "id", "meta_data", "date_created", "date_modified"),
)

DOWNLOAD = RecordView(
    label=Words("Download", "Download"),
    title="product_name",
    fields=(
        Field("product_name", Words("Product", "Product")),
        Field("download_name", Words("Bestand", "File"), Kind.html),
        Field("file.name", Words("Bestandsnaam", "File name")),
        Field("order_id", Words("Bestelling", "Order")),
        Field("downloads_remaining", Words("Nog te downloaden", "Downloads left"), Kind.number),
        Field("access_expires_gmt", Words("Toegang tot", "Access until"), Kind.datetime),
        Field("download_url", Words("Downloadlink", "Download link"), Kind.url),
    ),
    internal=("_links", "download_id", "order_key", "product_id", "file.file", "access_expires"),
)

REVIEW = RecordView(
    label=Words("Productbeoordeling", "Product review"),
    title="product_name",
    when="date_created_gmt",
    fields=(
        Field("product_name", Words("Product", "Product")),
        Field("date_created_gmt", Words("Geschreven op", "Written on"), Kind.datetime),
        Field("reviewer", Words("Naam bij de beoordeling", "Name on the review")),
        Field("reviewer_email", Words("E-mail", "E-mail"), Kind.email),
        Field("rating", Words("Sterren (0-5)", "Stars (0-5)"), Kind.number),
        Field("review", Words("Tekst", "Text"), Kind.html),
        Field("status", Words("Status", "Status"), Kind.code, codes=REVIEW_STATUS),
        Field("verified", Words("Geverifieerde koper", "Verified owner"), Kind.boolean),
    ),
    internal=(
        "_links",
        "id",
        "product_id",
        "product_permalink",
        "reviewer_avatar_urls",
        "date_created",
    ),
)

ANALYTICS_CUSTOMER = RecordView(
    label=Words("Klant in de winkelstatistieken", "Customer in the shop's analytics"),
    title="name",
    when="date_last_active",
    fields=(
        Field("name", Words("Naam", "Name")),
        Field("username", Words("Gebruikersnaam", "Username")),
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("postcode", Words("Postcode", "Postcode")),
        Field("city", Words("Plaats", "City")),
        Field("country", Words("Land", "Country")),
        # swapped by WooCommerce: see the module docstring
        Field(
            "date_registered_gmt",
            Words("Geregistreerd op", "Registered on"),
            Kind.datetime,
            naive=LOCAL,
        ),
        Field(
            "date_last_active", Words("Laatst actief", "Last active"), Kind.datetime, naive="UTC"
        ),
        Field(
            "date_last_order", Words("Laatste bestelling", "Last order"), Kind.datetime, naive=LOCAL
        ),
        Field("orders_count", Words("Aantal bestellingen", "Number of orders"), Kind.number),
        Field("total_spend", Words("Totaal besteed", "Total spent"), Kind.money),
        Field(
            "avg_order_value", Words("Gemiddeld per bestelling", "Average per order"), Kind.money
        ),
    ),
    internal=(
        "_links",
        "id",
        "user_id",
        "state",
        "date_registered",
        "date_last_active_gmt",
    ),
)

VIEWS: dict[str, RecordView] = {
    "customer": CUSTOMER,
    "order": ORDER,
    "order_note": ORDER_NOTE,
    "refund": REFUND,
    "download": DOWNLOAD,
    "review": REVIEW,
    "analytics_customer": ANALYTICS_CUSTOMER,
}
