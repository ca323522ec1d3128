// The identity server: /connect/token (client_credentials, authorization_code) and /connect/authorize/callback.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { KNOWN_SCOPES } from '../../cloudfunctions/shared/platform/routes';
import { HttpError } from './http';
import type { ClientConfig } from './model';
import type { Platform } from './platform';

const oauthError = (error: string, description: string) =>
  new HttpError(400, { error, error_description: description }, { 'cache-control': 'no-store' });

/** Fields of an urlencoded or multipart form. */
export async function readForm(req: IncomingMessage, raw: Buffer): Promise<Map<string, string>> {
  const type = (req.headers['content-type'] ?? '').toLowerCase(); // media types are case-insensitive
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return new Map(new URLSearchParams(raw.toString('utf8')));
  }
  if (type.startsWith('multipart/form-data')) {
    return new Promise((resolve, reject) => {
      const fields = new Map<string, string>();
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: req.headers, limits: { fields: 50, fieldSize: 64 * 1024 } });
      } catch {
        return reject(oauthError('invalid_request', 'multipart/form-data 缺少 boundary'));
      }
      parser.on('field', (name, value) => fields.set(name, value));
      parser.on('file', (_name, stream) => stream.resume());
      parser.on('close', () => resolve(fields));
      parser.on('error', () => reject(oauthError('invalid_request', 'multipart/form-data 格式错误')));
      parser.end(raw);
    });
  }
  throw oauthError('invalid_request', '请求体必须是 application/x-www-form-urlencoded 或 multipart/form-data');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id / client_Id + client_secret in the body. */
function authenticate(platform: Platform, req: IncomingMessage, form: Map<string, string>): ClientConfig {
  let id = form.get('client_id') ?? form.get('client_Id');
  let secret = form.get('client_secret');
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw oauthError('invalid_client', 'Basic 认证格式错误');
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw oauthError('invalid_client', 'Basic 认证中的 client_id 或 client_secret 编码错误');
    }
  }
  const client = platform.clients.find((c) => c.clientId === id);
  if (!client || secret === undefined || !sameSecret(secret, client.clientSecret)) {
    throw oauthError('invalid_client', 'client_id 或 client_secret 错误');
  }
  return client;
}

/** OpenID identity scopes: they need a user, so client_credentials may not ask for them (IdentityServer). */
const IDENTITY_SCOPES = ['openid', 'profile'];

function grantScopes(client: ClientConfig, requested: string | undefined, withUser: boolean): string[] {
  const usable = (s: string) => withUser || !IDENTITY_SCOPES.includes(s);
  if (requested === undefined || requested.trim() === '') return client.allowedScopes.filter(usable);
  const scopes = [...new Set(requested.trim().split(/\s+/))];
  const bad = scopes.filter((s) => !KNOWN_SCOPES.includes(s) || !client.allowedScopes.includes(s) || !usable(s));
  if (bad.length) throw oauthError('invalid_scope', `不支持的 scope: ${bad.join(' ')}`);
  return scopes;
}

/** Issues a token; the client's earlier tokens keep working only for the grace period. */
export function issueToken(platform: Platform, clientId: string, scopes: string[], now: number) {
  const graceEnd = now + platform.settings.tokenGraceSec * 1000;
  for (const record of platform.tokens.values()) {
    if (record.clientId === clientId && record.expiresAt > graceEnd) record.expiresAt = graceEnd;
  }
  for (const [token, record] of platform.tokens) if (record.expiresAt <= now) platform.tokens.delete(token);
  const accessToken = randomBytes(32).toString('base64url');
  const ttl = platform.settings.tokenTtlSec;
  platform.tokens.set(accessToken, { clientId, scopes, issuedAt: now, expiresAt: now + ttl * 1000 });
  platform.stats.tokenIssued += 1;
  return { access_token: accessToken, expires_in: ttl, token_type: 'Bearer', scope: scopes.join(' ') };
}

export async function tokenEndpoint(platform: Platform, req: IncomingMessage, raw: Buffer, now: number) {
  const form = await readForm(req, raw);
  const grant = form.get('grant_type');
  if (!grant) throw oauthError('invalid_request', '缺少 grant_type');
  if (grant !== 'client_credentials' && grant !== 'authorization_code') {
    throw oauthError('unsupported_grant_type', `不支持的 grant_type: ${grant}`);
  }
  const client = authenticate(platform, req, form);
  if (grant === 'client_credentials') {
    return issueToken(platform, client.clientId, grantScopes(client, form.get('scope'), false), now);
  }
  const code = form.get('code') ?? '';
  const issued = platform.authCodes.get(code);
  platform.authCodes.delete(code);
  if (!issued || issued.expiresAt <= now || issued.clientId !== client.clientId) {
    throw oauthError('invalid_grant', '授权码无效或已过期');
  }
  if (issued.redirectUri !== form.get('redirect_uri')) throw oauthError('invalid_grant', 'redirect_uri 与授权时不一致');
  return issueToken(platform, client.clientId, issued.scopes, now);
}

/**
 * Whether redirect_uri is one the client registered. Compared as parsed URLs, not as strings, so that
 * `http://127.0.0.1.evil.example/` or `http://127.0.0.1@evil.example/` never pass for `http://127.0.0.1`.
 * A registered URI without a port allows any port (dev servers listen on random ones).
 */
function redirectUriAllowed(redirectUri: string, registered: string[]): boolean {
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return false;
  }
  if (!/^https?:$/.test(target.protocol) || target.username || target.password || target.hash) return false;
  return registered.some((prefix) => {
    const allowed = new URL(prefix);
    return (
      target.protocol === allowed.protocol &&
      target.hostname === allowed.hostname &&
      (allowed.port === '' || target.port === allowed.port) &&
      target.pathname.startsWith(allowed.pathname)
    );
  });
}

/** The end of the authorization step: redirects to redirect_uri with a one-time code (5 minutes). */
export function authorizeEndpoint(platform: Platform, query: URLSearchParams, now: number): { location: string } {
  const client = platform.clients.find((c) => c.clientId === query.get('client_id'));
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!client) throw oauthError('invalid_client', '未知的 client_id');
  if (!redirectUriAllowed(redirectUri, client.redirectUriPrefixes)) {
    throw oauthError('invalid_request', 'redirect_uri 未在开放平台配置');
  }
  if (query.get('response_type') !== 'code') throw oauthError('unsupported_response_type', 'response_type 必须是 code');
  const state = query.get('state');
  if (!state) throw oauthError('invalid_request', '缺少 state');
  const scopes = grantScopes(client, query.get('scope') ?? undefined, true);
  const code = randomBytes(16).toString('hex');
  platform.authCodes.set(code, { clientId: client.clientId, redirectUri, scopes, expiresAt: now + 300_000 });
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  target.searchParams.set('state', state);
  return { location: target.toString() };
}
