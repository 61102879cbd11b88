"""The WooCommerce shop's catalogue: thirty products (coffee, tea, treats, brewing gear and three
e-products to download) in five categories, with their BTW rates; `write_products()` writes them
as wc/v3 products, `tally_products()` fills in their sales and ratings once the orders and
reviews are written.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from connectors.woocommerce.fake.store import WooStore
from connectors.woocommerce.seed.formats import dates, money, slugify

UPLOADS = "woocommerce_uploads"
TAX = {21: (1, "NL-BTW 21%-1", "BTW 21%"), 9: (2, "NL-BTW 9%-1", "BTW 9%")}
# name, price in cents incl. BTW, BTW %, category, downloadable file name (None: shipped)
PRODUCTS: tuple[tuple[str, int, int, str, str | None], ...] = (
    ("Koffiebonen Brazilië Santos 500 g", 895, 9, "Koffie", None),
    ("Koffiebonen Ethiopië Yirgacheffe 250 g", 950, 9, "Koffie", None),
    ("Espressobonen Huismelange 1 kg", 2195, 9, "Koffie", None),
    ("Koffiebonen Colombia Supremo 500 g", 995, 9, "Koffie", None),
    ("Decafé Mexico 250 g", 750, 9, "Koffie", None),
    ("Filterkoffie gemalen 250 g", 595, 9, "Koffie", None),
    ("Koffiebonen Guatemala Antigua 500 g", 1050, 9, "Koffie", None),
    ("Koffiebonen Kenia AA 250 g", 1195, 9, "Koffie", None),
    ("Earl Grey losse thee 100 g", 650, 9, "Thee", None),
    ("Sencha groene thee 100 g", 725, 9, "Thee", None),
    ("Rooibos vanille 100 g", 575, 9, "Thee", None),
    ("Verse muntthee 50 g", 495, 9, "Thee", None),
    ("Chai kruidenmix 100 g", 695, 9, "Thee", None),
    ("Jasmijnparels 50 g", 995, 9, "Thee", None),
    ("Darjeeling first flush 100 g", 1250, 9, "Thee", None),
    ("Roomboterstroopwafels 8 stuks", 425, 9, "Lekkernijen", None),
    ("Pure chocolade 72% 100 g", 350, 9, "Lekkernijen", None),
    ("Cantuccini amandel 200 g", 495, 9, "Lekkernijen", None),
    ("French press 1 liter", 2995, 21, "Zetten & schenken", None),
    ("Handkoffiemolen keramisch", 4495, 21, "Zetten & schenken", None),
    ("Pour-over dripper V60", 1995, 21, "Zetten & schenken", None),
    ("Papieren filters 100 stuks", 695, 21, "Zetten & schenken", None),
    ("Melkopschuimer elektrisch", 3995, 21, "Zetten & schenken", None),
    ("Theepot gietijzer 0,8 liter", 3495, 21, "Zetten & schenken", None),
    ("Dubbelwandige glazen (2 stuks)", 1795, 21, "Zetten & schenken", None),
    ("Koffiekop met schotel", 1295, 21, "Zetten & schenken", None),
    ("Thee-ei RVS", 395, 21, "Zetten & schenken", None),
    ("E-book: Koffie zetten als een barista", 995, 9, "Downloads", "barista-handboek.pdf"),
    ("E-book: De wereld van losse thee", 795, 9, "Downloads", "losse-thee.pdf"),
    ("Videocursus latte art", 2450, 21, "Downloads", "latte-art-cursus.zip"),
)
CATEGORY_IDS = {
    "Koffie": 15,
    "Thee": 16,
    "Lekkernijen": 17,
    "Zetten & schenken": 18,
    "Downloads": 19,
}


def write_products(
    store: WooStore, product_ids: list[int], start: datetime, rng: random.Random
) -> None:
    """The products, with the post ids `product_ids` (in `PRODUCTS` order), created in the weeks
    before the shop opened at `start`."""
    for (name, price, vat, cat, file), pid in zip(PRODUCTS, product_ids, strict=True):
        created = start - timedelta(days=rng.randint(10, 60))
        slug = slugify(name)
        downloads = (
            [
                {
                    "id": hashlib.md5(slug.encode()).hexdigest(),
                    "name": file,
                    "file": f"{store.site_url}/wp-content/uploads/{UPLOADS}/{file}",
                }
            ]
            if file
            else []
        )
        store.products.append(
            {
                "id": pid,
                "name": name,
                "slug": slug,
                "permalink": f"{store.site_url}/product/{slug}/",
                **dates("date_created", created),
                **dates("date_modified", created),
                "type": "simple",
                "status": "publish",
                "featured": False,
                "catalog_visibility": "visible",
                "description": f"<p>{name} van Brandpunt.</p>\n",
                "short_description": "",
                "sku": f"BP-{pid:04d}",
                "price": money(price),
                "regular_price": money(price),
                "sale_price": "",
                "on_sale": False,
                "purchasable": True,
                "total_sales": 0,
                "virtual": bool(file),
                "downloadable": bool(file),
                "downloads": downloads,
                "download_limit": -1,
                "download_expiry": -1,
                "tax_status": "taxable",
                "tax_class": "" if vat == 21 else "reduced-rate",
                "manage_stock": False,
                "stock_quantity": None,
                "stock_status": "instock",
                "shipping_required": not file,
                "reviews_allowed": True,
                "average_rating": "0.00",
                "rating_count": 0,
                "parent_id": 0,
                "categories": [{"id": CATEGORY_IDS[cat], "name": cat, "slug": slugify(cat)}],
                "tags": [],
                "images": [],
                "attributes": [],
                "meta_data": [],
            }
        )


def tally_products(store: WooStore) -> None:
    """Each product's `total_sales` over the orders, and its rating over the approved reviews."""
    by_id = {p["id"]: p for p in store.products}
    for order in store.orders:
        for line in order["line_items"]:
            by_id[line["product_id"]]["total_sales"] += line["quantity"]
    for product in store.products:
        ratings = [
            r["rating"]
            for r in store.reviews
            if r["product_id"] == product["id"] and r["status"] == "approved"
        ]
        product["rating_count"] = len(ratings)
        product["average_rating"] = f"{sum(ratings) / len(ratings):.2f}" if ratings else "0.00"
