// A real OpenID Connect provider for the tests: the OpenID-certified `oidc-provider` package, run
// on loopback as two issuers shaped like the NHS ones the service signs people in with:
//
// - "patient", shaped like NHS login: private_key_jwt client authentication (RS512), a required
//   `vtr` parameter, and the claims `nhs_number`, `identity_proofing_level` (P0/P5/P9) and `vot`;
// - "staff", shaped like NHS CIS2: client_secret_basic, and `nhsid_nrbac_roles` carrying national
//   RBAC role codes and the organisation's ODS code.
//
// Usage: node identity-provider.mjs CONFIG.json — the config names each issuer's port (0 picks a
// free one), its clients (a `private_key_file` makes a private_key_jwt client whose new key is
// written there) and its test accounts (see `server/tests/api/identity.rs` and
// `end2end/playwright.config.ts`). Once listening it prints one JSON line, {"patient": issuer URL,
// "staff": issuer URL}. With IDP_EXIT_WITH_STDIN=1 it exits when its stdin closes, so a test
// process that dies cannot leave it behind.
//
// Its sign-in page stands in for the real providers' own pages: type the account name (no
// password; these accounts are synthetic and exist only here).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// The synthetic accounts both suites sign in as, unless the config names its own.
const testAccounts = JSON.parse(
  fs.readFileSync(new URL('./test-accounts.json', import.meta.url), 'utf8'),
);

// Keys and cookie secrets live only as long as the process: nothing to commit, nothing to leak.
function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig' };
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const SHAPES = {
  patient: {
    title: 'NHS login (test provider)',
    scopes: ['openid', 'profile', 'nhs_number'],
    claims: {
      openid: ['sub', 'vot', 'identity_proofing_level'],
      profile: ['name', 'given_name', 'family_name', 'birthdate'],
      nhs_number: ['nhs_number'],
    },
    // NHS login asks every relying party for the identity level it wants, as a JSON array of
    // vectors of trust; refuse a request without one, as a strict provider would.
    checkAuthorization(query) {
      let vtr;
      try {
        vtr = JSON.parse(query.vtr ?? '');
      } catch {
        return 'vtr must be a JSON array of vectors of trust';
      }
      if (!Array.isArray(vtr) || !vtr.every((v) => /^P[059]\.Cp\.C[dkm]$|^P[059]\.Cm$/.test(v))) {
        return 'vtr must be a JSON array of vectors of trust';
      }
      return null;
    },
  },
  staff: {
    title: 'NHS CIS2 (test provider)',
    scopes: ['openid', 'profile', 'nationalrbacaccess'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name'],
      nationalrbacaccess: ['nhsid_useruid', 'nhsid_nrbac_roles'],
    },
    checkAuthorization: () => null,
  },
};

// A client that authenticates with private_key_jwt gets a fresh key pair: the private half is
// written where the service under test reads it (`private_key_file`), the public half registered.
function withGeneratedKey({ private_key_file: file, ...client }) {
  if (!file) return client;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    ...client,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS512',
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS512' }] },
  };
}

async function start({ name, port = 0, clients, accounts = testAccounts[name] }) {
  const shape = SHAPES[name];
  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...withGeneratedKey(client),
    })),
    scopes: shape.scopes,
    claims: shape.claims,
    // Claims go in the ID token as well as from userinfo, as the NHS providers put the identity
    // level in the ID token.
    conformIdTokenClaims: false,
    extraParams: ['vtr'],
    pkce: { required: () => true },
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512', 'ES256'],
    },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // The accounts belong to the service being tested, so consent is implied: grant what the
    // client asked for, as a first-party provider does.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.requestParamScopes.size
        ? [...ctx.oidc.requestParamScopes].join(' ')
        : 'openid');
      await grant.save();
      return grant;
    },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const claims = { sub: id, ...account };
          if (claims.identity_proofing_level) {
            claims.vot = `${claims.identity_proofing_level}.Cp.Cd`;
          }
          return claims;
        },
      };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in failed', `<p>${escape(out.error)}: ${escape(out.error_description ?? '')}</p>`);
    },
  });
  provider.on('server_error', (_ctx, error) => console.error(`${name}: ${error.stack}`));

  const providerCallback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (url.pathname === '/auth') {
        const problem = shape.checkAuthorization(Object.fromEntries(url.searchParams));
        if (problem) {
          res.writeHead(400, { 'content-type': 'text/html' });
          res.end(page('Sign-in failed', `<p>invalid_request: ${escape(problem)}</p>`));
          return;
        }
      }
      const login = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
      if (login && req.method === 'GET' && !login[2]) {
        const details = await provider.interactionDetails(req, res);
        res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
        res.end(page(shape.title, `
<form method="post" action="/interaction/${escape(details.uid)}/login">
  <label for="login">Test account</label>
  <input id="login" name="login" autocomplete="off" required>
  <button type="submit">Sign in</button>
</form>`));
        return;
      }
      if (login && req.method === 'POST' && login[2]) {
        let body = '';
        for await (const chunk of req) body += chunk;
        const accountId = new URLSearchParams(body).get('login') ?? '';
        if (!accounts[accountId]) {
          res.writeHead(400, { 'content-type': 'text/html' });
          res.end(page(shape.title, '<p>There is no test account with that name.</p>'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId } }, {
          mergeWithLastSubmission: false,
        });
        return;
      }
      providerCallback(req, res);
    } catch (error) {
      console.error(`${name}: ${error.stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('identity provider error');
    }
  });
  return issuer;
}

const issuers = {};
for (const issuer of config.providers) {
  issuers[issuer.name] = await start(issuer);
}
console.log(JSON.stringify(issuers));

if (process.env.IDP_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}
