"""The sandbox's credentials: what the fakes accept and what `sandbox serve` writes to its env file.

They look like the real ones (WooCommerce `ck_`/`cs_` keys, Mollie `test_` keys) so that the vendors'
own SDKs accept them unmodified.
"""

WOOCOMMERCE_CONSUMER_KEY = "ck_5a1d0c6e4b7f4e2c9a3b8d1f0e6c2a7b9d4f1e3c"
WOOCOMMERCE_CONSUMER_SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"

MOLLIE_API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"

PAYPAL_CLIENT_ID = "AbSandboxClientId0123456789privacybridge"
PAYPAL_CLIENT_SECRET = "EKSandboxSecret0123456789privacybridgeSECRET"

# Their fakes accept exactly these. (A system added later keeps its key in its own fake.)
LIGHTSPEED_API_KEY = "ls_key_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
LIGHTSPEED_API_SECRET = "ls_secret_a1b2c3d4e5f60718293a4b5c6d7e8f90"
MYPARCEL_API_KEY = "mp_key_3c4d5e6f708192a3b4c5d6e7f8091a2b"
FEEDBACKCOMPANY_CLIENT_ID = "fbc_client_7d8e9f0a1b2c3d4e"
FEEDBACKCOMPANY_CLIENT_SECRET = "fbc_secret_5f6e7d8c9b0a1f2e3d4c"
