"""How Lightspeed eCom's records read to a person: labels in Dutch and English, kinds, codes.

Lightspeed publishes no machine-readable spec; the facts come from, in order:
- vendor-apis.md §2 "Personal data in resources" (SECONDARY: the official client's fixtures and
  a docs-derived client): the customer's and order's fields (`addressBilling*`,
  `addressShipping*`, `remoteIp`, `paymentStatus`, `shipmentStatus`, `number` "ORD00018"),
  reviews, subscriptions, contacts and tickets; unset values come back as `false`; dates are
  ISO 8601 with an offset;
- the sandbox fake (`connectors/lightspeed/fake/resources.py`), which takes the order
  statuses (`on_hold`, `processing_awaiting_payment`, `processing_awaiting_shipment`,
  `processing_awaiting_pickup`, `processing_ready_for_pickup`, `completed`,
  `completed_shipped`, `completed_picked_up`, `cancelled`), the payment statuses (`not_paid`,
  `partially_paid`, `paid`, `cancelled`), the shipment statuses (`not_shipped`,
  `partially_shipped`, `shipped`, `cancelled`) and the invoice statuses (`paid`, `not_paid`)
  from the docs-derived client's update schemas; and its seed for what the API leaves
  unconfirmed: ticket messages (`from` customer or shop), returns (`status` `completed`),
  checkouts (`step` details/shipment/payment, `mode` login/guest).
Amounts are numbers in the shop's currency (euros: the records name no currency).
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

ORDER_STATUS: Mapping[str, Words] = {
    "on_hold": Words("In de wacht", "On hold"),
    "processing_awaiting_payment": Words("Wacht op betaling", "Awaiting payment"),
    "processing_awaiting_shipment": Words("Wacht op verzending", "Awaiting shipment"),
    "processing_awaiting_pickup": Words("Wacht op afhalen", "Awaiting pickup"),
    "processing_ready_for_pickup": Words("Klaar om af te halen", "Ready for pickup"),
    "completed": Words("Afgerond", "Completed"),
    "completed_shipped": Words("Afgerond en verzonden", "Completed and shipped"),
    "completed_picked_up": Words("Afgerond en afgehaald", "Completed and picked up"),
    "cancelled": Words("Geannuleerd", "Cancelled"),
}
PAYMENT_STATUS: Mapping[str, Words] = {
    "not_paid": Words("Niet betaald", "Not paid"),
    "partially_paid": Words("Deels betaald", "Partly paid"),
    "paid": Words("Betaald", "Paid"),
    "cancelled": Words("Geannuleerd", "Cancelled"),
}
SHIPMENT_STATUS: Mapping[str, Words] = {
    "not_shipped": Words("Niet verzonden", "Not shipped"),
    "partially_shipped": Words("Deels verzonden", "Partly shipped"),
    "shipped": Words("Verzonden", "Shipped"),
    "cancelled": Words("Geannuleerd", "Cancelled"),
}
INVOICE_STATUS: Mapping[str, Words] = {
    "paid": Words("Betaald", "Paid"),
    "not_paid": Words("Niet betaald", "Not paid"),
}
RETURN_STATUS: Mapping[str, Words] = {
    "completed": Words("Afgehandeld", "Completed"),
}
GENDER: Mapping[str, Words] = {
    "male": Words("Man", "Male"),
    "female": Words("Vrouw", "Female"),
}
SENDER: Mapping[str, Words] = {
    "customer": Words("U", "You"),
    "shop": Words("De winkel", "The shop"),
}
CHECKOUT_STEP: Mapping[str, Words] = {
    "details": Words("Gegevens invullen", "Entering details"),
    "shipment": Words("Verzending kiezen", "Choosing shipping"),
    "payment": Words("Betalen", "Payment"),
}
CHECKOUT_MODE: Mapping[str, Words] = {
    "login": Words("Ingelogd", "Logged in"),
    "guest": Words("Als gast", "As a guest"),
}


def _person() -> tuple[Field, ...]:
    """The person's own fields, as a customer and an order carry them."""
    return (
        Field("firstname", Words("Voornaam", "First name")),
        Field("middlename", Words("Tussenvoegsel", "Middle name")),
        Field("lastname", Words("Achternaam", "Last name")),
        Field("gender", Words("Geslacht", "Gender"), Kind.code, codes=GENDER),
        Field("birthDate", Words("Geboortedatum", "Date of birth"), Kind.date),
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("phone", Words("Telefoon", "Phone")),
        Field("mobile", Words("Mobiel", "Mobile")),
        Field("companyName", Words("Bedrijf", "Company")),
        Field("companyCoCNumber", Words("KvK-nummer", "Chamber of Commerce number")),
        Field("companyVatNumber", Words("Btw-nummer", "VAT number")),
        Field("nationalId", Words("Identiteitsnummer", "National ID number")),
    )


