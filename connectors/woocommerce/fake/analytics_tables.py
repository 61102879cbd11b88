"""WooCommerce Analytics' tables in the WooCommerce fake: the DataStore functions that keep
`wc_customer_lookup` and `wc_order_stats` (`Importer`), as WooCommerce's hooks and order imports
call them (`connectors.woocommerce.fake.analytics`, where what they follow is written down).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from connectors.woocommerce.fake.analytics_values import mysql_number, pad, php_empty, sql_date
from connectors.woocommerce.fake.store import WooStore
from sandbox.data import JSON


class Importer:
    """The DataStore functions over the store's tables (one instance per batch of changes)."""

    def __init__(self, store: WooStore) -> None:
        self.store, self.a = store, store.analytics
        self.users = {c["id"]: c for c in store.customers}
        self.guests: dict[str, list[int]] = {}  # folded e-mail -> ids of guest rows
        self.by_user: dict[int, int] = {}
        self.rows: dict[int, JSON] = {}
        for row in self.a.customer_lookup:
            self._index(row)
        self.last: dict[int, tuple[str, int]] | None = None  # customer id -> newest stats row

    def _index(self, row: JSON) -> None:
        self.rows[row["customer_id"]] = row
        if row["user_id"] is None:
            self.guests.setdefault(pad(row["email"] or ""), []).append(row["customer_id"])
        else:
            self.by_user[row["user_id"]] = row["customer_id"]

    def _unindex(self, row: JSON) -> None:
        self.rows.pop(row["customer_id"], None)
        if row["user_id"] is None:
            ids = self.guests.get(pad(row["email"] or ""), [])
            if row["customer_id"] in ids:
                ids.remove(row["customer_id"])
        elif self.by_user.get(row["user_id"]) == row["customer_id"]:
            del self.by_user[row["user_id"]]

    def _changed(self) -> None:
        self.a.version += 1

    # rows
    def insert(self, data: JSON) -> int:
        cid = self.a.next_customer_id
        self.a.next_customer_id += 1
        row = {"customer_id": cid, "user_id": None, "username": "", "first_name": "",
               "last_name": "", "email": None, "date_last_active": None,
               "date_registered": None, "country": "", "postcode": "", "city": "", "state": "",
               **data}  # fmt: skip
        self.a.customer_lookup.append(row)
        self._index(row)
        self._changed()
        return cid

    def update(self, cid: int, data: JSON) -> None:
        row = self.rows.get(cid)
        if row is None:  # `$wpdb->update()` of no row
            return
        self._unindex(row)
        row.update(data)
        self._index(row)
        self._changed()

    def delete(self, rows: Iterable[JSON]) -> None:
        for row in list(rows):
            self._unindex(row)
            self.a.customer_lookup.remove(row)
            self._changed()

    def guest_id(self, email: str) -> int | None:
        ids = self.guests.get(pad(email), [])
        return min(ids) if ids else None

    # `update_registered_customer()`
    def registered(self, user: JSON) -> None:
        if user.get("role") != "customer":
            return
        billing = user.get("billing") or {}
        first, last = user.get("first_name", ""), user.get("last_name", "")
        first = billing.get("first_name", "") if php_empty(first) else first
        last = billing.get("last_name", "") if php_empty(last) else last
        active = next(
            (m["value"] for m in user.get("meta_data", []) if m["key"] == "wc_last_active"), None
        )
        stamp = int(mysql_number(str(active))) if active not in (None, "", "0") else 0
        data = {
            "user_id": user["id"],
            "username": user.get("username", ""),
            "first_name": first,
            "last_name": last,
            "email": user.get("email", ""),
            "city": billing.get("city", ""),
            "state": billing.get("state", ""),
            "postcode": billing.get("postcode", ""),
            "country": billing.get("country", ""),
            "date_registered": sql_date(user.get("date_created")),
            "date_last_active": (
                datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S") if stamp else None
            ),
        }
        existing = self.by_user.get(user["id"])
        if existing is None:
            self.insert(data)
        else:  # REPLACE keeping the id
            row = self.rows[existing]
            self._unindex(row)
            row.update(data)
            self._index(row)
            self._changed()

    # `get_existing_customer_id_from_order()`
    def existing_id(self, order: JSON) -> int | None:
        uid = order.get("customer_id") or 0
        if not uid:
            stats = self.a.order_stats.get(order["id"])
            if stats and stats["customer_id"]:
                return int(stats["customer_id"])
            email = (order.get("billing") or {}).get("email", "")
            return self.guest_id(email) if email else None
        return self.by_user.get(uid)

    # `get_customer_order_data_and_format()`; None where `new WC_Customer()` would throw
    def order_data(self, order: JSON) -> JSON | None:
        billing, shipping = order.get("billing") or {}, order.get("shipping") or {}
        uid = order.get("customer_id") or 0
        user = self.users.get(uid) if uid else None
        if uid:
            first, last = (user or {}).get("first_name", ""), (user or {}).get("last_name", "")
        else:
            first = billing.get("first_name", "") or shipping.get("first_name", "")
            last = billing.get("last_name", "") or shipping.get("last_name", "")
        data = {
            "first_name": first,
            "last_name": last,
            "email": billing.get("email", ""),
            "city": billing.get("city", ""),
            "state": billing.get("state", ""),
            "postcode": billing.get("postcode", ""),
            "country": billing.get("country", ""),
            "date_last_active": sql_date(order.get("date_created_gmt")),
        }
        if uid:
            if user is None:
                return None
            data |= {
                "email": user.get("email", ""),
                "user_id": uid,
                "username": user.get("username", ""),
                "date_registered": sql_date(user.get("date_created")),
            }
        return data

    # `get_or_create_customer_from_order()`; None: the import fails here
    def report_customer_id(self, order: JSON) -> int | None:
        existing = self.existing_id(order)
        if existing:
            return existing
        data = self.order_data(order)
        return None if data is None else self.insert(data)

    # `wc_order_stats`
    def write_stats(self, oid: int, parent: int, cid: int, when: JSON, total: float,
                    status: str) -> None:  # fmt: skip
        old = self.a.order_stats.get(oid)
        gmt = sql_date(when.get("date_created_gmt")) or ""
        new = {
            "order_id": oid,
            "parent_id": parent,
            "date_created": sql_date(when.get("date_created")),
            "date_created_gmt": gmt,
            "total_sales": total,
            "status": f"wc-{status}",
            "customer_id": cid,
        }
        self.a.order_stats[oid] = new
        self._changed()
        if self.last is None:
            return
        moved = old is not None and (old["customer_id"], old["date_created_gmt"]) != (cid, gmt)
        if moved and old is not None and self.last.get(old["customer_id"], ("", 0))[1] == oid:
            self.last = None  # a customer's newest row changed: recount when asked
            return
        if cid:
            key = (gmt, oid)
            if key > self.last.get(cid, ("", 0)):
                self.last[cid] = key

    def newest_order(self, cid: int) -> int | None:
        """`get_last_order()`: the customer's newest stats row (refunds included)."""
        if self.last is None:
            last: dict[int, tuple[str, int]] = {}
            for stats in self.a.order_stats.values():
                key = (stats["date_created_gmt"] or "", stats["order_id"])
                if stats["customer_id"] and key > last.get(stats["customer_id"], ("", 0)):
                    last[stats["customer_id"]] = key
            self.last = last
        found = self.last.get(cid)
        return found[1] if found else None

    # `OrdersScheduler::import()`
    def import_order(self, order: JSON, refunds: bool = True) -> None:
        if not order.get("date_created"):
            return
        cid = self.report_customer_id(order)
        if cid is None:
            return
        self.write_stats(order["id"], 0, cid, order, float(order.get("total") or 0),
                         order["status"])  # fmt: skip
        self.sync_order_customer(order)
        for refund in self.store.refunds.get(order["id"], []) if refunds else []:
            self.refund_stats(order, refund, cid)

    def refund_stats(self, order: JSON, refund: JSON, cid: int) -> None:
        amount = -float(refund.get("amount") or 0)
        self.write_stats(refund["id"], order["id"], cid, refund, amount, order["status"])

    def sync_order_customer(self, order: JSON) -> None:
        cid = self.existing_id(order)
        if not cid:
            return
        if self.newest_order(cid) != order["id"]:
            return
        data = self.order_data(order)
        if data is not None:
            self.update(cid, data)

    # `OrdersStatsDataStore::delete_order()` + `sync_on_order_delete()`
    def order_deleted(self, order: JSON) -> None:
        cid = self.existing_id(order) or 0
        self.a.order_stats.pop(order["id"], None)
        self.last = None
        self._changed()
        if cid and not any(s["customer_id"] == cid for s in self.a.order_stats.values()):
            row = self.rows.get(cid)
            if row is not None:
                self.delete([row])
        for refund in self.store.refunds.get(order["id"], []):
            self.a.order_stats.pop(refund["id"], None)
