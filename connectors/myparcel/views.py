"""How MyParcel's shipments read to a person: labels in Dutch and English, kinds, codes.

Facts come from MyParcel's API reference (myparcelnl/developer): in `/work/shared/specs/myparcel/`,
`07.shipment-related-object-definitions.md` §7.A (Shipment: `reference_identifier`, `status`,
`barcode`, `created`/`modified` as timestamps), §7.B (Address: `person`, `street`, `number`,
`number_suffix`, `postal_code`, `city`, `cc`, `email`, `phone`), §7.C (ShipmentOptions:
`package_type`, `delivery_type`, `delivery_date`, `only_recipient` "deliver the package to the
recipient only", `signature` "package must be signed for", `return` "return the package if the
recipient is not home", `insurance`, `label_description`), §7.O (PickupLocation) and §7.N
(PhysicalProperties: `weight` in grams); `06.shipments.md` §6.A.1 (package types 1-6). The
data types are in `src/api-reference/04.data-types.md` of the same repository (not among the
stored specs; read from the code index): `shipment_status` (1 pending - concept … 38 inactive -
delivered - package picked up), `delivery_type` (1 morning, 2 standard, 3 evening, 4 pickup),
`carrier` (1 PostNL …), `price` ("the amount is without decimal separators (in cents)"),
`timestamp` (`YYYY-MM-DD HH:MM:SS`, no offset: MyParcel's responses give its zone as
Europe/Amsterdam, §7.S track & trace `timezone`).
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.presentation import Field, Kind, Lines, RecordView, Words

LOCAL = "Europe/Amsterdam"

STATUS: Mapping[str, Words] = {
    "1": Words("Concept: nog niet aangemeld", "Concept: not yet registered"),
    "2": Words("Aangemeld: label gemaakt", "Registered: label printed"),
    "3": Words("Onderweg: overgedragen aan de vervoerder", "En route: handed to the carrier"),
    "4": Words("Onderweg: wordt gesorteerd", "En route: being sorted"),
    "5": Words("Onderweg: wordt bezorgd", "En route: out for delivery"),
    "6": Words("Onderweg: bij de douane", "En route: at customs"),
    "7": Words("Bezorgd bij de ontvanger", "Delivered to the recipient"),
    "8": Words("Bezorgd: klaar om af te halen", "Delivered: ready for pickup"),
    "9": Words("Bezorgd: pakket afgehaald", "Delivered: package picked up"),
    "10": Words("Retourzending klaar om af te halen", "Return shipment ready for pickup"),
    "11": Words("Retourzending afgehaald", "Return shipment picked up"),
    "12": Words("Brief afgedrukt", "Letter printed"),
    "13": Words("Niet actief: gecrediteerd", "Inactive: credited"),
    "14": Words("Digitale postzegel afgedrukt", "Digital stamp printed"),
    "30": Words("Niet actief: concept", "Inactive: concept"),
    "31": Words("Niet actief: aangemeld", "Inactive: registered"),
    "32": Words("Niet actief: overgedragen aan de vervoerder", "Inactive: handed to the carrier"),
    "33": Words("Niet actief: wordt gesorteerd", "Inactive: being sorted"),
    "34": Words("Niet actief: wordt bezorgd", "Inactive: out for delivery"),
    "35": Words("Niet actief: bij de douane", "Inactive: at customs"),
    "36": Words("Niet actief: bezorgd bij de ontvanger", "Inactive: delivered to the recipient"),
    "37": Words("Niet actief: klaar om af te halen", "Inactive: ready for pickup"),
    "38": Words("Niet actief: pakket afgehaald", "Inactive: package picked up"),
}
PACKAGE_TYPE: Mapping[str, Words] = {
    "1": Words("Pakket", "Package"),
    "2": Words("Brievenbuspakje", "Mailbox package"),
    "3": Words("Brief", "Letter"),
    "4": Words("Digitale postzegel", "Digital stamp"),
    "5": Words("Pallet", "Pallet"),
    "6": Words("Klein pakket", "Small package"),
}
DELIVERY_TYPE: Mapping[str, Words] = {
    "1": Words("Ochtendbezorging", "Morning delivery"),
    "2": Words("Standaardbezorging", "Standard delivery"),
    "3": Words("Avondbezorging", "Evening delivery"),
    "4": Words("Afhalen bij een afhaalpunt", "Pickup at a pickup point"),
}
CARRIER: Mapping[str, Words] = {
    "1": Words("PostNL", "PostNL"),
    "2": Words("bpost", "bpost"),
    "3": Words("CheapCargo (pallets)", "CheapCargo (pallets)"),
    "4": Words("DPD", "DPD"),
    "8": Words("UPS", "UPS"),
    "9": Words("DHL For You", "DHL For You"),
    "10": Words("DHL Parcel Connect", "DHL Parcel Connect"),
    "11": Words("DHL Europlus", "DHL Europlus"),
}


def _address(prefix: str, nl: str, en: str) -> tuple[Field, ...]:
    return tuple(
        Field(f"{prefix}.{key}", Words(f"{n} ({nl})", f"{e} ({en})"), kind)
        for key, n, e, kind in (
            ("person", "Naam", "Name", Kind.text),
            ("company", "Bedrijf", "Company", Kind.text),
            ("street", "Straat", "Street", Kind.text),
            ("number", "Huisnummer", "House number", Kind.text),
            ("number_suffix", "Toevoeging", "Addition", Kind.text),
            ("postal_code", "Postcode", "Postcode", Kind.text),
            ("city", "Plaats", "City", Kind.text),
            ("cc", "Land", "Country", Kind.text),
            ("email", "E-mail", "E-mail", Kind.email),
            ("phone", "Telefoon", "Phone", Kind.text),
        )
    )


SHIPMENT = RecordView(
    label=Words("Zending", "Shipment"),
    title="barcode",
    when="created",
    fields=(
        Field("barcode", Words("Track & trace-code", "Tracking code")),
        Field("reference_identifier", Words("Bestelnummer", "Order number")),
        Field("status", Words("Status", "Status"), Kind.code, codes=STATUS),
        Field("carrier_id", Words("Vervoerder", "Carrier"), Kind.code, codes=CARRIER),
        Field("created", Words("Aangemaakt op", "Created on"), Kind.datetime, naive=LOCAL),
        Field("modified", Words("Laatst bijgewerkt", "Last updated"), Kind.datetime, naive=LOCAL),
        *_address("recipient", "ontvanger", "recipient"),
        *_address("sender", "afzender", "sender"),
        Field(
            "options.package_type",
            Words("Soort zending", "Kind of shipment"),
            Kind.code,
            codes=PACKAGE_TYPE,
        ),
        Field(
            "options.delivery_type", Words("Bezorging", "Delivery"), Kind.code, codes=DELIVERY_TYPE
        ),
        # a timestamp at midnight, local time
        Field(
            "options.delivery_date", Words("Bezorgdatum", "Delivery date"), Kind.date, naive=LOCAL
        ),
        Field("options.label_description", Words("Tekst op het label", "Text on the label")),
        Field(
            "options.only_recipient",
            Words("Alleen aan de ontvanger", "Recipient only"),
            Kind.boolean,
        ),
        Field(
            "options.signature",
            Words("Handtekening bij ontvangst", "Signature on delivery"),
            Kind.boolean,
        ),
        Field(
            "options.return",
            Words("Retour als u niet thuis bent", "Returned if you are not home"),
            Kind.boolean,
        ),
        Field(
            "options.insurance.amount",
            Words("Verzekerd bedrag", "Insured amount"),
            Kind.cents,
            currency="options.insurance.currency",
        ),
        Field("pickup.location_name", Words("Afhaalpunt", "Pickup point")),
        Field("pickup.street", Words("Straat (afhaalpunt)", "Street (pickup point)")),
        Field("pickup.number", Words("Huisnummer (afhaalpunt)", "House number (pickup point)")),
        Field("pickup.postal_code", Words("Postcode (afhaalpunt)", "Postcode (pickup point)")),
        Field("pickup.city", Words("Plaats (afhaalpunt)", "City (pickup point)")),
        Field("physical_properties.weight", Words("Gewicht (gram)", "Weight (grams)"), Kind.number),
        Field(
            "price.amount",
            Words("Verzendtarief (betaald door de winkel)", "Postage (paid by the shop)"),
            Kind.cents,
            currency="price.currency",
        ),
    ),
    lines=(
        Lines(
            "secondary_shipments",
            Words("Extra pakketten in deze zending", "More parcels in this shipment"),
            (
                Field("barcode", Words("Track & trace-code", "Tracking code")),
                Field("status", Words("Status", "Status"), Kind.code, codes=STATUS),
                Field(
                    "physical_properties.weight",
                    Words("Gewicht (gram)", "Weight (grams)"),
                    Kind.number,
                ),
            ),
        ),
    ),
    internal=(
        "id",
        "parent_id",
        "account_id",
        "shop_id",
        "shipment_type",
        "multi_collo_main_shipment_id",
        "general_settings",
        "customs_declaration",
        "region",
        "transaction_status",
        "payment_status",
        "options.large_format",
        "recipient.region",
        "sender.region",
    ),
)

VIEWS: dict[str, RecordView] = {"shipment": SHIPMENT}