def _addresses() -> tuple[Field, ...]:
    """`addressBilling*` and `addressShipping*` of a customer or an order."""
    fields: list[Field] = []
    for prefix, nl, en in (
        ("addressBilling", "factuuradres", "billing address"),
        ("addressShipping", "bezorgadres", "shipping address"),
    ):
        if prefix == "addressShipping":
            fields.append(Field(f"{prefix}Company", Words(f"Bedrijf ({nl})", f"Company ({en})")))
        for key, n, e in (
            ("Name", "Naam", "Name"),
            ("Street", "Straat", "Street"),
            ("Number", "Huisnummer", "House number"),
            ("Extension", "Toevoeging", "Addition"),
            ("Street2", "Adresregel 2", "Address line 2"),
            ("Zipcode", "Postcode", "Postcode"),
            ("City", "Plaats", "City"),
            ("Country.title", "Land", "Country"),
        ):
            fields.append(Field(f"{prefix}{key}", Words(f"{n} ({nl})", f"{e} ({en})")))
    return tuple(fields)


def _checkout_address(prefix: str, nl: str, en: str) -> tuple[Field, ...]:
    return tuple(
        Field(f"{prefix}.{key}", Words(f"{n} ({nl})", f"{e} ({en})"))
        for key, n, e in (
            ("name", "Naam", "Name"),
            ("street", "Straat", "Street"),
            ("number", "Huisnummer", "House number"),
            ("extension", "Toevoeging", "Addition"),
            ("zipcode", "Postcode", "Postcode"),
            ("city", "Plaats", "City"),
            ("country", "Land", "Country"),
        )
    )


VISIT = (
    Field("remoteIp", Words("IP-adres", "IP address")),
    Field("userAgent", Words("Browser", "Browser")),
)
LINKS = ("customer", "order", "language")  # resource links: the records they name are listed

CUSTOMER = RecordView(
    label=Words("Klantaccount", "Customer account"),
    title="email",
    when="createdAt",
    fields=(
        *_person(),
        *_addresses(),
        Field("createdAt", Words("Account aangemaakt op", "Account created on"), Kind.datetime),
        Field("lastOnlineAt", Words("Laatst online", "Last online"), Kind.datetime),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
        Field("isConfirmed", Words("Account bevestigd", "Account confirmed"), Kind.boolean),
        Field("language.title", Words("Taal", "Language")),
        Field("memo", Words("Notitie van de winkel", "Shop's note")),
        *VISIT,
    ),
    internal=(
        "id",
        "type",
        "referralId",
        "doNotifyRegistered",
        "doNotifyConfirmed",
        "doNotifyPassword",
        "isCompany",
        "addressBillingRegion",
        "addressShippingRegion",
        "addressBillingCountry.id",
        "addressBillingCountry.code",
        "addressBillingCountry.code3",
        "addressShippingCountry.id",
        "addressShippingCountry.code",
        "addressShippingCountry.code3",
        "language.id",
        "language.code",
        "language.locale",
        "invoices",
        "orders",
        "reviews",
        "shipments",
        "tickets",
        "metafields",
    ),
)

