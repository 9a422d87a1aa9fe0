// A real OpenID Provider (npm oidc-provider, OpenID Certified) for Proeve's sign-in tests.
//
// Started by the Rust tests with one JSON argument:
//   {"clientId", "clientSecret", "redirectUris": [...], "accounts": {"<sub>": {<claims>}}}
// It listens on 127.0.0.1 at a free port and prints one line: {"issuer": "http://127.0.0.1:<port>"}.
//
// Sign-in is driven by the test instead of a person: the provider's login step is
// `POST /interaction/{uid}` with the form field `login=<sub>` (an unknown sub is refused, as a
// wrong password would be). Consent is given for the configured client, as a school's own
// identity provider does for its first-party applications. PKCE is required.
import http from 'node:http';
import Provider from 'oidc-provider';

// stdout carries the one line above and is closed after it: everything else goes to stderr.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = config.accounts ?? {};
const scopes = ['openid', 'email', 'profile', 'eckid', 'school'];

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: config.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    scopes,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      eckid: ['eckid'],
      school: ['student_number', 'groups'],
    },
    findAccount: async (_ctx, sub) => (accounts[sub]
      ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) }
      : undefined),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party client: the grant is given without a consent screen.
    loadExistingGrant: async (ctx) => {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(scopes.join(' '));
      await grant.save();
      return grant;
    },
    cookies: { keys: ['proeve-test-only'] },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    const m = ctx.path.match(/^\/interaction\/([^/]+)$/);
    if (!m) return next();
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = '<form method="post"><input name="login"><button>Log in</button></form>';
      return undefined;
    }
    const raw = await new Promise((resolve) => {
      let data = '';
      ctx.req.on('data', (c) => { data += c; });
      ctx.req.on('end', () => resolve(data));
    });
    const login = new URLSearchParams(raw).get('login') ?? '';
    if (!accounts[login]) {
      ctx.status = 401;
      ctx.body = 'unknown account';
      return undefined;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
      login: { accountId: login },
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// The test ends this process by closing its stdin (or killing it).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
