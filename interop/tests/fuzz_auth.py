"""Schemathesis signs in as the demo backend client (OAuth2 client credentials) and renews its
token well before the server's five minutes are up, so one run may take as long as it needs.

Loaded by `fuzz.test.mjs` through `SCHEMATHESIS_HOOKS`; `FUZZ_TOKEN_URL` names the endpoint.
"""

import json
import os
import urllib.parse
import urllib.request

import schemathesis


@schemathesis.auth(refresh_interval=120)
class DemoClientCredentials:
    def get(self, case, context):
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": "demo-client",
                "client_secret": "demo-secret-synthetic-data-only",
            }
        ).encode()
        with urllib.request.urlopen(os.environ["FUZZ_TOKEN_URL"], form, timeout=30) as response:
            return json.load(response)["access_token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