CUSTOMER_METAFIELD = RecordView(
    label=Words("Extra gegevens bij het account", "Extra data on the account"),
    title="key",
    when="createdAt",
    fields=(
        Field("key", Words("Veld", "Field")),
        Field("value", Words("Waarde", "Value")),
        Field("createdAt", Words("Vastgelegd op", "Recorded on"), Kind.datetime),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=("id",),
)

ORDER = RecordView(
    label=Words("Bestelling", "Order"),
    title="number",
    when="createdAt",
    amount="priceIncl",
    fields=(
        Field("number", Words("Bestelnummer", "Order number")),
        Field("createdAt", Words("Besteld op", "Ordered on"), Kind.datetime),
        Field("status", Words("Status", "Status"), Kind.code, codes=ORDER_STATUS),
        Field("paymentStatus", Words("Betaling", "Payment"), Kind.code, codes=PAYMENT_STATUS),
        Field("shipmentStatus", Words("Verzending", "Shipping"), Kind.code, codes=SHIPMENT_STATUS),
        Field("priceIncl", Words("Totaalbedrag (incl. btw)", "Total (incl. VAT)"), Kind.money),
        Field("priceExcl", Words("Totaalbedrag (excl. btw)", "Total (excl. VAT)"), Kind.money),
        Field("paymentTitle", Words("Betaalmethode", "Payment method")),
        Field("paymentData.transaction_id", Words("Kenmerk van de betaling", "Payment reference")),
        Field("shipmentTitle", Words("Verzendmethode", "Shipping method")),
        Field(
            "shipmentPriceIncl",
            Words("Verzendkosten (incl. btw)", "Shipping (incl. VAT)"),
            Kind.money,
        ),
        Field("discountCouponCode", Words("Kortingscode", "Coupon code")),
        Field("deliveryDate", Words("Gewenste bezorgdatum", "Requested delivery date"), Kind.date),
        Field("comment", Words("Uw opmerking bij de bestelling", "Your note on the order")),
        Field("memo", Words("Notitie van de winkel", "Shop's note")),
        Field(
            "newsletterSubscribed",
            Words("Aangemeld voor de nieuwsbrief", "Signed up for the newsletter"),
            Kind.boolean,
        ),
        *_person(),
        *_addresses(),
        *VISIT,
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    lines=(
        Lines(
            "products.resource.embedded",
            Words("Bestelde producten", "Products ordered"),
            (
                Field("productTitle", Words("Product", "Product")),
                Field("variantTitle", Words("Variant", "Variant")),
                Field("articleCode", Words("Artikelnummer", "Item number")),
                Field("quantityOrdered", Words("Aantal", "Quantity"), Kind.number),
                Field(
                    "basePriceIncl",
                    Words("Stukprijs (incl. btw)", "Unit price (incl. VAT)"),
                    Kind.money,
                ),
                Field("priceIncl", Words("Bedrag (incl. btw)", "Amount (incl. VAT)"), Kind.money),
            ),
        ),
    ),
    internal=(
        "id",
        "customer",
        "invoices",
        "shipments",
        "metafields",
        "language",
        "channel",
        "customStatusId",
        "referralId",
        "isCompany",
        "isNewCustomer",
        "isDiscounted",
        "allowNotifications",
        "doNotifyNew",
        "doNotifyReminder",
        "doNotifyCancelled",
        "paymentId",
        "paymentData.method",
        "paymentData.customer_id",
        "paymentData.order_id",
        "paymentIsPost",
        "paymentIsInvoiceExternal",
        "paymentBasePriceExcl",
        "paymentBasePriceIncl",
        "paymentPriceExcl",
        "paymentPriceIncl",
        "paymentTaxRate",
        "paymentTaxRates",
        "shipmentId",
        "shipmentData",
        "shipmentIsCashOnDelivery",
        "shipmentIsPickup",
        "shipmentBasePriceExcl",
        "shipmentBasePriceIncl",
        "shipmentDiscountExcl",
        "shipmentDiscountIncl",
        "shipmentPriceExcl",
        "shipmentTaxRate",
        "shipmentTaxRates",
        "taxRates",
        "priceCost",
        "discountType",
        "discountAmount",
        "discountPercentage",
        "colli",
        "weight",
        "volume",
        "shippingDate",
        "addressBillingRegion",
        "addressShippingRegion",
        "addressBillingRegionData",
        "addressShippingRegionData",
        "addressBillingCountry.id",
        "addressBillingCountry.code",
        "addressBillingCountry.code3",
        "addressShippingCountry.id",
        "addressShippingCountry.code",
        "addressShippingCountry.code3",
    ),
)

ORDER_PRODUCT = RecordView(
    label=Words("Besteld product", "Product ordered"),
    title="productTitle",
    fields=(
        Field("productTitle", Words("Product", "Product")),
        Field("variantTitle", Words("Variant", "Variant")),
        Field("brandTitle", Words("Merk", "Brand")),
        Field("articleCode", Words("Artikelnummer", "Item number")),
        Field("quantityOrdered", Words("Aantal besteld", "Quantity ordered"), Kind.number),
        Field("quantityShipped", Words("Aantal verzonden", "Quantity shipped"), Kind.number),
        Field("quantityReturned", Words("Aantal geretourneerd", "Quantity returned"), Kind.number),
        Field("quantityRefunded", Words("Aantal terugbetaald", "Quantity refunded"), Kind.number),
        Field(
            "basePriceIncl", Words("Stukprijs (incl. btw)", "Unit price (incl. VAT)"), Kind.money
        ),
        Field("discountIncl", Words("Korting (incl. btw)", "Discount (incl. VAT)"), Kind.money),
        Field("priceIncl", Words("Bedrag (incl. btw)", "Amount (incl. VAT)"), Kind.money),
    ),
    internal=(
        "id",
        "product",
        "variant",
        "sku",
        "ean",
        "supplierTitle",
        "taxRate",
        "taxRates",
        "basePriceExcl",
        "priceExcl",
        "discountExcl",
        "quantityInvoiced",
        "colli",
        "weight",
        "volume",
    ),
)

INVOICE = RecordView(
    label=Words("Factuur", "Invoice"),
    title="number",
    when="createdAt",
    fields=(
        Field("number", Words("Factuurnummer", "Invoice number")),
        Field("createdAt", Words("Gemaakt op", "Created on"), Kind.datetime),
        Field("status", Words("Status", "Status"), Kind.code, codes=INVOICE_STATUS),
        Field("isCreditNote", Words("Creditfactuur", "Credit note"), Kind.boolean),
        Field("priceIncl", Words("Bedrag (incl. btw)", "Amount (incl. VAT)"), Kind.money),
        Field("priceExcl", Words("Bedrag (excl. btw)", "Amount (excl. VAT)"), Kind.money),
    ),
    internal=(
        "id",
        "customer",
        "order",
        "invoice",
        "creditNote",
        "isVatShifted",
        "doNotifyNew",
        "doNotifyPaid",
        "updatedAt",
    ),
)

SHIPMENT = RecordView(
    label=Words("Zending", "Shipment"),
    title="number",
    when="createdAt",
    fields=(
        Field("number", Words("Zendingnummer", "Shipment number")),
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
        Field("status", Words("Status", "Status"), Kind.code, codes=SHIPMENT_STATUS),
        Field("trackingCode", Words("Track & trace-code", "Tracking code")),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=(
        "id",
        "customer",
        "order",
        "doNotifyShipped",
        "doNotifyReadyForPickup",
        "doNotifyTrackingCode",
    ),
)

RETURN = RecordView(
    label=Words("Retour", "Return"),
    when="createdAt",
    fields=(
        Field("createdAt", Words("Aangemeld op", "Registered on"), Kind.datetime),
        Field("status", Words("Status", "Status"), Kind.code, codes=RETURN_STATUS),
        Field("returnReason", Words("Reden", "Reason")),
        Field("returnAction", Words("Afhandeling", "Resolution")),
        Field("numProducts", Words("Aantal producten", "Number of products"), Kind.number),
        Field("priceIncl", Words("Bedrag (incl. btw)", "Amount (incl. VAT)"), Kind.money),
        Field("customerComment", Words("Uw opmerking", "Your comment")),
        Field("mailMessage", Words("Bericht aan u", "Message to you")),
        Field("staffNote", Words("Notitie van de winkel", "Shop's note")),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=(
        "id",
        "customerId",
        "orderId",
        "orderProducts",
        "priceExcl",
        "isStockAdjusted",
        "notifyStatus",
    ),
)

REVIEW = RecordView(
    label=Words("Productbeoordeling", "Product review"),
    when="createdAt",
    fields=(
        Field("createdAt", Words("Geschreven op", "Written on"), Kind.datetime),
        Field("name", Words("Naam bij de beoordeling", "Name on the review")),
        Field("score", Words("Score (1-5)", "Score (1-5)"), Kind.number),
        Field("content", Words("Tekst", "Text")),
        Field("isVisible", Words("Zichtbaar in de winkel", "Shown in the shop"), Kind.boolean),
    ),
    internal=("id", *LINKS, "product", "updatedAt"),
)

TICKET = RecordView(
    label=Words("Vraag aan de klantenservice", "Customer service ticket"),
    title="subject",
    when="createdAt",
    fields=(
        Field("subject", Words("Onderwerp", "Subject")),
        Field("createdAt", Words("Gesteld op", "Asked on"), Kind.datetime),
        Field("isAnswered", Words("Beantwoord", "Answered"), Kind.boolean),
        Field("isClosed", Words("Gesloten", "Closed"), Kind.boolean),
        Field("memo", Words("Notitie van de winkel", "Shop's note")),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=("id", *LINKS, "messages", "isTodo", "doNotifyAnswered"),
)

TICKET_MESSAGE = RecordView(
    label=Words("Bericht aan of van de klantenservice", "Customer service message"),
    when="createdAt",
    fields=(
        Field("createdAt", Words("Verstuurd op", "Sent on"), Kind.datetime),
        Field("from", Words("Van", "From"), Kind.code, codes=SENDER),
        Field("message", Words("Bericht", "Message")),
    ),
    internal=("id", "updatedAt"),
)

QUOTE = RecordView(
    label=Words("Winkelwagen", "Shopping cart"),
    when="createdAt",
    fields=(
        Field("createdAt", Words("Aangemaakt op", "Created on"), Kind.datetime),
        Field("productsQuantity", Words("Aantal producten", "Number of products"), Kind.number),
        Field("priceIncl", Words("Bedrag (incl. btw)", "Amount (incl. VAT)"), Kind.money),
        Field("discountCouponCode", Words("Kortingscode", "Coupon code")),
        Field("shipmentZipcode", Words("Postcode voor verzending", "Postcode for shipping")),
        Field("shipmentCountry.title", Words("Land voor verzending", "Country for shipping")),
        Field("comment", Words("Uw opmerking", "Your comment")),
        *VISIT,
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=(
        "id",
        *LINKS,
        "recoveryHash",
        "channel",
        "referralId",
        "isLocked",
        "allowNotifications",
        "recalculatedAt",
        "priceCost",
        "priceExcl",
        "productsCount",
        "discountExcl",
        "discountIncl",
        "paymentId",
        "paymentData",
        "paymentIsSet",
        "paymentTitle",
        "paymentCountry",
        "shipmentId",
        "shipmentIsSet",
        "shipmentSameAddress",
        "shipmentCountry.id",
        "shipmentCountry.code",
        "shipmentCountry.code3",
    ),
)

NEWSLETTER_SUBSCRIPTION = RecordView(
    label=Words("Aanmelding voor de nieuwsbrief", "Newsletter subscription"),
    title="email",
    when="createdAt",
    fields=(
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("firstname", Words("Voornaam", "First name")),
        Field("lastname", Words("Achternaam", "Last name")),
        Field("createdAt", Words("Aangemeld op", "Signed up on"), Kind.datetime),
        Field("isConfirmed", Words("Aanmelding bevestigd", "Subscription confirmed"), Kind.boolean),
        Field("updatedAt", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
    ),
    internal=("id", "language", "doNotifyConfirmed"),
)

CONTACT_MESSAGE = RecordView(
    label=Words("Bericht via het contactformulier", "Message sent through the contact form"),
    title="subject",
    when="createdAt",
    fields=(
        Field("createdAt", Words("Verstuurd op", "Sent on"), Kind.datetime),
        Field("name", Words("Naam", "Name")),
        Field("company", Words("Bedrijf", "Company")),
        Field("email", Words("E-mail", "E-mail"), Kind.email),
        Field("phone", Words("Telefoon", "Phone")),
        Field("subject", Words("Onderwerp", "Subject")),
        Field("message", Words("Bericht", "Message")),
    ),
    internal=("id", "language"),
)

CHECKOUT = RecordView(
    label=Words("Niet afgemaakte bestelling", "Unfinished checkout"),
    when="created_at",
    fields=(
        Field("created_at", Words("Begonnen op", "Started on"), Kind.datetime),
        Field("updated_at", Words("Laatst gewijzigd", "Last changed"), Kind.datetime),
        Field("step", Words("Gekomen tot", "Got as far as"), Kind.code, codes=CHECKOUT_STEP),
        Field("mode", Words("Afgerekend", "Checked out"), Kind.code, codes=CHECKOUT_MODE),
        Field("customer.firstname", Words("Voornaam", "First name")),
        Field("customer.middlename", Words("Tussenvoegsel", "Middle name")),
        Field("customer.lastname", Words("Achternaam", "Last name")),
        Field("customer.gender", Words("Geslacht", "Gender"), Kind.code, codes=GENDER),
        Field("customer.email", Words("E-mail", "E-mail"), Kind.email),
        Field("customer.phone", Words("Telefoon", "Phone")),
        Field("customer.company", Words("Bedrijf", "Company")),
        *_checkout_address("billing_address", "factuuradres", "billing address"),
        *_checkout_address("shipping_address", "bezorgadres", "shipping address"),
        Field("newsletter", Words("Nieuwsbrief aangevinkt", "Newsletter ticked"), Kind.boolean),
        Field("comment", Words("Uw opmerking", "Your comment")),
    ),
    lines=(
        Lines(
            "products",
            Words("Producten in de winkelwagen", "Products in the cart"),
            (
                Field("title", Words("Product", "Product")),
                Field("variant", Words("Variant", "Variant")),
                Field("quantity", Words("Aantal", "Quantity"), Kind.number),
                Field("price_incl", Words("Prijs (incl. btw)", "Price (incl. VAT)"), Kind.money),
            ),
        ),
    ),
    internal=(
        "id",
        "customer.id",
        "order_id",
        "theme",
        "terms",
        "notifications",
        "memo",
        "discount",
        "discount_code",
        "payment_method",
        "shipment_method",
        "billing_address.region",
        "shipping_address.region",
    ),
)

VIEWS: dict[str, RecordView] = {
    "customer": CUSTOMER,
    "customer_metafield": CUSTOMER_METAFIELD,
    "order": ORDER,
    "order_product": ORDER_PRODUCT,
    "invoice": INVOICE,
    "shipment": SHIPMENT,
    "return": RETURN,
    "review": REVIEW,
    "ticket": TICKET,
    "ticket_message": TICKET_MESSAGE,
    "quote": QUOTE,
    "newsletter_subscription": NEWSLETTER_SUBSCRIPTION,
    "contact_message": CONTACT_MESSAGE,
    "checkout": CHECKOUT,
}
