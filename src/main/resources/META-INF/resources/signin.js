// Sign-in for the page: the OpenID Connect authorization code flow with PKCE, run in the browser
// against the provider that GET /auth/config names. The access token stays in this tab's
// sessionStorage and goes with every API call. The refresh token the provider issues with it (Keycloak and
// Cognito do for the code flow) stays there too and renews the access token before it expires, so that a
// session lasts as long as the provider's, not as long as one access token; without one, the page asks to
// sign in again when the access token expires. The page is a public client: it keeps no client secret.

const STORE = 'vodflow.signin.';
// An access token this close to its expiry is renewed first, so that no call leaves with one about to lapse.
const RENEW_BEFORE_MS = 30_000;
let config = null;
let provider = null;
let renewing = null;

const stored = (name) => sessionStorage.getItem(STORE + name);
const store = (name, value) => sessionStorage.setItem(STORE + name, value);
const forget = (...names) => names.forEach((name) => sessionStorage.removeItem(STORE + name));

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

// The access token's claims, or none when it is not a JWT (the service then refuses it anyway).
// Claims are UTF-8: atob alone would show "José" as "JosÃ©".
function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

const expiresAt = (token) => (claims(token).exp ?? 0) * 1000;

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

async function discovery() {
  if (!provider) {
    const response = await fetch(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`the sign-in provider answered ${response.status}`);
    provider = await response.json();
  }
  return provider;
}

// Trades the code the provider sent back for tokens, once, and takes it out of the address bar.
async function finish(params) {
  const state = stored('state');
  const verifier = stored('verifier');
  history.replaceState(null, '', `${location.pathname}${stored('return') ?? ''}`);
  forget('state', 'verifier', 'return');
  if (!state || params.get('state') !== state) throw new Error('the sign-in answer is not for this page');
  const response = await tokens({
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: redirectUri(),
    code_verifier: verifier,
  });
  if (!response.ok) throw new Error(`the sign-in provider refused the code (${response.status})`);
  keep(await response.json());
}

// A request to the provider's token endpoint, as the page's public client.
async function tokens(grant) {
  const { token_endpoint: endpoint } = await discovery();
  return fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...grant, client_id: config.clientId }),
  });
}

// A token response: a renewal may leave out the refresh and ID tokens, and then the ones held stay.
function keep(answer) {
  store('token', answer.access_token);
  if (answer.refresh_token) store('refresh', answer.refresh_token);
  if (answer.id_token) store('idToken', answer.id_token);
}

// Trades the refresh token for a new access token, once for every call waiting on it. True when it did. A
// refusal (400 or 401: the refresh token expired, was revoked, or the provider's session ended) ends the
// page's session; a provider that is unreachable or busy keeps the tokens for the next call to try again.
function renew() {
  renewing ??= (async () => {
    try {
      const response = await tokens({ grant_type: 'refresh_token', refresh_token: stored('refresh') });
      if (response.status === 400 || response.status === 401) forget('token', 'idToken', 'refresh');
      if (!response.ok) return false;
      keep(await response.json());
      return true;
    } catch {
      return false;
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

// Whether the access token is good for a while yet, renewing it when it is not and it can be.
async function current() {
  if (expiresAt(stored('token')) - RENEW_BEFORE_MS > Date.now()) return true;
  return stored('refresh') !== null && (await renew());
}

// Who is signed in: { user } (null when sign-in is off), or null when nobody is.
export async function start() {
  config = await (await fetch('/auth/config')).json();
  if (!config.enabled) return { user: null };
  const params = new URLSearchParams(location.search);
  if (params.has('code')) await finish(params);
  // Tokens the provider could not renew just now stay, for the next visit to try again.
  if (!(await current()) && !(expiresAt(stored('token')) > Date.now())) return null;
  const { preferred_username: name, sub } = claims(stored('token'));
  return { user: name ?? sub };
}

// The header of an API call, with an access token renewed first when it is about to expire.
export async function authorization() {
  await current();
  const token = stored('token');
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function signIn() {
  const { authorization_endpoint: endpoint } = await discovery();
  const verifier = random(32);
  const state = random(16);
  store('verifier', verifier);
  store('state', state);
  store('return', location.hash);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(url);
}

export async function signOut() {
  const idToken = stored('idToken');
  forget('token', 'idToken', 'refresh');
  const { end_session_endpoint: endpoint } = await discovery().catch(() => ({}));
  if (!endpoint) {
    location.reload();
    return;
  }
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    post_logout_redirect_uri: redirectUri(),
    client_id: config.clientId,
    ...(idToken ? { id_token_hint: idToken } : {}),
  });
  location.assign(url);
}
